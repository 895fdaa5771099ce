import { X509Certificate } from 'node:crypto';
import { createAwsSignerPlugin } from '../../../../shared/notation/aws-signer/plugin';
import { SignerRevocation } from '../../../../shared/notation/aws-signer/revocation';
import { AWS_SIGNER_ROOT } from '../../../../shared/notation/aws-signer/roots';
import type { RevocationQuery, SignerRevocationApi } from '../../../../shared/notation/aws-signer/signer-api';
import { builtInTrustStores } from '../../../../shared/notation/aws-signer/trust-stores';
import { MEDIA_TYPE } from '../../../../shared/notation/media-types';
import { parseTrustPolicy } from '../../../../shared/notation/policy/trust-policy';
import { LayeredTrustStores } from '../../../../shared/notation/policy/trust-store';
import type { PluginRegistry } from '../../../../shared/notation/types';
import { type SignatureVerifyInput, verifySignature } from '../../../../shared/notation/verify/verify-signature';
import {
  AWS_LEAF_LIFETIME_MS,
  AWS_TEST_PROFILE,
  AWS_TEST_PROFILE_VERSION,
  type AwsShapedChain,
  awsEnvelope,
  buildAwsShapedChain,
} from '../../../harness/aws-signer-chain';
import { statementOf, storesOf, TARGET } from '../../../harness/notation-kit';

const LEAF_START_MS = Date.parse('2026-11-01T00:00:00Z');
const SIGNED_AT_MS = LEAF_START_MS + 3_600_000;
const NOW_MS = SIGNED_AT_MS + 600_000;

class ScriptedSigner implements SignerRevocationApi {
  readonly queries: RevocationQuery[] = [];
  answer: () => Promise<readonly string[]> = async () => [];
  getRevocationStatus(query: RevocationQuery): Promise<readonly string[]> {
    this.queries.push(query);
    return this.answer();
  }
}

