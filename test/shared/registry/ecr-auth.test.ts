import type http from 'node:http';
import { MemoryStore } from '../../../shared/cache/memory-store';
import { OciRegistryClient } from '../../../shared/registry/client';
import { ECR_TOKEN_MARGIN_MS, EcrAuthorizer } from '../../../shared/registry/ecr-auth';
import { parseEcrHost } from '../../../shared/registry/ecr-host';
import { NodeHttpTransport } from '../../../shared/registry/http';
import { type FakeRegistry, startFakeRegistry } from '../../harness/fake-registry';
import { type FakeServer, startFakeServer } from '../../harness/fake-server';

const ECR_HOST = '123456789012.dkr.ecr.eu-west-3.amazonaws.com';
const TOKEN = Buffer.from('AWS:ecr-password').toString('base64');
const TWELVE_HOURS_MS = 12 * 3600_000;

const transport = new NodeHttpTransport();
const saved = { ...process.env };
let ecr: FakeServer;
let ecrCalls: Array<{ target: string | undefined; authorization: string | undefined }>;
let ecrAnswer: (res: http.ServerResponse) => void;
let registry: FakeRegistry;
const clock = { nowMs: Date.UTC(2026, 11, 1) };

beforeAll(async () => {
  ecr = await startFakeServer((req, res) => {
    ecrCalls.push({ target: req.headers['x-amz-target'] as string, authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => ecrAnswer(res));
  });
  process.env.AWS_ENDPOINT_URL_ECR = ecr.url;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  process.env.AWS_REGION = 'us-east-1'; // not the registry's region: the call must go to eu-west-3
  registry = await startFakeRegistry({
    fault: (req, res) => {
      if (req.headers.authorization === `Basic ${TOKEN}`) return false;
      res
        .writeHead(401, { 'www-authenticate': `Basic realm="https://${ECR_HOST}/",service="ecr.amazonaws.com"` })
        .end();
      return true;
    },
  });
  for (const repository of ['team/a', 'team/b', 'team/c']) {
    registry.putManifest(
      repository,
      { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json' },
      { tag: 'v1' },
    );
  }
});
afterAll(async () => {
  process.env = saved;
  transport.close();
  await Promise.all([ecr.close(), registry.close()]);
});
beforeEach(() => {
  ecrCalls = [];
  ecrAnswer = (res) =>
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
      JSON.stringify({
        authorizationData: [
          {
            authorizationToken: TOKEN,
            expiresAt: (clock.nowMs + TWELVE_HOURS_MS) / 1000,
            proxyEndpoint: `https://${ECR_HOST}`,
          },
        ],
      }),
    );
});

function client(timeoutMs = 2_000) {
  return new OciRegistryClient({
    http: transport,
    store: new MemoryStore(),
    clock: () => clock.nowMs,
    ecr: new EcrAuthorizer({ clock: () => clock.nowMs, timeoutMs }),
    registries: { [ECR_HOST]: { ca: undefined, plainHttp: false, endpoint: registry.url, auth: undefined } },
  });
}

describe('ECR hosts', () => {
  it('are recognised by name, with their region (FIPS and China partitions too)', () => {
    expect(parseEcrHost(ECR_HOST)).toEqual({ accountId: '123456789012', region: 'eu-west-3', fips: false });
    expect(parseEcrHost('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')?.fips).toBe(true);
    expect(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')?.region).toBe('cn-north-1');
    expect(parseEcrHost('123456789012.dkr.ecr.eu-west-3.amazonaws.com.evil.example')).toBeUndefined();
    expect(parseEcrHost('registry.example.com')).toBeUndefined();
  });

  it('authenticate with one GetAuthorizationToken, in the registry region, across concurrent admissions', async () => {
    const shared = client();
    const resolutions = ['team/a', 'team/b', 'team/c', 'team/a', 'team/b'].map((repository) =>
      shared.resolve({ host: ECR_HOST, repository }, 'v1'),
    );
    await Promise.all(resolutions);
    expect(ecrCalls).toHaveLength(1);
    expect(ecrCalls[0]?.target).toBe('AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    expect(ecrCalls[0]?.authorization).toContain('/eu-west-3/ecr/aws4_request');
    // The token went up front: no request was answered 401.
    expect(registry.server.requests.every((request) => request.headers.authorization === `Basic ${TOKEN}`)).toBe(true);
  });

  it('reuse the token until expiresAt minus the margin, then ask again', async () => {
    const shared = client();
    await shared.resolve({ host: ECR_HOST, repository: 'team/a' }, 'v1', { fresh: true });
    clock.nowMs += TWELVE_HOURS_MS - ECR_TOKEN_MARGIN_MS - 1;
    await shared.resolve({ host: ECR_HOST, repository: 'team/b' }, 'v1', { fresh: true });
    expect(ecrCalls).toHaveLength(1);
    clock.nowMs += 2;
    await shared.resolve({ host: ECR_HOST, repository: 'team/c' }, 'v1', { fresh: true });
    expect(ecrCalls).toHaveLength(2);
  });

  it('an ECR API that refuses (AccessDenied) is REGISTRY_ERROR naming the permission', async () => {
    ecrAnswer = (res) =>
      res
        .writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException' })
        .end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized' }));
    const pending = client().resolve({ host: ECR_HOST, repository: 'team/a' }, 'v1');
    await expect(pending).rejects.toMatchObject({ code: 'REGISTRY_ERROR', message: /ecr:GetAuthorizationToken/ });
  });

  it('an ECR API that never answers is REGISTRY_UNREACHABLE within the call timeout', async () => {
    ecrAnswer = () => {};
    const pending = client(200).resolve({ host: ECR_HOST, repository: 'team/a' }, 'v1');
    await expect(pending).rejects.toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      message: /did not answer within 200 ms/,
    });
  });
});
