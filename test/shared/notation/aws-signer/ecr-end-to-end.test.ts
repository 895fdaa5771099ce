/**
 * AWS Signer end to end below the webhook: an image in an ECR-named registry (an in-process fake with the referrers
 * API, ECR's Basic challenge, a fake ECR endpoint issuing the token), an AWS-shaped signature found through the
 * referrers API, the Notation verifier with the AWS Signer plugin asking a fake Signer endpoint
 * (AWS_ENDPOINT_URL_SIGNER) for revocation. Signed admitted; revoked profile, other profile and unsigned denied.
 */
import { Buffer } from 'node:buffer';
import type http from 'node:http';
import { MemoryStore } from '../../../../shared/cache/memory-store';
import { TieredTrustCache } from '../../../../shared/cache/trust-cache';
import { parseReference } from '../../../../shared/image/reference';
import { verificationPlugins } from '../../../../shared/notation/aws-signer';
import { revocationCertificateHashes } from '../../../../shared/notation/aws-signer/certificate-hashes';
import { buildNotationSettings, type NotationSettings } from '../../../../shared/notation/settings';
import { NotationVerifier } from '../../../../shared/notation/verifier';
import type { Rule } from '../../../../shared/policy/types';
import { OciRegistryClient } from '../../../../shared/registry/client';
import { EcrAuthorizer } from '../../../../shared/registry/ecr-auth';
import { NodeHttpTransport } from '../../../../shared/registry/http';
import {
  AWS_TEST_JOB,
  AWS_TEST_PROFILE,
  AWS_TEST_PROFILE_VERSION,
  type AwsShapedChain,
  awsEnvelope,
  buildAwsShapedChain,
} from '../../../harness/aws-signer-chain';
import { type FakeRegistry, startFakeRegistry } from '../../../harness/fake-registry';
import { type FakeServer, startFakeServer } from '../../../harness/fake-server';
import { FAKE_AWS_CREDENTIALS, type FakeSigner, startFakeSigner } from '../../../harness/fake-signer';

const ECR_HOST = '123456789012.dkr.ecr.us-west-2.amazonaws.com';
const ECR_TOKEN = Buffer.from('AWS:ecr-password').toString('base64');
const LEAF_START_MS = Date.parse('2026-11-01T00:00:00Z');
const SIGNED_AT_MS = LEAF_START_MS + 3_600_000;
/** A month after signing: the three-day leaf has long expired; the authentic signing time keeps the signature good. */
const NOW_MS = SIGNED_AT_MS + 30 * 86_400_000;

const transport = new NodeHttpTransport();
const saved = { ...process.env };
let ecr: FakeServer;
let registry: FakeRegistry;
let signer: FakeSigner;
let aws: AwsShapedChain;
let settings: NotationSettings;
const images: Record<string, { mediaType: string; digest: string; size: number }> = {};

function pem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
}

function putImage(repository: string, content: string) {
  return registry.putManifest(repository, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 },
    layers: [],
    annotations: { content },
  });
}

function putSignature(
  repository: string,
  subject: { mediaType: string; digest: string; size: number },
  envelope: Uint8Array,
) {
  const layer = registry.putBlob(repository, envelope, 'application/jose+json');
  registry.putManifest(repository, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cncf.notary.signature',
    config: {
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: registry.putBlob(repository, Buffer.from('{}')).digest,
      size: 2,
    },
    layers: [{ mediaType: 'application/jose+json', digest: layer.digest, size: layer.size }],
    subject,
  });
}

beforeAll(async () => {
  ecr = await startFakeServer((req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          authorizationData: [
            {
              authorizationToken: ECR_TOKEN,
              expiresAt: (NOW_MS + 12 * 3_600_000) / 1000,
              proxyEndpoint: `https://${ECR_HOST}`,
            },
          ],
        }),
      ),
    );
  });
  signer = await startFakeSigner();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_ECR: ecr.url,
    AWS_ACCESS_KEY_ID: FAKE_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_AWS_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'eu-west-1',
  });
  registry = await startFakeRegistry({
    fault: (req, res) => {
      if (req.headers.authorization === `Basic ${ECR_TOKEN}`) return false;
      res
        .writeHead(401, { 'www-authenticate': `Basic realm="https://${ECR_HOST}/",service="ecr.amazonaws.com"` })
        .end();
      return true;
    },
  });
  aws = await buildAwsShapedChain({ leafNotBeforeMs: LEAF_START_MS, region: 'us-west-2' });
  images.signed = putImage('web', 'signed');
  images.other = putImage('web', 'other profile');
  images.unsigned = putImage('web', 'unsigned');
  putSignature('web', images.signed, awsEnvelope(aws, { signedAtMs: SIGNED_AT_MS, target: images.signed }));
  putSignature(
    'web',
    images.other,
    awsEnvelope(aws, {
      signedAtMs: SIGNED_AT_MS,
      target: images.other,
      profileVersionArn: `${AWS_TEST_PROFILE}_other/V1`,
    }),
  );
  settings = buildNotationSettings(
    {
      version: '1.0',
      trustPolicies: [
        {
          name: 'ecr',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict' },
          trustStores: ['signingAuthority:aws-test'],
          trustedIdentities: [AWS_TEST_PROFILE],
        },
      ],
    },
    [{ type: 'signingAuthority', name: 'aws-test', fileName: 'aws-test.pem', bytes: Buffer.from(pem(aws.root.raw)) }],
  );
});

