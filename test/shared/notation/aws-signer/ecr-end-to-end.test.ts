/**
 * AWS Signer end to end below the webhook: an image in an ECR-named registry (an in-process fake with the referrers
 * API, ECR's Basic challenge, a fake ECR endpoint issuing the token), an AWS-shaped signature found through the
 * referrers API, the Notation verifier with the AWS Signer plugin asking a fake Signer endpoint
 * (AWS_ENDPOINT_URL_SIGNER) for revocation. Signed admitted; revoked profile, other profile and unsigned denied.
 */
import { Buffer } from 'node:buffer';
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
  AWS_TEST_STORE,
  type AwsSignedEcr,
  awsSignerTrustPolicy,
  ECR_HOST,
  startAwsSignedEcr,
} from '../../../harness/aws-signed-ecr';
import { AWS_TEST_JOB, AWS_TEST_PROFILE, AWS_TEST_PROFILE_VERSION } from '../../../harness/aws-signer-chain';

const LEAF_START_MS = Date.parse('2026-11-01T00:00:00Z');
const SIGNED_AT_MS = LEAF_START_MS + 3_600_000;
/** A month after signing: the three-day leaf has long expired; the authentic signing time keeps the signature good. */
const NOW_MS = SIGNED_AT_MS + 30 * 86_400_000;

const transport = new NodeHttpTransport();
const saved = { ...process.env };
let fixture: AwsSignedEcr;
let settings: NotationSettings;

function pem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
}

beforeAll(async () => {
  fixture = await startAwsSignedEcr({
    leafNotBeforeMs: LEAF_START_MS,
    signedAtMs: SIGNED_AT_MS,
    tokenExpiresAtMs: NOW_MS + 12 * 3_600_000,
  });
  // The ECR authorizer reads its endpoint from the environment; the Signer endpoint is given to the plugin below.
  const { AWS_ENDPOINT_URL_SIGNER: _signer, ...ecrEnv } = fixture.awsEnv;
  Object.assign(process.env, { ...ecrEnv, AWS_REGION: 'eu-west-1' });
  settings = buildNotationSettings(awsSignerTrustPolicy(), [
    {
      type: 'signingAuthority',
      name: AWS_TEST_STORE,
      fileName: `${AWS_TEST_STORE}.pem`,
      bytes: Buffer.from(fixture.aws.rootPem),
    },
  ]);
});

afterAll(async () => {
  process.env = saved;
  transport.close();
  await fixture.close();
});

beforeEach(() => {
  fixture.signer.requests.length = 0;
  fixture.signer.answer({ revokedEntities: [] });
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
      registries: { [ECR_HOST]: { ca: undefined, plainHttp: false, endpoint: fixture.registry.url, auth: undefined } },
    }),
    plugins: verificationPlugins({ env: { AWS_ENDPOINT_URL_SIGNER: fixture.signer.url }, clock: () => NOW_MS }),
    revocation: { check: async () => ({ status: 'unavailable', reason: 'OCSP must not run for AWS Signer' }) },
  });
}

const verify = (v: NotationVerifier, image: keyof AwsSignedEcr['images']) =>
  v.verify(parseReference(fixture.reference(image)), rule(), {
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
      signedDigest: fixture.images.signed.digest,
    });
    expect(fixture.signer.requests).toHaveLength(1);
    const [request] = fixture.signer.requests;
    expect(request).toMatchObject({
      method: 'GET',
      path: '/revocations',
      signatureTimestamp: new Date(SIGNED_AT_MS).toISOString().replace('.000Z', 'Z'),
      platformId: 'Notation-OCI-SHA384-ECDSA',
      profileVersionArn: AWS_TEST_PROFILE_VERSION,
      jobArn: AWS_TEST_JOB,
      certificateHashes: revocationCertificateHashes(fixture.aws.chain),
    });
    expect(request!.authorization).toMatch(/\/us-west-2\/signer\/aws4_request/);
  });

  it('is admitted again from the verdict cache without asking Signer (the warm path)', async () => {
    const v = verifier();
    await verify(v, 'signed');
    await verify(v, 'signed');
    expect(fixture.signer.requests).toHaveLength(1);
  });

  it('is denied with REVOKED when AWS Signer has revoked the profile version', async () => {
    fixture.signer.answer({ revokedEntities: [AWS_TEST_PROFILE_VERSION] });
    const verdict = await verify(verifier(), 'signed');
    expect(verdict).toMatchObject({ allowed: false, code: 'REVOKED' });
    expect(verdict.reason).toContain(AWS_TEST_PROFILE_VERSION);
  });

  it('is denied with REVOCATION_UNAVAILABLE when Signer fails, under strict', async () => {
    fixture.signer.answer({ status: 500, errorType: 'InternalServiceErrorException', message: 'down' });
    expect(await verify(verifier(), 'signed')).toMatchObject({ allowed: false, code: 'REVOCATION_UNAVAILABLE' });
  });
});

describe('other ECR images', () => {
  it('signed by another profile: denied with IDENTITY_UNTRUSTED', async () => {
    expect(await verify(verifier(), 'other')).toMatchObject({ allowed: false, code: 'IDENTITY_UNTRUSTED' });
  });

  it('unsigned: denied with NOT_SIGNED, and Signer is never asked', async () => {
    expect(await verify(verifier(), 'unsigned')).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
    expect(fixture.signer.requests).toEqual([]);
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
        [{ ...file, bytes: Buffer.from(pem(fixture.aws.root.raw)) }],
      ),
    ).toThrow(/aws-signer-ts is built in/);
  });
});
