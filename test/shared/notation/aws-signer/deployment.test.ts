import {
  SIGNER_REVOCATION_ACTIONS,
  signerRevocationPermission,
  signerRevocationPermissions,
  signerRevocationRegions,
} from '../../../../shared/notation/aws-signer/deployment';
import { parseTrustPolicy } from '../../../../shared/notation/policy/trust-policy';

const profile = (region: string, name = 'p') => `arn:aws:signer:${region}:123456789012:/signing-profiles/${name}`;
const statement = (identities: string[], signatureVerification: object = { level: 'strict' }, name = 'x') => ({
  name,
  registryScopes: [`registry.example.com/${name}`],
  signatureVerification,
  trustStores: ['signingAuthority:aws-signer-ts'],
  trustedIdentities: identities,
});
const trustPolicy = (...statements: object[]) => parseTrustPolicy({ version: '1.0', trustPolicies: statements });

describe('the Signer regions a deployment needs', () => {
  it('are the regions of the trusted signing profiles, each once, sorted', () => {
    const document = trustPolicy(
      statement([profile('us-west-2'), `${profile('us-west-2', 'q')}/V1`], { level: 'strict' }, 'a'),
      statement([profile('eu-central-1')], { level: 'permissive' }, 'b'),
    );
    expect(signerRevocationRegions(document)).toEqual(['eu-central-1', 'us-west-2']);
  });

  it('leave out statements that make no revocation call', () => {
    const document = trustPolicy(
      statement([profile('us-east-2')], { level: 'strict', override: { revocation: 'skip' } }, 'b'),
      statement([profile('us-west-1')], { level: 'strict', override: { revocation: 'log' } }, 'c'),
    );
    expect(signerRevocationRegions(document)).toEqual(['us-west-1']);
  });

  it('are none for x509 identities', () => {
    const document = parseTrustPolicy({
      version: '1.0',
      trustPolicies: [{ ...statement(['x509.subject:C=US,ST=WA,O=A']), trustStores: ['ca:acme'] }],
    });
    expect(signerRevocationRegions(document)).toEqual([]);
  });
});

describe('the IAM statement a deployment grants for them', () => {
  it('is GetRevocationStatus alone on "*" (no resource type), narrowed by aws:RequestedRegion, with the reason', () => {
    expect(signerRevocationPermission(['us-west-2', 'eu-central-1', 'us-west-2'])).toEqual({
      actions: [...SIGNER_REVOCATION_ACTIONS],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': ['eu-central-1', 'us-west-2'] } },
      wildcardReason: expect.stringMatching(/no resource-level permissions.*aws:RequestedRegion/),
    });
  });

  it('is one statement for a trust policy with AWS Signer profiles, none without', () => {
    expect(signerRevocationPermissions(trustPolicy(statement([profile('us-west-2')])))).toEqual([
      signerRevocationPermission(['us-west-2']),
    ]);
    expect(
      signerRevocationPermissions(
        trustPolicy(statement([profile('us-west-2')], { level: 'strict', override: { revocation: 'skip' } })),
      ),
    ).toEqual([]);
  });
});
