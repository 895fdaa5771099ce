/**
 * Basic credentials go only to a token realm on the Notary server's host, or on a host the rule's
 * notary.tokenRealmHosts lists: a 401 naming another host does not get them. A fake Notary on 127.0.0.1 challenges
 * with a realm on `localhost` (another host name for the test's purpose), which counts what it receives.
 */
import type http from 'node:http';
import { loadPolicy } from '../../../shared/policy/load';
import { type FakeServer, startFakeServer } from '../../harness/fake-server';
import { notaryRule, verifierKit } from '../../harness/verifier-kit';
import type { RepositoryFiles } from './tuf/support/repository';
import { DIGEST_A, instantFor, standardKeys, standardRepository } from './tuf/support/standard-repository';

const GUN = 'registry.example.com/team/app';
const keys = standardKeys(GUN);
const NOW = instantFor(keys);
const credentials = { username: 'ci', password: 's3cret' };

let files: RepositoryFiles;
let realm: FakeServer;
let notary: FakeServer;
const basicSeen: string[] = [];

beforeAll(async () => {
  const repo = standardRepository(keys, GUN);
  repo.targets.targets = { v1: DIGEST_A };
  files = repo.publish();
  realm = await startFakeServer((req, res) => {
    if (req.headers.authorization) basicSeen.push(req.headers.authorization);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token: 'pull-token', expires_in: 300 }));
  });
  const realmUrl = realm.url.replace('127.0.0.1', 'localhost');
  notary = await startFakeServer((req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.headers.authorization !== 'Bearer pull-token') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realmUrl}/token",service="notary"` }).end();
      return;
    }
    const role = /\/_trust\/tuf\/(.+?)(\.[0-9a-f]{64})?\.json$/.exec(req.url ?? '')?.[1] ?? '';
    const body = (files as unknown as Record<string, Buffer | undefined>)[role];
    if (body && role !== 'delegated') res.end(body);
    else res.writeHead(404).end();
  });
});
afterAll(async () => {
  await notary?.close();
  await realm?.close();
});
beforeEach(() => {
  basicSeen.length = 0;
});

describe('Basic credentials and token realms', () => {
  it('are not sent to a realm on another host than the Notary server', async () => {
    const kit = verifierKit();
    const verdict = await kit.verify(
      `${GUN}@sha256:${DIGEST_A}`,
      notaryRule({ server: notary.url, auth: credentials }),
      NOW,
    );
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_ERROR' });
    expect(verdict.reason).toMatch(/is not on 127\.0\.0\.1; refusing to send the credentials .* to another host/);
    expect(basicSeen).toEqual([]);
  });

  it("are sent to a realm on a host the rule's notary.tokenRealmHosts lists", async () => {
    const kit = verifierKit();
    const rule = notaryRule({ server: notary.url, auth: credentials, tokenRealmHosts: ['127.0.0.1', 'localhost'] });
    const verdict = await kit.verify(`${GUN}@sha256:${DIGEST_A}`, rule, NOW);
    expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED' });
    expect(basicSeen[0]).toBe(`Basic ${Buffer.from('ci:s3cret').toString('base64')}`);
  });

  it('are allowed by the policy for the server host plus notary.tokenRealmHosts, in lower case', async () => {
    const text = JSON.stringify({
      rules: [
        {
          match: ['**'],
          notary: {
            server: 'https://Notary.Docker.io',
            auth: { username: 'ci', passwordEnv: 'PW' },
            tokenRealmHosts: ['Auth.Docker.io'],
          },
        },
      ],
    });
    const policy = await loadPolicy({ text, env: { PW: 'x' } });
    expect(policy.rules[0]?.notary?.tokenRealmHosts).toEqual(['notary.docker.io', 'auth.docker.io']);
    const bad = JSON.stringify({
      rules: [
        {
          match: ['**'],
          notary: {
            server: 'https://n.example',
            auth: { username: 'u', passwordEnv: 'PW' },
            tokenRealmHosts: ['https://x/'],
          },
        },
      ],
    });
    await expect(loadPolicy({ text: bad, env: { PW: 'x' } })).rejects.toThrow(
      /tokenRealmHosts\[0\]: must be a host name/,
    );
  });

  it('anonymous pulls still follow a realm on any host (no credentials to leak)', async () => {
    const verdict = await verifierKit().verify(`${GUN}@sha256:${DIGEST_A}`, notaryRule({ server: notary.url }), NOW);
    expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED' });
    expect(basicSeen).toEqual([]);
  });
});
