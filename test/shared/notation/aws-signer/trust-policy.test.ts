import { awsSignerTrustPolicyProblems } from '../../../../shared/notation/aws-signer/trust-policy';

const PROFILE = 'arn:aws:signer:us-west-2:123456789012:/signing-profiles/ecr_signing';
const GOV_PROFILE = 'arn:aws-us-gov:signer:us-gov-west-1:123456789012:/signing-profiles/ecr_signing';

function problems(trustStores: string[], trustedIdentities: string[]): string[] {
  return awsSignerTrustPolicyProblems({ name: 'ecr', trustStores, trustedIdentities });
}

describe('AWS Signer trust policy statements, when the policy is loaded', () => {
  it('accepts the statement AWS documents: aws-signer-ts and a profile ARN', () => {
    expect(problems(['signingAuthority:aws-signer-ts'], [PROFILE])).toEqual([]);
    expect(problems(['signingAuthority:aws-signer-ts'], [PROFILE, `${PROFILE}2/Version1`])).toEqual([]);
    expect(problems(['signingAuthority:aws-us-gov-signer-ts'], [GOV_PROFILE])).toEqual([]);
  });

  it('refuses "*" with a reason and the field', () => {
    const [problem, ...rest] = problems(['signingAuthority:aws-signer-ts'], ['*']);
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^trust policy "ecr".trustedIdentities\[0\]: "\*" is refused for AWS Signer/);
  });

  it('refuses "*" beside a profile ARN too', () => {
    expect(problems(['signingAuthority:aws-signer-ts'], [PROFILE, '*'])).toEqual([
      expect.stringMatching(/trustedIdentities\[1\]: "\*" is refused/),
    ]);
  });

  it('refuses identities that are not signing-profile ARNs', () => {
    expect(problems(['signingAuthority:aws-signer-ts'], ['ecr_signing'])).toEqual([
      expect.stringMatching(/trustedIdentities\[0\]: "ecr_signing": it is not a signing-profile ARN/),
      expect.stringMatching(/needs at least one signing-profile ARN/),
    ]);
    expect(
      problems(['signingAuthority:aws-signer-ts'], [PROFILE, 'arn:aws:signer:us-west-2:1:/signing-jobs/j']),
    ).toEqual([expect.stringMatching(/trustedIdentities\[1\]: .* is not a signing-profile ARN/)]);
    expect(
      problems(['signingAuthority:aws-signer-ts'], [PROFILE, 'x509.subject:CN=AWS Signer,O=AWS,ST=WA,C=US']),
    ).toEqual([
      expect.stringMatching(/trustedIdentities\[1\]: .*x509.subject identity never matches an AWS Signer signature/),
    ]);
  });

  it('keeps signatures partition-scoped: a GovCloud profile under the commercial root is refused', () => {
    expect(problems(['signingAuthority:aws-signer-ts'], [GOV_PROFILE])).toEqual([
      expect.stringMatching(/partition "aws-us-gov", but the statement trusts only aws-signer-ts \(aws\)/),
    ]);
    expect(problems(['signingAuthority:aws-us-gov-signer-ts'], [PROFILE])).toEqual([
      expect.stringMatching(/partition "aws", but the statement trusts only aws-us-gov-signer-ts/),
    ]);
    expect(
      problems(['signingAuthority:aws-signer-ts', 'signingAuthority:aws-us-gov-signer-ts'], [PROFILE, GOV_PROFILE]),
    ).toEqual([]);
  });

  it('refuses an ARN whose region is not of its partition', () => {
    expect(
      problems(['signingAuthority:aws-signer-ts'], ['arn:aws:signer:us-gov-west-1:123456789012:/signing-profiles/p']),
    ).toEqual([expect.stringMatching(/region "us-gov-west-1" is not a region of partition "aws"/)]);
  });

  it('applies to statements with their own signingAuthority store and profile ARNs (a mirrored or test root)', () => {
    expect(problems(['signingAuthority:mirror'], ['*', PROFILE])).toEqual([expect.stringMatching(/"\*" is refused/)]);
    // With a store of its own, other signers' identities and other partitions are the owner's business.
    expect(problems(['signingAuthority:mirror'], [GOV_PROFILE])).toEqual([]);
    expect(
      problems(['ca:acme', 'signingAuthority:aws-signer-ts'], [PROFILE, 'x509.subject:C=US,ST=WA,O=Acme']),
    ).toEqual([]);
  });

  it('does not concern statements without AWS Signer stores or identities', () => {
    expect(problems(['ca:acme'], ['*'])).toEqual([]);
    expect(problems(['ca:acme'], ['x509.subject:C=US,ST=WA,O=Acme'])).toEqual([]);
    expect(awsSignerTrustPolicyProblems({ name: 'skip' })).toEqual([]);
  });

  it('does not count a tsa store as a store of its own', () => {
    expect(problems(['signingAuthority:aws-signer-ts', 'tsa:digicert'], [GOV_PROFILE])).toEqual([
      expect.stringMatching(/partition-scoped/),
    ]);
  });
});
