/**
 * Builds Notation test material the way a signer would: keys (node:crypto), certificate chains with any extension
 * set (@peculiar/x509; the one certificate issuer of the test kits: x509-kit.ts issues through it), and JWS / COSE
 * envelopes signed per the Notary Project specification. Nothing here is
 * copied from another project's fixtures; everything is generated at test time with fixed dates.
 */
import 'reflect-metadata';
import { Buffer } from 'node:buffer';
import { constants, generateKeyPairSync, type KeyObject, sign, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Descriptor } from '../../shared/notation/payload';
import { parseTrustPolicy, type TrustPolicyStatement } from '../../shared/notation/policy/trust-policy';
import { MemoryTrustStores } from '../../shared/notation/policy/trust-store';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type Algorithm = webcrypto.Algorithm;

export type KeySpec = 'rsa1024' | 'rsa2048' | 'rsa3072' | 'rsa4096' | 'p224' | 'p256' | 'p384' | 'p521' | 'ed25519';

export interface TestKey {
  readonly spec: KeySpec;
  readonly privateKey: KeyObject;
  readonly spki: Uint8Array;
}

const keyCache = new Map<string, TestKey>();

/** A key of that spec; `slot` gives distinct keys of the same spec. Cached per test file (RSA generation is slow). */
export function testKey(spec: KeySpec, slot = 0): TestKey {
  const id = `${spec}/${slot}`;
  const cached = keyCache.get(id);
  if (cached) return cached;
  const key = generateTestKey(spec);
  keyCache.set(id, key);
  return key;
}

/** A new key of that spec, never cached (P-256 takes about a millisecond). */
export function generateTestKey(spec: KeySpec): TestKey {
  const pair = spec.startsWith('rsa')
    ? generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(3)) })
    : spec === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', {
          namedCurve: { p224: 'secp224r1', p256: 'prime256v1', p384: 'secp384r1', p521: 'secp521r1' }[spec as 'p256'],
        });
  return { spec, privateKey: pair.privateKey, spki: pair.publicKey.export({ format: 'der', type: 'spki' }) };
}

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

async function issuingKey(key: TestKey, hash: HashName, pss: boolean): Promise<{ key: CryptoKey; alg: Algorithm }> {
  const pkcs8 = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  if (key.spec.startsWith('rsa')) {
    const name = pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
    const cryptoKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name, hash }, false, ['sign']);
    const saltLength = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash];
    return { key: cryptoKey as CryptoKey, alg: pss ? ({ name, saltLength } as Algorithm) : { name } };
  }
  const namedCurve = { p256: 'P-256', p384: 'P-384', p521: 'P-521' }[key.spec as 'p256'];
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve }, false, ['sign']);
  return { key: cryptoKey as CryptoKey, alg: { name: 'ECDSA', hash } as Algorithm };
}

export interface IssueOptions {
  readonly subject: string;
  readonly key: TestKey;
  /** Absent: self-signed. */
  readonly issuer?: { readonly subject: string; readonly key: TestKey };
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly extensions?: x509.Extension[];
  readonly hash?: HashName;
  /** Sign the certificate with RSASSA-PSS instead of PKCS#1 v1.5 (RSA issuers only). */
  readonly pss?: boolean;
  /** Hex; a per-file sequence when omitted. */
  readonly serialNumber?: string;
}

let serial = 1;

export async function issueCertificate(opts: IssueOptions): Promise<Uint8Array> {
  const issuer = opts.issuer ?? { subject: opts.subject, key: opts.key };
  const signer = await issuingKey(issuer.key, opts.hash ?? 'SHA-256', opts.pss ?? false);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: opts.serialNumber ?? (serial++).toString(16).padStart(4, '0'),
    subject: opts.subject,
    issuer: issuer.subject,
    notBefore: opts.notBefore ?? DATES.caFrom,
    notAfter: opts.notAfter ?? DATES.caTo,
    publicKey: opts.key.spki,
    signingKey: signer.key as never,
    signingAlgorithm: signer.alg as never,
    extensions: opts.extensions ?? [],
  });
  return new Uint8Array(cert.rawData);
}

export const DATES = {
  caFrom: new Date('2024-01-01T00:00:00Z'),
  caTo: new Date('2034-01-01T00:00:00Z'),
  leafFrom: new Date('2025-01-01T00:00:00Z'),
  leafTo: new Date('2026-01-01T00:00:00Z'),
  signedAt: new Date('2025-03-01T12:00:00Z'),
  /** The evaluation instant of most tests: inside every default validity. */
  now: new Date('2025-06-01T00:00:00Z'),
};

const KU = x509.KeyUsageFlags;
export const ext = {
  ca: (critical = true, pathLength?: number) => new x509.BasicConstraintsExtension(true, pathLength, critical),
  notCa: (critical = false) => new x509.BasicConstraintsExtension(false, undefined, critical),
  ku: (flags: number, critical = true) => new x509.KeyUsagesExtension(flags, critical),
  eku: (oids: string[], critical = false) => new x509.ExtendedKeyUsageExtension(oids, critical),
  KU,
};
export const CA_EXTENSIONS = () => [ext.ca(), ext.ku(KU.keyCertSign | KU.cRLSign)];
export const LEAF_EXTENSIONS = () => [ext.ku(KU.digitalSignature), ext.eku(['1.3.6.1.5.5.7.3.3'])];

