/**
 * A Notary server set up like Docker Hub's: notary-signer holds the timestamp key (ECDSA, where the built-in trust
 * service uses ed25519) and every request needs a pull token from a docker-style token endpoint.
 */
import { METRIC } from '../../shared/observer';
import { describeWithNotary } from '../harness/availability';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { notaryRule, verifierKit } from '../harness/verifier-kit';

const hex = (char: string) => char.repeat(64);
const digest = (char: string) => `sha256:${hex(char)}`;
const APP = 'docker.io/acme/app';
const credentials = { username: 'robot', password: 'pull-only' };

describeWithNotary('the Notary verifier against a notary-server with notary-signer and token auth', () => {
  let notary: NotaryHarness;
  const rule = (auth = credentials) => notaryRule({ server: notary.url, ca: notary.caPem, auth });

  beforeAll(async () => {
    notary = await startNotary({ signer: true, tokenAuth: { basicAuth: credentials, expiresInSeconds: 300 } });
    await notary.seed(APP, { v1: hex('a') });
    await notary.seed(APP, { v2: hex('b') }, { releases: true });
  }, 120_000);
  afterAll(async () => {
    await notary?.stop();
  });

  it('has an ECDSA timestamp key (the case Docker Hub presents), so that is what gets verified here', async () => {
    const root = await notary.clientMetadata(APP, 'root');
    const timestampKeyId = root.signed.roles.timestamp?.keyids[0] ?? '';
    expect(root.signed.keys[timestampKeyId]?.keytype).toBe('ecdsa');
  });

  it('follows the 401 challenge, gets a pull token with the credentials, and admits signed digests', async () => {
    const before = notary.token?.stats.withBasicAuth ?? 0;
    const kit = verifierKit();
    expect(await kit.verify(`${APP}:v1@${digest('a')}`, rule())).toMatchObject({ allowed: true, code: 'SIGNED' });
    expect(await kit.verify(`${APP}@${digest('b')}`, rule())).toMatchObject({ allowed: true });
    expect(notary.token?.stats.withBasicAuth).toBeGreaterThan(before);
    expect(notary.token?.stats.scopes).toContain(`repository:${APP}:pull`);
  });

  it('asks for one token per repository and reuses it for every metadata file', async () => {
    const kit = verifierKit();
    const before = notary.token?.stats.requests ?? 0;
    await kit.verify(`${APP}@${digest('a')}`, rule());
    expect(kit.observer.get(METRIC.tokenRequests)).toBe(1);
    expect((notary.token?.stats.requests ?? 0) - before).toBe(1);
    // One wave (root, timestamp, snapshot, targets, targets/releases), all challenged on this first contact with
    // the server, then retried with the one token.
    expect(kit.observer.get(METRIC.originRequests)).toBe(10);
  });

  it('reuses a token kept in the shared store by another instance', async () => {
    const first = verifierKit();
    await first.verify(`${APP}@${digest('a')}`, rule());
    const before = notary.token?.stats.requests ?? 0;
    // Same shared store, but a rule pinning the root: a different trust cache entry, so the server is asked again.
    const pinned = notaryRule({
      server: notary.url,
      ca: notary.caPem,
      auth: credentials,
      rootKeys: [await notary.rootCertPem(APP)],
    });
    const second = verifierKit({ store: first.store });
    expect(await second.verify(`${APP}@${digest('a')}`, pinned)).toMatchObject({ allowed: true });
    expect(second.observer.get(METRIC.originRequests)).toBeGreaterThan(0);
    expect(notary.token?.stats.requests ?? 0).toBe(before);
  });

  it('denies with NOTARY_ERROR naming notary.auth when the credentials are refused', async () => {
    const verdict = await verifierKit().verify(`${APP}@${digest('a')}`, rule({ username: 'robot', password: 'wrong' }));
    expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_ERROR' });
    expect(verdict.reason).toContain('notary.auth');
    expect(verdict.reason).not.toContain('wrong');
  });
});
