/**
 * Issues test certificates with any extension set (criticality included), with @peculiar/x509 over node's
 * WebCrypto: the chains, TSAs and revocation CAs the Notation suites verify. ECDSA P-256 keys by default because
 * they are generated in about a millisecond; generate them once per suite.
 */
import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 types name the DOM's Crypto, which this project's lib settings do not include.
x509.cryptoProvider.set(webcrypto as never);

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const EC_SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export const OID = {
  timeStamping: '1.3.6.1.5.5.7.3.8',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

export interface TestKeys {
  readonly keys: webcrypto.CryptoKeyPair;
  /** PKCS#8 PEM, for openssl. */
  readonly privateKeyPem: string;
}

export interface IssuedCertificate extends TestKeys {
  readonly certificate: x509.X509Certificate;
  readonly node: NodeX509Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly subject: string;
  /** Lower-case hex, as openssl's index.txt and OCSP print it. */
  readonly serialHex: string;
}

export async function generateKeys(): Promise<TestKeys> {
  const keys = (await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

export interface IssueOptions {
  readonly subject: string;
  /** The issuing certificate; omitted for a self-signed certificate. */
  readonly issuer?: IssuedCertificate;
  /** The subject's keys; generated when omitted. */
  readonly keys?: TestKeys;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly x509.Extension[];
  /** Hex; random when omitted. */
  readonly serialNumber?: string;
}

export async function issueCertificate(options: IssueOptions): Promise<IssuedCertificate> {
  const subjectKeys = options.keys ?? (await generateKeys());
  const signingKey = options.issuer?.keys.privateKey ?? subjectKeys.keys.privateKey;
  const identifiers: x509.Extension[] = [await x509.SubjectKeyIdentifierExtension.create(subjectKeys.keys.publicKey)];
  if (options.issuer) {
    identifiers.push(await x509.AuthorityKeyIdentifierExtension.create(options.issuer.keys.publicKey));
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? randomSerial(),
    subject: options.subject,
    issuer: options.issuer?.subject ?? options.subject,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    signingAlgorithm: EC_SIGNING,
    publicKey: subjectKeys.keys.publicKey,
    signingKey,
    extensions: [...identifiers, ...options.extensions],
  });
  const der = new Uint8Array(certificate.rawData);
  return {
    ...subjectKeys,
    certificate,
    node: new NodeX509Certificate(der),
    der,
    pem: certificate.toString('pem'),
    subject: options.subject,
    serialHex: certificate.serialNumber.toLowerCase(),
  };
}

/** Extensions of a root or intermediate CA as the Notary Project requires them. */
export function caExtensions(pathLength?: number): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
}

/** Extensions of a TSA signing certificate; `eku` and criticality overridable to build the bad ones. */
export function tsaExtensions(
  options: { eku?: readonly string[]; ekuCritical?: boolean; keyUsage?: boolean } = {},
): x509.Extension[] {
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (options.keyUsage !== false) {
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true));
  }
  extensions.push(
    new x509.ExtendedKeyUsageExtension([...(options.eku ?? [OID.timeStamping])], options.ekuCritical ?? true),
  );
  return extensions;
}

/** Extensions of a code-signing leaf, optionally with OCSP and CRL locations. */
export function leafExtensions(options: { ocsp?: readonly string[]; crl?: readonly string[] } = {}): x509.Extension[] {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([OID.codeSigning], false),
  ];
  return [...extensions, ...revocationExtensions(options)];
}

/** AIA (OCSP) and CRL distribution point extensions for any certificate. */
export function revocationExtensions(options: { ocsp?: readonly string[]; crl?: readonly string[] }): x509.Extension[] {
  const extensions: x509.Extension[] = [];
  if (options.ocsp?.length) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [...options.ocsp] }));
  if (options.crl?.length) extensions.push(new x509.CRLDistributionPointsExtension([...options.crl]));
  return extensions;
}

const DAY_MS = 86_400_000;

/** A validity window around `at`, in days before and after. */
export function validity(at: number, daysBefore: number, daysAfter: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(at - daysBefore * DAY_MS), notAfter: new Date(at + daysAfter * DAY_MS) };
}

function randomSerial(): string {
  // Positive, 16 bytes, no leading zero byte: every encoder agrees on its DER.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return Buffer.from(bytes).toString('hex');
}
