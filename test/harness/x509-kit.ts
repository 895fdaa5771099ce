/**
 * Certificates as the openssl- and pkijs-backed suites need them (TSAs, revocation CAs, trust store roots): each
 * with a fresh key, a random serial, key identifiers, and every form those tools take (PEM, PKCS#8 key, WebCrypto
 * keys, node's X509Certificate). Issued through notation-kit.ts's issueCertificate, the one certificate issuer of
 * the test kits, with its extension builders. ECDSA P-256 keys because they are generated in about a millisecond.
 */
import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { ext, generateTestKey, issueCertificate as issueDer, type TestKey } from './notation-kit';

const KU = ext.KU;

export const OID = {
  timeStamping: '1.3.6.1.5.5.7.3.8',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

export interface TestKeys {
  readonly key: TestKey;
  /** The same key for WebCrypto users (pkijs signs timestamp tokens with it). */
  readonly keys: webcrypto.CryptoKeyPair;
  /** PKCS#8 PEM, for openssl. */
  readonly privateKeyPem: string;
}

export interface IssuedCertificate extends TestKeys {
  readonly node: NodeX509Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly subject: string;
  /** Lower-case hex, as openssl's index.txt and OCSP print it. */
  readonly serialHex: string;
}

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function generateKeys(): Promise<TestKeys> {
  const key = generateTestKey('p256');
  const pkcs8 = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', pkcs8, EC_KEY, true, ['sign']),
    webcrypto.subtle.importKey('spki', key.spki, EC_KEY, true, ['verify']),
  ]);
  return {
    key,
    keys: { privateKey, publicKey } as webcrypto.CryptoKeyPair,
    privateKeyPem: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
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
  const identifiers: x509.Extension[] = [await x509.SubjectKeyIdentifierExtension.create(subjectKeys.key.spki)];
  if (options.issuer) identifiers.push(await x509.AuthorityKeyIdentifierExtension.create(options.issuer.key.spki));
  const serialNumber = options.serialNumber ?? randomSerial();
  const der = await issueDer({
    subject: options.subject,
    key: subjectKeys.key,
    issuer: options.issuer && { subject: options.issuer.subject, key: options.issuer.key },
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    extensions: [...identifiers, ...options.extensions],
    serialNumber,
  });
  return {
    ...subjectKeys,
    node: new NodeX509Certificate(der),
    der,
    pem: x509.PemConverter.encode(der, 'CERTIFICATE'),
    subject: options.subject,
    serialHex: serialNumber.toLowerCase(),
  };
}

/** Extensions of a root or intermediate CA as the Notary Project requires them. */
export function caExtensions(pathLength?: number): x509.Extension[] {
  return [ext.ca(true, pathLength), ext.ku(KU.keyCertSign | KU.cRLSign)];
}

/** Extensions of a TSA signing certificate; `eku` and criticality overridable to build the bad ones. */
export function tsaExtensions(
  options: { eku?: readonly string[]; ekuCritical?: boolean; keyUsage?: boolean } = {},
): x509.Extension[] {
  return [
    ext.notCa(true),
    ...(options.keyUsage === false ? [] : [ext.ku(KU.digitalSignature)]),
    ext.eku([...(options.eku ?? [OID.timeStamping])], options.ekuCritical ?? true),
  ];
}

/** Extensions of a code-signing leaf, optionally with OCSP and CRL locations. */
export function leafExtensions(options: { ocsp?: readonly string[]; crl?: readonly string[] } = {}): x509.Extension[] {
  return [ext.notCa(true), ext.ku(KU.digitalSignature), ext.eku([OID.codeSigning]), ...revocationExtensions(options)];
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
