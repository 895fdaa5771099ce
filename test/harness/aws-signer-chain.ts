/**
 * AWS-shaped Notation signing chains for tests: P-384 throughout, shaped as AWS Signer's (a real `notation inspect`
 * shows leaf `CN=AWS Signer` living ~3 days -> `AWS Signer <region> Code Signing CA G1` -> `AWS Signer Code Signing
 * Int CA G1` -> `AWS Signer Code Signing Root CA G1`), but under a test root: AWS's own root cannot sign test data.
 * The certificates meet Notation's requirements (critical basicConstraints and keyUsage, codeSigning leaf).
 */
import 'reflect-metadata';
import { KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Descriptor } from '../../shared/notation/payload';
import { jwsEnvelope, payloadOf, TARGET, type TestChain } from './notation-kit';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const EC_P384: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-384' };
const ES384: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-384' };
const DAY_MS = 86_400_000;
/** AWS Signer leaves live about three days. */
export const AWS_LEAF_LIFETIME_MS = 3 * DAY_MS;

export interface ChainOptions {
  /** Start of the leaf's validity (the CAs start a year earlier). */
  readonly leafNotBeforeMs: number;
  readonly leafLifetimeMs?: number;
  readonly region?: string;
  /** Distinguishes independent test roots. */
  readonly rootName?: string;
}

export interface AwsShapedChain {
  /** Leaf first, root last: the envelope's `x5c` order. */
  readonly chain: X509Certificate[];
  readonly root: X509Certificate;
  readonly rootPem: string;
  readonly leafPrivateKey: CryptoKey;
}

interface Issued {
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

async function issue(
  subject: string,
  issuer: Issued | undefined,
  notBefore: Date,
  notAfter: Date,
  extensions: x509.Extension[],
): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(EC_P384, true, ['sign', 'verify'])) as CryptoKeyPair;
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString('hex');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `01${serial}`,
    subject,
    issuer: issuer ? issuer.cert.subject : subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuer ? issuer.keys.privateKey : keys.privateKey,
    signingAlgorithm: ES384,
    extensions: [...extensions, await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
  });
  return { cert, keys };
}

function caExtensions(pathLength?: number): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
      true,
    ),
  ];
}

export async function buildAwsShapedChain(options: ChainOptions): Promise<AwsShapedChain> {
  const region = options.region ?? 'us-east-1';
  const rootName = options.rootName ?? 'Test Signer Code Signing Root CA G1';
  const leafStart = new Date(options.leafNotBeforeMs);
  const caStart = new Date(options.leafNotBeforeMs - 365 * DAY_MS);
  const caEnd = new Date(options.leafNotBeforeMs + 20 * 365 * DAY_MS);
  const org = 'OU=Cryptography,O=AWS,ST=WA,C=US';
  const root = await issue(`CN=${rootName},${org}`, undefined, caStart, caEnd, caExtensions());
  const intermediate = await issue(
    `CN=AWS Signer Code Signing Int CA G1,${org}`,
    root,
    caStart,
    caEnd,
    caExtensions(1),
  );
  const regional = await issue(
    `CN=AWS Signer ${region} Code Signing CA G1,${org}`,
    intermediate,
    caStart,
    caEnd,
    caExtensions(0),
  );
  const leaf = await issue(
    'CN=AWS Signer,OU=AWS Cryptography,O=AWS,L=Seattle,ST=WA,C=US',
    regional,
    leafStart,
    new Date(options.leafNotBeforeMs + (options.leafLifetimeMs ?? AWS_LEAF_LIFETIME_MS)),
    [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
    ],
  );
  const chain = [leaf, regional, intermediate, root].map(
    (issued) => new X509Certificate(Buffer.from(issued.cert.rawData)),
  );
  return { chain, root: chain[3]!, rootPem: root.cert.toString('pem'), leafPrivateKey: leaf.keys.privateKey };
}

// ---------------------------------------------------------------------------------------------------------------
// AWS-shaped envelopes (ES384 JWS, the SA scheme, the plugin's critical attributes), signed with the kit's JWS

export const AWS_TEST_PROFILE = 'arn:aws:signer:us-west-2:123456789012:/signing-profiles/ecr_signing';
export const AWS_TEST_PROFILE_VERSION = `${AWS_TEST_PROFILE}/Vt0LkS1Gk3`;
export const AWS_TEST_JOB = 'arn:aws:signer:us-west-2:123456789012:/signing-jobs/2b7f3f4c-1d2e-4f5a-9b8c-7d6e5f4a3b2c';
/** The profile's default signature validity: 135 months. */
const SIGNATURE_VALIDITY_MS = 135 * 30 * DAY_MS;

/** The chain in the Notation kit's shape, so its JWS signer can sign with the leaf. */
export function asTestChain(aws: AwsShapedChain): TestChain {
  const leaf = aws.chain[0]!;
  return {
    ders: aws.chain.map((cert) => new Uint8Array(cert.raw)),
    leafKey: {
      spec: 'p384',
      privateKey: KeyObject.from(aws.leafPrivateKey),
      spki: leaf.publicKey.export({ format: 'der', type: 'spki' }),
    },
    root: aws.root,
    leafSubject: 'CN=AWS Signer,OU=AWS Cryptography,O=AWS,L=Seattle,ST=WA,C=US',
  };
}

export interface AwsEnvelopeOptions {
  readonly signedAtMs: number;
  readonly target?: Descriptor;
  readonly profileVersionArn?: string;
  readonly jobArn?: string;
  readonly pluginName?: string;
  readonly pluginMinVersion?: string;
  /** Merged over the AWS protected header; `undefined` removes a key (the crit list is rebuilt from what is left). */
  readonly protected?: Record<string, unknown>;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The protected header AWS Signer writes: every extended attribute critical, the expiry from the profile. */
export function awsProtectedHeader(opts: AwsEnvelopeOptions): Record<string, unknown> {
  const header: Record<string, unknown> = {
    alg: 'ES384',
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
    'io.cncf.notary.authenticSigningTime': rfc3339(opts.signedAtMs),
    'io.cncf.notary.expiry': rfc3339(opts.signedAtMs + SIGNATURE_VALIDITY_MS),
    'io.cncf.notary.verificationPlugin': opts.pluginName ?? 'com.amazonaws.signer.notation.plugin',
    'io.cncf.notary.verificationPluginMinVersion': opts.pluginMinVersion ?? '1.0.298',
    'com.amazonaws.signer.signingProfileVersion': opts.profileVersionArn ?? AWS_TEST_PROFILE_VERSION,
    'com.amazonaws.signer.signingJob': opts.jobArn ?? AWS_TEST_JOB,
  };
  for (const [key, value] of Object.entries(opts.protected ?? {})) {
    if (value === undefined) delete header[key];
    else header[key] = value;
  }
  const notCritical = new Set(['alg', 'cty', 'crit']);
  return { ...header, crit: Object.keys(header).filter((key) => !notCritical.has(key)) };
}

export function awsEnvelope(aws: AwsShapedChain, opts: AwsEnvelopeOptions): Uint8Array {
  const header = awsProtectedHeader(opts);
  // The kit merges over its own defaults: clear the notary.x509 signing time it would otherwise add.
  return jwsEnvelope({
    chain: asTestChain(aws),
    payload: payloadOf(opts.target ?? TARGET),
    protected: { ...header, 'io.cncf.notary.signingTime': undefined },
  });
}
