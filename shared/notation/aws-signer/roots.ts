/**
 * AWS Signer's public Notation roots: the certificates behind the built-in trust stores
 * `signingAuthority:aws-signer-ts` and `signingAuthority:aws-us-gov-signer-ts`.
 *
 * They are embedded as text (not read from disk) so that the bundled Lambda, the CLI and the tests all carry the very
 * same bytes; `roots/*.pem` beside this file are the same certificates for `openssl` (a test keeps them equal).
 * Where AWS publishes them: the AWS Signer Developer Guide, "Prerequisites for signing container images"
 * (image-signing-prerequisites), links the downloads below. An owner confirms a copy with
 * `curl -s URL | openssl x509 -outform DER | sha256sum` against `sha256`.
 */

/** The partitions AWS Signer signs container images in, each with its own root and trust store. */
export type SignerPartition = 'aws' | 'aws-us-gov';

export interface AwsSignerRoot {
  /** The `signingAuthority` trust store name a trust policy uses (`signingAuthority:<storeName>`). */
  readonly storeName: string;
  readonly partition: SignerPartition;
  readonly subject: string;
  /** Lowercase hex SHA-256 of the DER: what `notation inspect` prints as the root's thumbprint. */
  readonly sha256: string;
  /** Where AWS publishes the certificate. */
  readonly publishedAt: string;
  /** How this copy was confirmed. */
  readonly confirmedBy: string;
  readonly pem: string;
}

export const AWS_SIGNER_ROOT: AwsSignerRoot = {
  storeName: 'aws-signer-ts',
  partition: 'aws',
  subject: 'CN=AWS Signer Code Signing Root CA G1,ST=WA,OU=Cryptography,O=AWS,C=US',
  sha256: '90a87d0543c3f094dbff9589b6649affe2f3d6e0f308799be2258461c686473f',
  publishedAt: 'https://d2hvyiie56hcat.cloudfront.net/aws-signer-notation-root.cert',
  confirmedBy:
    'the root thumbprint in several independent public `notation inspect` outputs of real AWS Signer signatures',
  pem: `-----BEGIN CERTIFICATE-----
MIICWTCCAd6gAwIBAgIRAMq5Lmt4rqnUdi8qM4eIGbYwCgYIKoZIzj0EAwMwbDEL
MAkGA1UEBhMCVVMxDDAKBgNVBAoMA0FXUzEVMBMGA1UECwwMQ3J5cHRvZ3JhcGh5
MQswCQYDVQQIDAJXQTErMCkGA1UEAwwiQVdTIFNpZ25lciBDb2RlIFNpZ25pbmcg
Um9vdCBDQSBHMTAgFw0yMjEwMjcyMTMzMjJaGA8yMTIyMTAyNzIyMzMyMlowbDEL
MAkGA1UEBhMCVVMxDDAKBgNVBAoMA0FXUzEVMBMGA1UECwwMQ3J5cHRvZ3JhcGh5
MQswCQYDVQQIDAJXQTErMCkGA1UEAwwiQVdTIFNpZ25lciBDb2RlIFNpZ25pbmcg
Um9vdCBDQSBHMTB2MBAGByqGSM49AgEGBSuBBAAiA2IABM9+dM9WXbVyNOIP08oN
IQW8DKKdBxP5nYNegFPLfGP0f7+0jweP8LUv1vlFZqVDep5ONus9IxwtIYBJLd36
5Q3Z44Xnm4PY/wSI5xRvB/m+/B2PHc7Smh0P5s3Dt25oVKNCMEAwDwYDVR0TAQH/
BAUwAwEB/zAdBgNVHQ4EFgQUONhd3abPX87l4YWKxjysv28QwAYwDgYDVR0PAQH/
BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYCMQCd32GnYU2qFCtKjZiveGfs+gCBlPi2
Hw0zU52LXIFC2GlcvwcekbiM6w0Azlr9qvMCMQDl4+Os0yd+fVlYMuovvxh8xpjQ
NPJ9zRGyYa7+GNs64ty/Z6bzPHOKbGo4In3KKJo=
-----END CERTIFICATE-----
`,
};

export const AWS_US_GOV_SIGNER_ROOT: AwsSignerRoot = {
  storeName: 'aws-us-gov-signer-ts',
  partition: 'aws-us-gov',
  subject: 'CN=AWS Signer Code Signing GovCloud (US) Root CA G1,ST=WA,OU=Cryptography,O=AWS,C=US',
  sha256: '673653ab76f41a10546cdeb4107ecd6df2c15c2c9a0d32ed97d271b4436fc3e8',
  publishedAt: 'https://d2hvyiie56hcat.cloudfront.net/aws-us-gov-signer-notation-root.cert',
  confirmedBy:
    'one public source only (a trust-store sample of an AWS Signer integration); confirm before relying on it',
  pem: `-----BEGIN CERTIFICATE-----
MIICdDCCAfqgAwIBAgIRANXkpKrZj0L324qGaqRhW/cwCgYIKoZIzj0EAwMwejEL
MAkGA1UEBhMCVVMxDDAKBgNVBAoMA0FXUzEVMBMGA1UECwwMQ3J5cHRvZ3JhcGh5
MQswCQYDVQQIDAJXQTE5MDcGA1UEAwwwQVdTIFNpZ25lciBDb2RlIFNpZ25pbmcg
R292Q2xvdWQgKFVTKSBSb290IENBIEcxMCAXDTI0MDMwNjIzMzgyOFoYDzIxMjQw
MzA3MDAzODI4WjB6MQswCQYDVQQGEwJVUzEMMAoGA1UECgwDQVdTMRUwEwYDVQQL
DAxDcnlwdG9ncmFwaHkxCzAJBgNVBAgMAldBMTkwNwYDVQQDDDBBV1MgU2lnbmVy
IENvZGUgU2lnbmluZyBHb3ZDbG91ZCAoVVMpIFJvb3QgQ0EgRzEwdjAQBgcqhkjO
PQIBBgUrgQQAIgNiAARog54ObzWaGU6fAOcL4Af+P93l2t8Dl9hVD2n0eSSfmPq1
3jtXgjcpXZIjMfoiWQPJTvyAB3opRyvO3grvUaWxRnjtwB/Pusj4tzhnaN+b80eJ
iRn6AzrI9vBssd1ZyRKjQjBAMA8GA1UdEwEB/wQFMAMBAf8wHQYDVR0OBBYEFJF4
zoYzTyn/5s8EleoNvek9QeE6MA4GA1UdDwEB/wQEAwIBhjAKBggqhkjOPQQDAwNo
ADBlAjEA8tcKeLPxBB0mRmfkJn5+hgYxZaRGQatO5mxmjkB/DNIfJ1WeEE3tbCHr
pNJL32FUAjBQY82UNV5yJrKFHOxuiQ+athQZUHLvWvAIXKExt9wvLdtKzfpag8BI
o2A2A4nk0jk=
-----END CERTIFICATE-----
`,
};

export const AWS_SIGNER_ROOTS: readonly AwsSignerRoot[] = [AWS_SIGNER_ROOT, AWS_US_GOV_SIGNER_ROOT];
