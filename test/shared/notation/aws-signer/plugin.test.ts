import { X509Certificate } from 'node:crypto';
import { revocationCertificateHashes } from '../../../../shared/notation/aws-signer/certificate-hashes';
import {
  AWS_SIGNER_PLUGIN_NAME,
  AWS_SIGNER_PLUGIN_VERSION,
  AwsSignerPluginError,
  createAwsSignerPlugin,
} from '../../../../shared/notation/aws-signer/plugin';
import { SignerRevocation } from '../../../../shared/notation/aws-signer/revocation';
import { AWS_SIGNER_ROOT } from '../../../../shared/notation/aws-signer/roots';
import type { RevocationQuery, SignerRevocationApi } from '../../../../shared/notation/aws-signer/signer-api';
import type { ExtendedAttribute, PluginInput } from '../../../../shared/notation/types';
import { AWS_LEAF_LIFETIME_MS, type AwsShapedChain, buildAwsShapedChain } from '../../../harness/aws-signer-chain';

const ACCOUNT = '123456789012';
const PROFILE = `arn:aws:signer:us-west-2:${ACCOUNT}:/signing-profiles/ecr_signing`;
const VERSION = `${PROFILE}/Vt0LkS1Gk3`;
const JOB = `arn:aws:signer:us-west-2:${ACCOUNT}:/signing-jobs/2b7f3f4c-1d2e-4f5a-9b8c-7d6e5f4a3b2c`;
const LEAF_START_MS = Date.parse('2026-11-01T00:00:00Z');
const SIGNED_AT_MS = LEAF_START_MS + 3_600_000;

class RecordingApi implements SignerRevocationApi {
  readonly queries: RevocationQuery[] = [];
  answer: (query: RevocationQuery) => Promise<readonly string[]> = async () => [];
  getRevocationStatus(query: RevocationQuery): Promise<readonly string[]> {
    this.queries.push(query);
    return this.answer(query);
  }
}

function attributes(values: Record<string, unknown>, critical = true): ReadonlyMap<string, ExtendedAttribute> {
  return new Map(Object.entries(values).map(([key, value]) => [key, { value, critical }]));
}

