import { execFileSync } from 'node:child_process';
import { constants, generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyType, keyIdOf, type TufKeyJson } from '../../../../../shared/notary/tuf/keys';

/** A key made for a test: its TUF form, its ID, and a way to sign. */
export interface TestKey {
  readonly type: KeyType;
  readonly json: TufKeyJson;
  readonly id: string;
  readonly privateKey: KeyObject;
  /** PEM SubjectPublicKeyInfo (what a user may pin). */
  readonly publicPem: string;
  /** For -x509 keys: the certificate (PEM), also pinnable. */
  readonly certificatePem?: string;
  /** The signature method notary uses with this key type. */
  readonly method: string;
}

export interface CertificateOptions {
  /** Subject CN; default: the GUN the test uses. */
  readonly commonName: string;
  readonly days?: number;
  readonly ca?: boolean;
}

const DEFAULT_METHOD: Record<KeyType, string> = {
  ecdsa: 'ecdsa',
  'ecdsa-x509': 'ecdsa',
  rsa: 'rsapss',
  'rsa-x509': 'rsapss',
  ed25519: 'eddsa',
};

/** Generates a key of the given TUF type with node crypto (and openssl for the certificate of -x509 types). */
export function makeKey(type: KeyType, certificate?: CertificateOptions): TestKey {
  const { privateKey, publicKey } = generatePair(type);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let certificatePem: string | undefined;
  let publicField: string;
  if (type.endsWith('-x509')) {
    certificatePem = selfSignedCertificate(privateKey, certificate ?? { commonName: 'docker.io/test/app' });
    publicField = Buffer.from(certificatePem).toString('base64');
  } else if (type === 'ed25519') {
    // notary stores the raw 32 bytes: the tail of the DER SPKI
    publicField = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
  } else {
    publicField = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }
  const json: TufKeyJson & { keyval: { private: null } } = {
    keytype: type,
    keyval: { private: null, public: publicField },
  };
  return { type, json, id: keyIdOf(json), privateKey, publicPem, certificatePem, method: DEFAULT_METHOD[type] };
}

/** Signs bytes as notary does for the method: sha256, raw r||s for ECDSA, PSS salt = 32 for RSA. */
export function signBytes(key: TestKey, bytes: Uint8Array, method = key.method): string {
  switch (method) {
    case 'ecdsa':
      return sign('sha256', bytes, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64');
    case 'ecdsa-der':
      return sign('sha256', bytes, { key: key.privateKey, dsaEncoding: 'der' }).toString('base64');
    case 'rsapss':
      return sign('sha256', bytes, {
        key: key.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }).toString('base64');
    case 'rsapkcs1v15':
      return sign('sha256', bytes, { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString('base64');
    case 'eddsa':
      return sign(null, bytes, key.privateKey).toString('base64');
    default:
      throw new Error(`test helper cannot sign with ${method}`);
  }
}

/** notBefore/notAfter of a key's certificate, in epoch ms. */
export function certificateWindow(key: TestKey): { notBeforeMs: number; notAfterMs: number } {
  const certificate = new X509Certificate(key.certificatePem!);
  return { notBeforeMs: Date.parse(certificate.validFrom), notAfterMs: Date.parse(certificate.validTo) };
}

function generatePair(type: KeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  if (type.startsWith('ecdsa')) return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (type.startsWith('rsa')) return generateKeyPairSync('rsa', { modulusLength: 2048 });
  return generateKeyPairSync('ed25519');
}

/** A self-signed certificate made by openssl (node cannot issue certificates). Leaf (CA:FALSE) unless `ca`. */
function selfSignedCertificate(privateKey: KeyObject, options: CertificateOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'tuf-test-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const configFile = join(dir, 'req.cnf');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(
      configFile,
      [
        '[req]',
        'distinguished_name = dn',
        'x509_extensions = ext',
        'prompt = no',
        '[dn]',
        `CN = ${options.commonName}`,
        '[ext]',
        `basicConstraints = critical,CA:${options.ca ? 'TRUE' : 'FALSE'}`,
        '',
      ].join('\n'),
    );
    return execFileSync(
      'openssl',
      ['req', '-new', '-x509', '-key', keyFile, '-config', configFile, '-days', String(options.days ?? 3650)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
