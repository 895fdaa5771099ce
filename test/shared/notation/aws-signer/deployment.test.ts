import { signerRevocationRegions } from '../../../../shared/notation/aws-signer/deployment';

const profile = (region: string, name = 'p') => `arn:aws:signer:${region}:123456789012:/signing-profiles/${name}`;
const statement = (identities: string[], signatureVerification: object = { level: 'strict' }) => ({
  name: 'x',
  registryScopes: ['*'],
  signatureVerification,
  trustStores: ['signingAuthority:aws-signer-ts'],
  trustedIdentities: identities,
});

describe('the Signer regions a deployment needs', () => {
  it('are the regions of the trusted signing profiles, each once, sorted', () => {
    const document = {
      version: '1.0',
      trustPolicies: [
        statement([profile('us-west-2'), `${profile('us-west-2', 'q')}/V1`]),
        statement([profile('eu-central-1')], { level: 'permissive' }),
      ],
    };
    expect(signerRevocationRegions(document)).toEqual(['eu-central-1', 'us-west-2']);
  });

  it('leave out statements that make no revocation call', () => {
    const document = {
      version: '1.0',
      trustPolicies: [
        statement([profile('us-east-1')], { level: 'skip' }),
        statement([profile('us-east-2')], { level: 'strict', override: { revocation: 'skip' } }),
        statement([profile('us-west-1')], { level: 'strict', override: { revocation: 'log' } }),
      ],
    };
    expect(signerRevocationRegions(document)).toEqual(['us-west-1']);
  });

  it('are none for x509 identities, wildcards and documents that are not trust policies', () => {
    expect(
      signerRevocationRegions({ version: '1.0', trustPolicies: [statement(['*', 'x509.subject:C=US,ST=WA,O=A'])] }),
    ).toEqual([]);
    expect(signerRevocationRegions(null)).toEqual([]);
    expect(signerRevocationRegions({ trustPolicies: 'nope' })).toEqual([]);
  });
});
