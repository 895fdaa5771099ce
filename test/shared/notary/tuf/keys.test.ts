import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrustError } from '../../../../shared/errors';
import { canonicalBytes } from '../../../../shared/notary/tuf/canonical-json';
import {
  fingerprintOf,
  keyIdOf,
  parseTufKey,
  pinnedKeyFingerprint,
  type TufKeyJson,
  verifySignature,
} from '../../../../shared/notary/tuf/keys';
import { trustErrorOf } from './support/expect';
import { makeKey, signBytes } from './support/keys';

const FIXTURE = join(__dirname, '../../../fixtures/notary/tuf-local-ed25519/root.json');

describe('TUF keys', () => {
  describe('key IDs', () => {
    it('are the sha256 of the canonical public key object, as notary computes them', () => {
      const root = JSON.parse(readFileSync(FIXTURE, 'utf8'));
      const keys = Object.entries(root.signed.keys as Record<string, TufKeyJson>);
      expect(keys.length).toBeGreaterThanOrEqual(4);
      for (const [id, key] of keys) expect(keyIdOf(key)).toBe(id);
    });

    it('ignore a private part, which never belongs in public metadata', () => {
      const key = makeKey('ecdsa');
      expect(keyIdOf({ keytype: 'ecdsa', keyval: { ...key.json.keyval, private: 'c2VjcmV0' } as never })).toBe(key.id);
    });
  });

  describe('parsing', () => {
    it.each(['ecdsa', 'ecdsa-x509', 'rsa', 'rsa-x509', 'ed25519'] as const)('reads %s keys', (type) => {
      const key = makeKey(type, { commonName: 'docker.io/acme/app' });
      const parsed = parseTufKey(key.json);
      expect(parsed.id).toBe(key.id);
      expect(parsed.keyType).toBe(type);
      expect(parsed.fingerprint).toBe(pinnedKeyFingerprint(key.publicPem));
      expect(parsed.certificate?.commonName).toBe(type.endsWith('-x509') ? 'docker.io/acme/app' : undefined);
    });

    it('refuses an unknown key type', () => {
      expect(() => parseTufKey({ keytype: 'dsa', keyval: { public: 'AAAA' } })).toThrow(/unsupported key type/);
    });

    it('refuses a key whose type does not match the key it holds', () => {
      const ed = makeKey('ed25519');
      const ecdsa = makeKey('ecdsa');
      expect(() => parseTufKey({ keytype: 'rsa', keyval: ecdsa.json.keyval })).toThrow(TrustError);
      expect(() => parseTufKey({ keytype: 'ecdsa', keyval: ed.json.keyval })).toThrow(TrustError);
    });

    it('refuses RSA keys shorter than 2048 bits, as notary does', () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      expect(() => parseTufKey({ keytype: 'rsa', keyval: { public: der } })).toThrow(/2048/);
    });

    it('refuses base64 that Go would not read the same way', () => {
      const key = makeKey('ecdsa');
      const unpadded = key.json.keyval.public.replace(/=+$/, '');
      expect(() => parseTufKey({ keytype: 'ecdsa', keyval: { public: `${unpadded}` } })).toThrow(/base64/);
    });
  });

  describe('pinned keys', () => {
    it('match the same public key given as a PEM key or inside its certificate', () => {
      const key = makeKey('ecdsa-x509', { commonName: 'docker.io/acme/app' });
      expect(pinnedKeyFingerprint(key.certificatePem!)).toBe(pinnedKeyFingerprint(key.publicPem));
      expect(pinnedKeyFingerprint(key.publicPem)).toBe(fingerprintOf(parseTufKey(key.json).publicKey));
    });

    it('refuse text that is no key', () => {
      expect(trustErrorOf(() => pinnedKeyFingerprint('not a key')).code).toBe('ROOT_UNTRUSTED');
    });
  });

  describe('signatures', () => {
    const message = canonicalBytes({ _type: 'Targets', version: 1 });
    const cases = [
      ['ecdsa', 'ecdsa'],
      ['ecdsa-x509', 'ecdsa'],
      ['ecdsa', 'ecdsa-der'],
      ['rsa', 'rsapss'],
      ['rsa-x509', 'rsapss'],
      ['rsa', 'rsapkcs1v15'],
      ['ed25519', 'eddsa'],
    ] as const;

    it.each(cases)('verify a %s key signing with %s', (type, signingMethod) => {
      const key = makeKey(type, { commonName: 'docker.io/acme/app' });
      const parsed = parseTufKey(key.json);
      const method = signingMethod === 'ecdsa-der' ? 'ecdsa' : signingMethod;
      const signature = signBytes(key, message, signingMethod);
      expect(verifySignature(parsed, method, signature, message)).toBe(true);
      expect(verifySignature(parsed, method.toUpperCase(), signature, message)).toBe(true);
      expect(verifySignature(parsed, method, signature, Buffer.concat([message, Buffer.from(' ')]))).toBe(false);
    });

    it('fail for another key of the same type', () => {
      const signer = makeKey('ecdsa');
      const other = parseTufKey(makeKey('ecdsa').json);
      expect(verifySignature(other, 'ecdsa', signBytes(signer, message), message)).toBe(false);
    });

    it('fail when the method does not fit the key', () => {
      const ed = makeKey('ed25519');
      const rsa = makeKey('rsa');
      expect(verifySignature(parseTufKey(ed.json), 'ecdsa', signBytes(ed, message), message)).toBe(false);
      expect(verifySignature(parseTufKey(rsa.json), 'rsapkcs1v15', signBytes(rsa, message, 'rsapss'), message)).toBe(
        false,
      );
    });

    it('fail for unknown methods and for signatures that are not base64', () => {
      const key = makeKey('ecdsa');
      const parsed = parseTufKey(key.json);
      expect(verifySignature(parsed, 'pycrypto-pkcs#1 pss', signBytes(key, message), message)).toBe(false);
      expect(verifySignature(parsed, 'ecdsa', '!!not base64!!', message)).toBe(false);
      expect(verifySignature(parsed, 'ecdsa', Buffer.from('garbage').toString('base64'), message)).toBe(false);
    });
  });
});