describe('AWS Signer signatures through the Notation runner', () => {
  let aws: AwsShapedChain;
  let signer: ScriptedSigner;
  let plugins: PluginRegistry;
  beforeAll(async () => {
    aws = await buildAwsShapedChain({ leafNotBeforeMs: LEAF_START_MS, region: 'us-west-2' });
  });
  beforeEach(() => {
    signer = new ScriptedSigner();
    const plugin = createAwsSignerPlugin({ revocation: new SignerRevocation({ api: signer, clock: () => NOW_MS }) });
    plugins = new Map([[plugin.name, plugin]]);
  });

  function input(overrides: Partial<SignatureVerifyInput> & { identities?: string[]; level?: string } = {}) {
    const { identities, level, ...rest } = overrides;
    return {
      descriptor: TARGET,
      envelope: awsEnvelope(aws, { signedAtMs: SIGNED_AT_MS }),
      envelopeMediaType: MEDIA_TYPE.jws,
      statement: statementOf({
        level: level ?? 'strict',
        trustStores: ['signingAuthority:aws-test'],
        trustedIdentities: identities ?? [AWS_TEST_PROFILE],
      }),
      stores: storesOf({ 'signingAuthority:aws-test': [aws.root] }),
      nowMs: NOW_MS,
      signal: new AbortController().signal,
      plugins,
      ...rest,
    } satisfies SignatureVerifyInput;
  }

  it('verifies an AWS-shaped signature of a trusted profile and names the plugin', async () => {
    const outcome = await verifySignature(input());
    expect(outcome).toMatchObject({ verified: true, warnings: [] });
    if (!outcome.verified) throw new Error(outcome.reason);
    expect(outcome.signer).toMatchObject({
      plugin: 'com.amazonaws.signer.notation.plugin',
      signingScheme: 'notary.x509.signingAuthority',
      authenticSigningTimeMs: SIGNED_AT_MS,
    });
    expect(signer.queries).toHaveLength(1);
  });

  it('trusts a version ARN of that version', async () => {
    expect(await verifySignature(input({ identities: [AWS_TEST_PROFILE_VERSION] }))).toMatchObject({ verified: true });
  });

  it('denies another profile with IDENTITY_UNTRUSTED', async () => {
    const outcome = await verifySignature(input({ identities: [`${AWS_TEST_PROFILE}_prod`] }));
    expect(outcome).toMatchObject({ verified: false, code: 'IDENTITY_UNTRUSTED', check: 'authenticity' });
    // Strict enforces authenticity, so the untrusted profile costs no Signer call.
    expect(signer.queries).toEqual([]);
  });

  it('denies a revoked profile with REVOKED under strict, and warns under permissive', async () => {
    signer.answer = async () => [AWS_TEST_PROFILE_VERSION];
    expect(await verifySignature(input())).toMatchObject({ verified: false, code: 'REVOKED', check: 'revocation' });
    expect(await verifySignature(input({ level: 'permissive' }))).toMatchObject({
      verified: true,
      warnings: [{ check: 'revocation', code: 'REVOKED' }],
    });
  });

  it('denies when Signer cannot answer with REVOCATION_UNAVAILABLE under strict, and warns under audit', async () => {
    signer.answer = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    expect(await verifySignature(input())).toMatchObject({ verified: false, code: 'REVOCATION_UNAVAILABLE' });
    expect(await verifySignature(input({ level: 'audit' }))).toMatchObject({
      verified: true,
      warnings: [{ check: 'revocation', code: 'REVOCATION_UNAVAILABLE' }],
    });
  });

  it('verifies an expired leaf when the authentic signing time lies inside its validity', async () => {
    const nowMs = LEAF_START_MS + AWS_LEAF_LIFETIME_MS + 90 * 86_400_000;
    expect(Date.parse(aws.chain[0]!.validTo)).toBeLessThan(nowMs);
    expect(await verifySignature(input({ nowMs }))).toMatchObject({ verified: true, warnings: [] });
  });

  it('denies an authentic signing time outside the leaf validity', async () => {
    const envelope = awsEnvelope(aws, { signedAtMs: LEAF_START_MS + AWS_LEAF_LIFETIME_MS + 1000 });
    expect(await verifySignature(input({ envelope }))).toMatchObject({ verified: false, check: 'authenticTimestamp' });
  });

  it('fails at every level when the envelope asks for a newer plugin than ours', async () => {
    const envelope = awsEnvelope(aws, { signedAtMs: SIGNED_AT_MS, pluginMinVersion: '9.0.0' });
    const outcome = await verifySignature(input({ envelope, level: 'audit' }));
    expect(outcome).toMatchObject({
      verified: false,
      code: 'SIGNATURE_INVALID',
      reason: expect.stringMatching(/9\.0\.0/),
    });
  });

  it('fails at every level when the envelope names another plugin', async () => {
    const envelope = awsEnvelope(aws, { signedAtMs: SIGNED_AT_MS, pluginName: 'com.example.other.plugin' });
    const outcome = await verifySignature(input({ envelope, level: 'audit' }));
    expect(outcome).toMatchObject({
      verified: false,
      code: 'SIGNATURE_INVALID',
      reason: expect.stringMatching(/com\.example\.other\.plugin/),
    });
  });

  it('fails at every level when the signing-job attribute is missing', async () => {
    const envelope = awsEnvelope(aws, {
      signedAtMs: SIGNED_AT_MS,
      protected: { 'com.amazonaws.signer.signingJob': undefined },
    });
    const outcome = await verifySignature(input({ envelope, level: 'audit' }));
    expect(outcome).toMatchObject({
      verified: false,
      code: 'SIGNATURE_INVALID',
      reason: expect.stringMatching(/signingJob/),
    });
    expect(signer.queries).toEqual([]);
  });

  it('makes no Signer call when the policy skips revocation', async () => {
    const statement = statementOf({
      override: { revocation: 'skip' },
      trustStores: ['signingAuthority:aws-test'],
      trustedIdentities: [AWS_TEST_PROFILE],
    });
    signer.answer = async () => [AWS_TEST_PROFILE_VERSION];
    const outcome = await verifySignature({ ...input(), statement });
    expect(outcome).toMatchObject({ verified: true });
    expect(outcome.results.filter((result) => result.check === 'revocation')).toEqual([]);
    expect(signer.queries).toEqual([]);
  });

  describe('with the built-in aws-signer-ts store', () => {
    const stores = new LayeredTrustStores([storesOf({}), builtInTrustStores]);
    const statement = () =>
      parseTrustPolicy({
        version: '1.0',
        trustPolicies: [
          {
            name: 'ecr',
            registryScopes: ['*'],
            signatureVerification: { level: 'strict' },
            trustStores: ['signingAuthority:aws-signer-ts'],
            trustedIdentities: [AWS_TEST_PROFILE],
          },
        ],
      }).trustPolicies[0]!;

    it('does not trust a chain under another root (only AWS can sign for it)', async () => {
      const outcome = await verifySignature({ ...input(), statement: statement(), stores });
      expect(outcome).toMatchObject({ verified: false, code: 'CERTIFICATE_UNTRUSTED' });
      expect(stores.get('signingAuthority', 'aws-signer-ts')?.[0]?.raw).toEqual(
        new X509Certificate(AWS_SIGNER_ROOT.pem).raw,
      );
    });

    it('refuses "*" and non-ARN identities when the trust policy is loaded', () => {
      const load = (trustedIdentities: string[]) =>
        parseTrustPolicy({
          version: '1.0',
          trustPolicies: [
            {
              name: 'ecr',
              registryScopes: ['*'],
              signatureVerification: { level: 'strict' },
              trustStores: ['signingAuthority:aws-signer-ts'],
              trustedIdentities,
            },
          ],
        });
      expect(() => load(['*'])).toThrow(/trust policy trustPolicies\[0\]\.trustedIdentities\[0\]: "\*" is refused/);
      expect(() => load(['profile:ecr_signing'])).toThrow(/not a signing-profile ARN/);
      expect(() => load([AWS_TEST_PROFILE])).not.toThrow();
    });
  });
});