afterAll(async () => {
  process.env = saved;
  transport.close();
  await Promise.all([ecr.close(), registry.close(), signer.close()]);
});

beforeEach(() => {
  signer.requests.length = 0;
  signer.answer({ revokedEntities: [] });
});

const rule = () => ({ match: ['**'], action: 'verify', requireDigest: true, notation: settings }) as unknown as Rule;

function verifier(): NotationVerifier {
  return new NotationVerifier({
    cache: new TieredTrustCache({ store: new MemoryStore() }),
    registry: new OciRegistryClient({
      http: transport,
      store: new MemoryStore(),
      clock: () => NOW_MS,
      ecr: new EcrAuthorizer({ clock: () => NOW_MS, timeoutMs: 2000 }),
      registries: { [ECR_HOST]: { ca: undefined, plainHttp: false, endpoint: registry.url, auth: undefined } },
    }),
    plugins: verificationPlugins({ env: { AWS_ENDPOINT_URL_SIGNER: signer.url }, clock: () => NOW_MS }),
    revocation: { check: async () => ({ status: 'unavailable', reason: 'OCSP must not run for AWS Signer' }) },
  });
}

const verify = (v: NotationVerifier, image: keyof typeof images | string, digest = images[image]?.digest) =>
  v.verify(parseReference(`${ECR_HOST}/web@${digest}`), rule(), {
    nowMs: NOW_MS,
    signal: AbortSignal.timeout(5000),
  });

describe('an ECR image signed by an AWS-shaped signing profile', () => {
  it('is admitted as SIGNED, after one GetRevocationStatus with the fields the plugin sends', async () => {
    const verdict = await verify(verifier(), 'signed');
    expect(verdict).toMatchObject({
      allowed: true,
      code: 'SIGNED',
      format: 'notation',
      signedDigest: images.signed!.digest,
    });
    expect(signer.requests).toHaveLength(1);
    const [request] = signer.requests;
    expect(request).toMatchObject({
      method: 'GET',
      path: '/revocations',
      signatureTimestamp: new Date(SIGNED_AT_MS).toISOString().replace('.000Z', 'Z'),
      platformId: 'Notation-OCI-SHA384-ECDSA',
      profileVersionArn: AWS_TEST_PROFILE_VERSION,
      jobArn: AWS_TEST_JOB,
      certificateHashes: revocationCertificateHashes(aws.chain),
    });
    expect(request!.authorization).toMatch(/\/us-west-2\/signer\/aws4_request/);
  });

  it('is admitted again from the verdict cache without asking Signer (the warm path)', async () => {
    const v = verifier();
    await verify(v, 'signed');
    await verify(v, 'signed');
    expect(signer.requests).toHaveLength(1);
  });

  it('is denied with REVOKED when AWS Signer has revoked the profile version', async () => {
    signer.answer({ revokedEntities: [AWS_TEST_PROFILE_VERSION] });
    const verdict = await verify(verifier(), 'signed');
    expect(verdict).toMatchObject({ allowed: false, code: 'REVOKED' });
    expect(verdict.reason).toContain(AWS_TEST_PROFILE_VERSION);
  });

  it('is denied with REVOCATION_UNAVAILABLE when Signer fails, under strict', async () => {
    signer.answer({ status: 500, errorType: 'InternalServiceErrorException', message: 'down' });
    expect(await verify(verifier(), 'signed')).toMatchObject({ allowed: false, code: 'REVOCATION_UNAVAILABLE' });
  });
});

describe('other ECR images', () => {
  it('signed by another profile: denied with IDENTITY_UNTRUSTED', async () => {
    expect(await verify(verifier(), 'other')).toMatchObject({ allowed: false, code: 'IDENTITY_UNTRUSTED' });
  });

  it('unsigned: denied with NOT_SIGNED, and Signer is never asked', async () => {
    expect(await verify(verifier(), 'unsigned')).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
    expect(signer.requests).toEqual([]);
  });
});

describe('a trust-store folder', () => {
  it('cannot redefine the built-in aws-signer-ts store', () => {
    const file = {
      type: 'signingAuthority' as const,
      name: 'aws-signer-ts',
      fileName: 'x509/signingAuthority/aws-signer-ts/root.pem',
    };
    expect(() =>
      buildNotationSettings(
        {
          version: '1.0',
          trustPolicies: [
            {
              name: 'a',
              registryScopes: ['*'],
              signatureVerification: { level: 'strict' },
              trustStores: ['signingAuthority:aws-signer-ts'],
              trustedIdentities: [AWS_TEST_PROFILE],
            },
          ],
        },
        [{ ...file, bytes: Buffer.from(pem(aws.root.raw)) }],
      ),
    ).toThrow(/aws-signer-ts is built in/);
  });
});