export const LEAF_SUBJECT = 'CN=signer,O=Acme Inc.,L=Seattle,ST=WA,C=US';

export interface ChainOptions {
  readonly leafKey?: KeySpec;
  readonly caKey?: KeySpec;
  /** Intermediate CAs between leaf and root (default 1: a 3-certificate chain). */
  readonly intermediates?: number;
  readonly leafSubject?: string;
  readonly leafExtensions?: x509.Extension[];
  readonly intermediateExtensions?: x509.Extension[];
  readonly rootExtensions?: x509.Extension[];
  readonly leafNotBefore?: Date;
  readonly leafNotAfter?: Date;
  /** Key slot: different slots give unrelated chains. */
  readonly slot?: number;
}

export interface TestChain {
  /** DER, leaf first, root last. */
  readonly ders: Uint8Array[];
  readonly leafKey: TestKey;
  readonly root: X509Certificate;
  readonly leafSubject: string;
}

export async function buildChain(opts: ChainOptions = {}): Promise<TestChain> {
  const slot = opts.slot ?? 0;
  const caKey = opts.caKey ?? 'p256';
  const rootSubject = `CN=Test Root ${slot},O=Acme Inc.,ST=WA,C=US`;
  const rootKey = testKey(caKey, 100 + slot);
  const ders: Uint8Array[] = [];
  const root = await issueCertificate({
    subject: rootSubject,
    key: rootKey,
    extensions: opts.rootExtensions ?? CA_EXTENSIONS(),
  });
  let parent = { subject: rootSubject, key: rootKey };
  const cas: Uint8Array[] = [];
  for (let i = 0; i < (opts.intermediates ?? 1); i++) {
    const subject = `CN=Test Intermediate ${slot}.${i},O=Acme Inc.,ST=WA,C=US`;
    const key = testKey(caKey, 200 + slot * 10 + i);
    cas.unshift(
      await issueCertificate({
        subject,
        key,
        issuer: parent,
        extensions: opts.intermediateExtensions ?? CA_EXTENSIONS(),
      }),
    );
    parent = { subject, key };
  }
  const leafKey = testKey(opts.leafKey ?? 'p256', slot);
  const leafSubject = opts.leafSubject ?? LEAF_SUBJECT;
  const leaf = await issueCertificate({
    subject: leafSubject,
    key: leafKey,
    issuer: parent,
    notBefore: opts.leafNotBefore ?? DATES.leafFrom,
    notAfter: opts.leafNotAfter ?? DATES.leafTo,
    extensions: opts.leafExtensions ?? LEAF_EXTENSIONS(),
  });
  ders.push(leaf, ...cas, root);
  return { ders, leafKey, root: new X509Certificate(root), leafSubject };
}

// ---------------------------------------------------------------------------------------------------------------
// Envelopes