describe('the AWS Signer plugin, in-process', () => {
  let aws: AwsShapedChain;
  let api: RecordingApi;
  let plugin: ReturnType<typeof createAwsSignerPlugin>;

  beforeAll(async () => {
    aws = await buildAwsShapedChain({ leafNotBeforeMs: LEAF_START_MS, region: 'us-west-2' });
  });
  beforeEach(() => {
    api = new RecordingApi();
    plugin = createAwsSignerPlugin({ revocation: new SignerRevocation({ api, clock: () => SIGNED_AT_MS }) });
  });

  function input(overrides: Partial<PluginInput> = {}): PluginInput {
    return {
      extendedAttributes: attributes({
        'io.cncf.notary.verificationPlugin': AWS_SIGNER_PLUGIN_NAME,
        'com.amazonaws.signer.signingProfileVersion': VERSION,
        'com.amazonaws.signer.signingJob': JOB,
      }),
      signingScheme: 'notary.x509.signingAuthority',
      authenticSigningTimeMs: SIGNED_AT_MS,
      chain: aws.chain,
      trustedIdentities: [PROFILE],
      nowMs: SIGNED_AT_MS + 60_000,
      signal: new AbortController().signal,
      ...overrides,
    };
  }

  it('is the AWS plugin by name, at the version of the plugin release it implements', () => {
    expect(plugin.name).toBe('com.amazonaws.signer.notation.plugin');
    expect(plugin.version).toBe(AWS_SIGNER_PLUGIN_VERSION);
    expect(AWS_SIGNER_PLUGIN_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('trusts a signature of the trusted profile, finds it not revoked, and processes both AWS attributes', async () => {
    const result = await plugin.verify(input());
    expect(result).toEqual({
      identity: { ok: true },
      revocation: { ok: true },
      processedAttributes: ['com.amazonaws.signer.signingProfileVersion', 'com.amazonaws.signer.signingJob'],
    });
  });

  it('asks AWS exactly what the plugin asks, in the profile region', async () => {
    await plugin.verify(input());
    expect(api.queries).toEqual([
      {
        region: 'us-west-2',
        signatureTimestampMs: SIGNED_AT_MS,
        platformId: 'Notation-OCI-SHA384-ECDSA',
        profileVersionArn: VERSION,
        jobArn: JOB,
        certificateHashes: revocationCertificateHashes(aws.chain),
      },
    ]);
  });

  it('trusts a version ARN for that version only', async () => {
    expect((await plugin.verify(input({ trustedIdentities: [VERSION] }))).identity).toEqual({ ok: true });
    const other = await plugin.verify(input({ trustedIdentities: [`${PROFILE}/OtherVersion`] }));
    expect(other.identity).toEqual({
      ok: false,
      code: 'IDENTITY_UNTRUSTED',
      reason: expect.stringContaining(VERSION),
    });
  });

  it('matches ignoring case', async () => {
    const identity = PROFILE.replace('ecr_signing', 'ECR_SIGNING');
    expect((await plugin.verify(input({ trustedIdentities: [identity] }))).identity).toEqual({ ok: true });
  });

  it.each([
    ['another account', PROFILE.replace(ACCOUNT, '210987654321')],
    ['another region', PROFILE.replace('us-west-2', 'us-east-1')],
    ['another profile', `${PROFILE}_prod`],
    ['a non-ARN identity', 'ecr_signing'],
    ['an x509.subject identity', 'x509.subject:CN=AWS Signer,OU=AWS Cryptography,O=AWS,L=Seattle,ST=WA,C=US'],
  ])('does not trust %s', async (_what, identity) => {
    const result = await plugin.verify(input({ trustedIdentities: [identity] }));
    expect(result.identity).toMatchObject({ ok: false, code: 'IDENTITY_UNTRUSTED' });
  });

  it('refuses "*" outright, as the plugin does', async () => {
    await expect(plugin.verify(input({ trustedIdentities: ['*'] }))).rejects.toMatchObject({
      code: 'IDENTITY_UNTRUSTED',
      message: expect.stringMatching(/wildcard/),
    });
    await expect(plugin.verify(input({ trustedIdentities: [PROFILE, '*'] }))).rejects.toBeInstanceOf(
      AwsSignerPluginError,
    );
    expect(api.queries).toEqual([]);
  });

  describe('refuses envelopes the plugin would refuse (SIGNATURE_INVALID at every level)', () => {
    it.each([
      [
        'the signingProfileVersion attribute is missing',
        { 'com.amazonaws.signer.signingJob': JOB },
        /lacks .*signingProfileVersion/,
      ],
      [
        'the signingJob attribute is missing',
        { 'com.amazonaws.signer.signingProfileVersion': VERSION },
        /lacks .*signingJob/,
      ],
      [
        'an attribute is not a string',
        { 'com.amazonaws.signer.signingProfileVersion': 42, 'com.amazonaws.signer.signingJob': JOB },
        /not a string/,
      ],
      [
        'the profile attribute is a profile, not a version',
        { 'com.amazonaws.signer.signingProfileVersion': PROFILE, 'com.amazonaws.signer.signingJob': JOB },
        /not a signing-profile version ARN/,
      ],
      [
        'the job attribute is not a job ARN',
        { 'com.amazonaws.signer.signingProfileVersion': VERSION, 'com.amazonaws.signer.signingJob': VERSION },
        /not a signing-job ARN/,
      ],
      [
        'the job is in another partition',
        {
          'com.amazonaws.signer.signingProfileVersion': VERSION,
          'com.amazonaws.signer.signingJob': JOB.replace(
            'arn:aws:signer:us-west-2',
            'arn:aws-us-gov:signer:us-gov-west-1',
          ),
        },
        /partition aws/,
      ],
      [
        'the profile region is not of its partition',
        {
          'com.amazonaws.signer.signingProfileVersion': VERSION.replace('us-west-2', 'us-gov-west-1'),
          'com.amazonaws.signer.signingJob': JOB,
        },
        /not a signing-profile version ARN/,
      ],
    ])('%s', async (_what, values, reason) => {
      const result = plugin.verify(input({ extendedAttributes: attributes(values) }));
      await expect(result).rejects.toMatchObject({ code: 'SIGNATURE_INVALID', message: expect.stringMatching(reason) });
      expect(api.queries).toEqual([]);
    });

    it('the attributes are not critical', async () => {
      const values = { 'com.amazonaws.signer.signingProfileVersion': VERSION, 'com.amazonaws.signer.signingJob': JOB };
      await expect(plugin.verify(input({ extendedAttributes: attributes(values, false) }))).rejects.toMatchObject({
        code: 'SIGNATURE_INVALID',
        message: expect.stringMatching(/not critical/),
      });
    });

    it('the signing scheme is notary.x509', async () => {
      const result = plugin.verify(input({ signingScheme: 'notary.x509', signingTimeMs: SIGNED_AT_MS }));
      await expect(result).rejects.toMatchObject({
        code: 'SIGNATURE_INVALID',
        message: expect.stringMatching(/scheme/),
      });
    });

    it('there is no authentic signing time', async () => {
      await expect(plugin.verify(input({ authenticSigningTimeMs: undefined }))).rejects.toMatchObject({
        code: 'SIGNATURE_INVALID',
        message: expect.stringMatching(/authentic signing time/),
      });
    });

    it("the chain ends at one partition's AWS root but the profile is in another", async () => {
      const govVersion = 'arn:aws-us-gov:signer:us-gov-west-1:123456789012:/signing-profiles/p/V1';
      const govJob = 'arn:aws-us-gov:signer:us-gov-west-1:123456789012:/signing-jobs/j';
      const awsRoot = new X509Certificate(AWS_SIGNER_ROOT.pem);
      const result = plugin.verify(
        input({
          chain: [...aws.chain.slice(0, 3), awsRoot],
          trustedIdentities: ['arn:aws-us-gov:signer:us-gov-west-1:123456789012:/signing-profiles/p'],
          extendedAttributes: attributes({
            'com.amazonaws.signer.signingProfileVersion': govVersion,
            'com.amazonaws.signer.signingJob': govJob,
          }),
        }),
      );
      await expect(result).rejects.toMatchObject({
        message: expect.stringMatching(/root of partition aws, but the profile is in aws-us-gov/),
      });
    });
  });

  it('accepts an expired leaf when the authentic signing time is inside its validity (what the SA scheme is for)', async () => {
    const nowMs = LEAF_START_MS + AWS_LEAF_LIFETIME_MS + 30 * 86_400_000;
    expect(Date.parse(aws.chain[0]!.validTo)).toBeLessThan(nowMs);
    const result = await plugin.verify(input({ nowMs }));
    expect(result.identity).toEqual({ ok: true });
    expect(result.revocation).toEqual({ ok: true });
    expect(api.queries[0]?.signatureTimestampMs).toBe(SIGNED_AT_MS);
  });

  it('asks nothing when the policy skips revocation, and still decides identity', async () => {
    api.answer = async () => [VERSION];
    const result = await plugin.verify(input({ checkRevocation: false, trustedIdentities: [`${PROFILE}_other`] }));
    expect(result.identity).toMatchObject({ ok: false, code: 'IDENTITY_UNTRUSTED' });
    expect(api.queries).toEqual([]);
  });

  it('asks no revocation for an untrusted profile when authenticity is enforced, and asks when it is only logged', async () => {
    const other = [`${PROFILE}_other`];
    const enforced = await plugin.verify(input({ trustedIdentities: other, authenticityEnforced: true }));
    expect(enforced.identity).toMatchObject({ ok: false, code: 'IDENTITY_UNTRUSTED' });
    expect(api.queries).toEqual([]);
    const logged = await plugin.verify(input({ trustedIdentities: other, authenticityEnforced: false }));
    expect(logged.identity).toMatchObject({ ok: false, code: 'IDENTITY_UNTRUSTED' });
    expect(api.queries).toHaveLength(1);
  });

  it('reports a revoked profile version with its ARN', async () => {
    api.answer = async () => [VERSION];
    expect((await plugin.verify(input())).revocation).toEqual({
      ok: false,
      code: 'REVOKED',
      reason: `AWS Signer revoked ${VERSION}`,
    });
  });

  it('reports a revoked certificate', async () => {
    api.answer = async (query) => [query.certificateHashes[1]!];
    expect((await plugin.verify(input())).revocation).toEqual({
      ok: false,
      code: 'REVOKED',
      reason: 'AWS Signer revoked a certificate of the signature chain',
    });
  });

  it('reports an API failure as REVOCATION_UNAVAILABLE, with identity still decided', async () => {
    api.answer = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    };
    const result = await plugin.verify(input());
    expect(result.identity).toEqual({ ok: true });
    expect(result.revocation).toEqual({
      ok: false,
      code: 'REVOCATION_UNAVAILABLE',
      reason: 'AWS Signer GetRevocationStatus in us-west-2 failed: TooManyRequestsException: Rate exceeded',
    });
  });
});
