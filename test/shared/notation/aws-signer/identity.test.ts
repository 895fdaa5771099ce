import {
  parseArn,
  parseSigningJobArn,
  parseSigningProfileArn,
  partitionOfRegion,
  regionMatchesPartition,
} from '../../../../shared/notation/aws-signer/arn';
import { matchTrustedIdentity } from '../../../../shared/notation/aws-signer/identity';

const PROFILE = 'arn:aws:signer:us-west-2:123456789012:/signing-profiles/ecr_signing';
const VERSION = `${PROFILE}/Vt0LkS1Gk3`;

describe('AWS Signer ARNs', () => {
  it('parses ARNs as aws-sdk-go-v2 does: six sections, the resource keeps further colons', () => {
    expect(parseArn('arn:aws:signer:us-east-1:1:/a:b')).toEqual({
      partition: 'aws',
      service: 'signer',
      region: 'us-east-1',
      account: '1',
      resource: '/a:b',
    });
    expect(parseArn('arn:aws:signer:us-east-1')).toBeUndefined();
    expect(parseArn('x509.subject:CN=a')).toBeUndefined();
  });

  it('tells profile ARNs from profile-version ARNs by their resource parts', () => {
    expect(parseSigningProfileArn(PROFILE)).toMatchObject({ profileName: 'ecr_signing', region: 'us-west-2' });
    expect(parseSigningProfileArn(PROFILE)?.profileVersion).toBeUndefined();
    expect(parseSigningProfileArn(VERSION)).toMatchObject({ profileName: 'ecr_signing', profileVersion: 'Vt0LkS1Gk3' });
    expect(parseSigningProfileArn(`${VERSION}/extra`)).toBeUndefined();
    expect(parseSigningProfileArn('arn:aws:signer:us-west-2:123456789012:/signing-profiles/')).toBeUndefined();
    expect(parseSigningProfileArn('arn:aws:kms:us-west-2:123456789012:/signing-profiles/p')).toBeUndefined();
    expect(parseSigningProfileArn('arn:aws:signer:us-west-2:123456789012:/signing-jobs/j')).toBeUndefined();
  });

  it('parses signing-job ARNs', () => {
    expect(parseSigningJobArn('arn:aws:signer:us-west-2:123456789012:/signing-jobs/2b7f-41')).toMatchObject({
      account: '123456789012',
    });
    expect(parseSigningJobArn('arn:aws:signer:us-west-2:123456789012:/signing-jobs/')).toBeUndefined();
    expect(parseSigningJobArn(PROFILE)).toBeUndefined();
  });

  it('knows the partition of a region and refuses ARNs whose region is not of their partition', () => {
    expect(partitionOfRegion('us-east-1')).toBe('aws');
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('cn-north-1')).toBe('aws-cn');
    expect(regionMatchesPartition(parseArn('arn:aws-us-gov:signer:us-gov-west-1:1:/x')!)).toBe(true);
    expect(regionMatchesPartition(parseArn('arn:aws:signer:us-gov-west-1:1:/x')!)).toBe(false);
    expect(regionMatchesPartition(parseArn('arn:aws-us-gov:signer:us-east-1:1:/x')!)).toBe(false);
    // A region is a region name, never a host fragment.
    expect(regionMatchesPartition(parseArn('arn:aws:signer:evil.example.com#:1:/x')!)).toBe(false);
  });
});

describe('AWS Signer trusted identities', () => {
  describe('a profile ARN', () => {
    it('matches a signature of any version of the profile', () => {
      expect(matchTrustedIdentity([PROFILE], VERSION)).toBe(PROFILE);
      expect(matchTrustedIdentity([PROFILE], `${PROFILE}/AnotherVersion`)).toBe(PROFILE);
    });

    it('ignores case when comparing, as the plugin does', () => {
      const shouting = PROFILE.replace('ecr_signing', 'ECR_Signing').replace('us-west-2', 'US-WEST-2');
      expect(matchTrustedIdentity([shouting], VERSION)).toBe(shouting);
      expect(matchTrustedIdentity([PROFILE], VERSION.toUpperCase())).toBe(PROFILE);
    });

    it('but, as the plugin, only recognises an identity whose service and resource type are lowercase', () => {
      expect(matchTrustedIdentity([PROFILE.replace(':signer:', ':SIGNER:')], VERSION)).toBeUndefined();
      expect(matchTrustedIdentity([PROFILE.replace('signing-profiles', 'Signing-Profiles')], VERSION)).toBeUndefined();
    });

    it('does not match another profile, account, region or partition', () => {
      expect(matchTrustedIdentity([PROFILE], VERSION.replace('ecr_signing', 'ecr_signing2'))).toBeUndefined();
      expect(matchTrustedIdentity([PROFILE], VERSION.replace('123456789012', '210987654321'))).toBeUndefined();
      expect(matchTrustedIdentity([PROFILE], VERSION.replace('us-west-2', 'us-east-1'))).toBeUndefined();
      expect(matchTrustedIdentity([PROFILE], VERSION.replace('arn:aws:', 'arn:aws-us-gov:'))).toBeUndefined();
      // A profile whose name starts with the trusted one's is another profile.
      expect(matchTrustedIdentity([PROFILE], `${PROFILE}x/V1`)).toBeUndefined();
    });

    it('does not match a signature that names the profile itself instead of a version', () => {
      expect(matchTrustedIdentity([PROFILE], PROFILE)).toBeUndefined();
    });
  });

  describe('a profile-version ARN', () => {
    it('matches that version only, ignoring case', () => {
      expect(matchTrustedIdentity([VERSION], VERSION)).toBe(VERSION);
      expect(matchTrustedIdentity([VERSION.toLowerCase()], VERSION)).toBe(VERSION.toLowerCase());
      expect(matchTrustedIdentity([VERSION], `${PROFILE}/OtherVersion`)).toBeUndefined();
    });
  });

  it('never matches identities that are not signing-profile ARNs, nor the wildcard', () => {
    expect(matchTrustedIdentity(['*'], VERSION)).toBeUndefined();
    expect(matchTrustedIdentity(['x509.subject:CN=AWS Signer,O=AWS,ST=WA,C=US'], VERSION)).toBeUndefined();
    expect(matchTrustedIdentity([VERSION.replace('signer', 'kms')], VERSION.replace('signer', 'kms'))).toBeUndefined();
  });

  it('answers the first identity that matches', () => {
    expect(
      matchTrustedIdentity(['*', 'arn:aws:signer:us-west-2:1:/signing-profiles/other', PROFILE, VERSION], VERSION),
    ).toBe(PROFILE);
  });
});
