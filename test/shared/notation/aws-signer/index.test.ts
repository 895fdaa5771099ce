import { verificationPlugins } from '../../../../shared/notation/aws-signer';
import { revocationCertificateHashes } from '../../../../shared/notation/aws-signer/certificate-hashes';
import {
  AWS_TEST_JOB,
  AWS_TEST_PROFILE,
  AWS_TEST_PROFILE_VERSION,
  buildAwsShapedChain,
} from '../../../harness/aws-signer-chain';
import { FAKE_AWS_CREDENTIALS, type FakeSigner, startFakeSigner } from '../../../harness/fake-signer';

describe('verificationPlugins', () => {
  let signer: FakeSigner;
  const saved = { ...process.env };
  beforeAll(async () => {
    signer = await startFakeSigner();
    process.env.AWS_ACCESS_KEY_ID = FAKE_AWS_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = FAKE_AWS_CREDENTIALS.secretAccessKey;
  });
  afterAll(async () => {
    process.env = saved;
    await signer.close();
  });

  it('registers the AWS Signer plugin by its name, asking the Signer of AWS_ENDPOINT_URL_SIGNER', async () => {
    const plugins = verificationPlugins({ env: { AWS_ENDPOINT_URL_SIGNER: signer.url }, clock: Date.now });
    expect([...plugins.keys()]).toEqual(['com.amazonaws.signer.notation.plugin']);
    const signedAtMs = Date.parse('2026-11-01T01:00:00Z');
    const aws = await buildAwsShapedChain({ leafNotBeforeMs: signedAtMs - 60_000, region: 'us-west-2' });
    const result = await plugins.get('com.amazonaws.signer.notation.plugin')!.verify({
      extendedAttributes: new Map([
        ['com.amazonaws.signer.signingProfileVersion', { value: AWS_TEST_PROFILE_VERSION, critical: true }],
        ['com.amazonaws.signer.signingJob', { value: AWS_TEST_JOB, critical: true }],
      ]),
      signingScheme: 'notary.x509.signingAuthority',
      authenticSigningTimeMs: signedAtMs,
      chain: aws.chain,
      trustedIdentities: [AWS_TEST_PROFILE],
      nowMs: signedAtMs,
      signal: new AbortController().signal,
    });
    expect(result.identity).toEqual({ ok: true });
    expect(result.revocation).toEqual({ ok: true });
    expect(signer.requests.map((r) => [r.profileVersionArn, r.jobArn, r.certificateHashes])).toEqual([
      [AWS_TEST_PROFILE_VERSION, AWS_TEST_JOB, revocationCertificateHashes(aws.chain)],
    ]);
  });
});