export const TARGET: Descriptor = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'ab'.repeat(32)}`,
  size: 1234,
};

const HASH_OF = {
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
};
const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 };

/** The algorithm a key spec signs with (the spec's table). */
export function algFor(spec: KeySpec): string {
  return (
    { rsa2048: 'PS256', rsa3072: 'PS384', rsa4096: 'PS512', p256: 'ES256', p384: 'ES384', p521: 'ES512' } as Record<
      string,
      string
    >
  )[spec]!;
}

/** A primitive signature as Notation makes it: PSS with salt = hash length, ECDSA as raw r||s. */
export function primitiveSign(alg: string, key: KeyObject, data: Uint8Array): Uint8Array {
  const hash = (HASH_OF as Record<string, string>)[alg] ?? 'sha256';
  if (key.asymmetricKeyType === 'ed25519') return sign(null, data, key);
  if (alg.startsWith('PS')) {
    return sign(hash, data, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: HASH_BYTES[hash as 'sha256'],
    });
  }
  if (alg.startsWith('ES')) return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
  return sign(hash, data, key);
}

export const payloadOf = (target: Descriptor = TARGET) => ({ targetArtifact: target });

export interface JwsOptions {
  readonly chain: TestChain;
  readonly alg?: string;
  /** JSON value or raw bytes. */
  readonly payload?: unknown;
  /** Merged over the default protected header; a value of `undefined` removes the key. */
  readonly protected?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  /** Change the envelope after signing (tampering). */
  readonly after?: (envelope: Record<string, unknown>) => void;
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

export function defaultProtected(alg: string): Record<string, unknown> {
  return {
    alg,
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    crit: ['io.cncf.notary.signingScheme'],
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': DATES.signedAt.toISOString().replace('.000Z', 'Z'),
  };
}

function merged(base: Record<string, unknown>, over: Record<string, unknown> = {}): Record<string, unknown> {
  const out = { ...base, ...over };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

export function jwsEnvelope(opts: JwsOptions): Uint8Array {
  const alg = opts.alg ?? algFor(opts.chain.leafKey.spec);
  const protectedB64 = b64url(JSON.stringify(merged(defaultProtected(alg), opts.protected)));
  const payload =
    opts.payload instanceof Uint8Array ? opts.payload : Buffer.from(JSON.stringify(opts.payload ?? payloadOf()));
  const payloadB64 = b64url(payload);
  const signature = primitiveSign(alg, opts.chain.leafKey.privateKey, Buffer.from(`${protectedB64}.${payloadB64}`));
  const envelope: Record<string, unknown> = {
    payload: payloadB64,
    protected: protectedB64,
    header: merged(
      {
        x5c: opts.chain.ders.map((d) => Buffer.from(d).toString('base64')),
        'io.cncf.notary.signingAgent': 'notary-gate-tests/1.0',
      },
      opts.header,
    ),
    signature: b64url(signature),
  };
  opts.after?.(envelope);
  return Buffer.from(JSON.stringify(envelope));
}

export interface CoseOptions {
  readonly chain: TestChain;
  readonly alg?: string;
  readonly payload?: unknown;
  /** Edit the protected header map before it is encoded (labels: 1 alg, 2 crit, 3 content type, text labels). */
  readonly protected?: (map: Map<number | string, unknown>, tagged: (tag: number, v: unknown) => unknown) => void;
  readonly unprotected?: (map: Map<number | string, unknown>) => void;
  /** Encode without the COSE_Sign1 tag 18. */
  readonly untagged?: boolean;
  /** Replace the encoded protected-header bytes (e.g. with hand-made CBOR). */
  readonly protectedBytes?: Uint8Array;
}

const COSE_ALG: Record<string, number> = { PS256: -37, PS384: -38, PS512: -39, ES256: -7, ES384: -35, ES512: -36 };

export async function coseEnvelope(opts: CoseOptions): Promise<Uint8Array> {
  const cborg = await import('cborg');
  const tagged = (tag: number, v: unknown) => new cborg.Tagged(tag, v);
  const alg = opts.alg ?? algFor(opts.chain.leafKey.spec);
  const ph = new Map<number | string, unknown>([
    [1, COSE_ALG[alg] ?? alg],
    [2, ['io.cncf.notary.signingScheme']],
    [3, 'application/vnd.cncf.notary.payload.v1+json'],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    ['io.cncf.notary.signingTime', tagged(1, Math.floor(DATES.signedAt.getTime() / 1000))],
  ]);
  opts.protected?.(ph, tagged);
  const protectedBytes = opts.protectedBytes ?? cborg.encode(ph, { mapSorter: () => 0 } as never);
  const payload =
    opts.payload instanceof Uint8Array ? opts.payload : Buffer.from(JSON.stringify(opts.payload ?? payloadOf()));
  const toBeSigned = cborg.encode(['Signature1', protectedBytes, new Uint8Array(0), payload]);
  const signature = primitiveSign(alg, opts.chain.leafKey.privateKey, toBeSigned);
  const unprotected = new Map<number | string, unknown>([
    [33, opts.chain.ders],
    ['io.cncf.notary.signingAgent', 'notary-gate-tests/1.0'],
  ]);
  opts.unprotected?.(unprotected);
  const body = [protectedBytes, unprotected, payload, signature];
  return cborg.encode(opts.untagged ? body : tagged(18, body));
}

// ---------------------------------------------------------------------------------------------------------------
// Policy and stores

export interface StatementInput {
  readonly level?: string;
  readonly override?: Record<string, string>;
  readonly verifyTimestamp?: string;
  readonly trustStores?: string[];
  readonly trustedIdentities?: string[];
  readonly registryScopes?: string[];
}

export function statementOf(input: StatementInput = {}): TrustPolicyStatement {
  const signatureVerification: Record<string, unknown> = { level: input.level ?? 'strict' };
  if (input.override) signatureVerification.override = input.override;
  if (input.verifyTimestamp) signatureVerification.verifyTimestamp = input.verifyTimestamp;
  return parseTrustPolicy({
    version: '1.0',
    trustPolicies: [
      {
        name: 'test',
        registryScopes: input.registryScopes ?? ['*'],
        signatureVerification,
        ...(input.level === 'skip'
          ? {}
          : { trustStores: input.trustStores ?? ['ca:test'], trustedIdentities: input.trustedIdentities ?? ['*'] }),
      },
    ],
  }).trustPolicies[0]!;
}

export function storesOf(entries: Record<string, readonly (Uint8Array | X509Certificate)[]>): MemoryTrustStores {
  const stores = new MemoryTrustStores();
  for (const [key, certs] of Object.entries(entries)) {
    const [type, name] = key.split(':') as ['ca', string];
    for (const c of certs) stores.add(type, name, c instanceof X509Certificate ? c : new X509Certificate(c));
  }
  return stores;
}
