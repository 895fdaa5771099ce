/**
 * Integrity failures (NOTATION.md section 8, "Envelope/integrity"): every one denies with SIGNATURE_INVALID at every
 * level but skip (here: audit, the loosest level that still verifies), except a payload for another artifact,
 * which is DIGEST_MISMATCH.
 */
import { Buffer } from 'node:buffer';
import { constants, sign } from 'node:crypto';
import { MEDIA_TYPE } from '../../../shared/notation/media-types';
import { type SignatureVerifyInput, verifySignature } from '../../../shared/notation/verify/verify-signature';
import {
  buildChain,
  coseEnvelope,
  DATES,
  jwsEnvelope,
  payloadOf,
  statementOf,
  storesOf,
  TARGET,
  type TestChain,
} from '../../harness/notation-kit';

let chain: TestChain;
let rsaChain: TestChain;
beforeAll(async () => {
  chain = await buildChain({ leafKey: 'p256' });
  rsaChain = await buildChain({ leafKey: 'rsa2048', caKey: 'rsa2048', slot: 1 });
});

async function verdict(envelope: Uint8Array, mediaType: string = MEDIA_TYPE.jws, c: TestChain = chain) {
  const input: SignatureVerifyInput = {
    descriptor: TARGET,
    envelope,
    envelopeMediaType: mediaType,
    statement: statementOf({ level: 'audit' }),
    stores: storesOf({ 'ca:test': [c.root] }),
    nowMs: DATES.now.getTime(),
    signal: new AbortController().signal,
    revocation: { check: async () => ({ status: 'ok' }) },
  };
  return verifySignature(input);
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const fromB64url = (s: unknown) => JSON.parse(Buffer.from(s as string, 'base64url').toString());

async function expectInvalid(envelope: Uint8Array, reason: RegExp, mediaType: string = MEDIA_TYPE.jws, c = chain) {
  const outcome = await verdict(envelope, mediaType, c);
  expect(outcome).toMatchObject({ verified: false, code: 'SIGNATURE_INVALID', check: 'integrity' });
  if (!outcome.verified) expect(outcome.reason).toMatch(reason);
}

describe('JWS envelopes', () => {
  it('pass untouched (the control for every case below)', async () => {
    expect(await verdict(jwsEnvelope({ chain }))).toMatchObject({ verified: true });
  });

  describe('when tampered', () => {
    it.each([
      ['payload', (e: Record<string, unknown>) => (e.payload = b64url(payloadOf({ ...TARGET, size: 1 })))],
      [
        'protected header',
        (e: Record<string, unknown>) => (e.protected = b64url({ ...fromB64url(e.protected), x: 1 })),
      ],
      [
        'signature',
        (e: Record<string, unknown>) => {
          const sig = Buffer.from(e.signature as string, 'base64url');
          sig[5]! ^= 1;
          e.signature = sig.toString('base64url');
        },
      ],
    ])('rejects a changed %s', async (_what, after) => {
      await expectInvalid(jwsEnvelope({ chain, after }), /does not verify/);
    });
  });

  describe('algorithms', () => {
    it('rejects ES384 on a P-256 key and PS384 on RSA-2048', async () => {
      await expectInvalid(jwsEnvelope({ chain, alg: 'ES384' }), /requires ES256/);
      await expectInvalid(jwsEnvelope({ chain: rsaChain, alg: 'PS384' }), /requires PS256/, MEDIA_TYPE.jws, rsaChain);
    });
    it.each(['none', 'HS256', 'RS256', 'EdDSA'])('rejects alg %s', async (alg) => {
      await expectInvalid(jwsEnvelope({ chain, protected: { alg } }), /not one of/);
    });
    it('accepts a PSS salt other than the hash length (verified with salt auto, as notation does)', async () => {
      const envelope = jwsEnvelope({
        chain: rsaChain,
        after: (e) => {
          const data = Buffer.from(`${e.protected}.${e.payload}`);
          e.signature = sign('sha256', data, {
            key: rsaChain.leafKey.privateKey,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: 64,
          }).toString('base64url');
        },
      });
      expect(await verdict(envelope, MEDIA_TYPE.jws, rsaChain)).toMatchObject({ verified: true });
    });
  });

  describe('content type and crit', () => {
    it('rejects a missing or wrong cty', async () => {
      await expectInvalid(jwsEnvelope({ chain, protected: { cty: undefined } }), /content type/);
      await expectInvalid(jwsEnvelope({ chain, protected: { cty: 'application/json' } }), /content type/);
    });
    it('rejects a missing crit, one without the signing scheme, one naming an absent header', async () => {
      await expectInvalid(jwsEnvelope({ chain, protected: { crit: undefined } }), /crit/);
      await expectInvalid(jwsEnvelope({ chain, protected: { crit: [] } }), /crit/);
      await expectInvalid(
        jwsEnvelope({
          chain,
          protected: { crit: ['io.cncf.notary.expiry'], 'io.cncf.notary.expiry': '2030-01-01T00:00:00Z' },
        }),
        /signingScheme must be listed/,
      );
      await expectInvalid(
        jwsEnvelope({ chain, protected: { crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'] } }),
        /lacks/,
      );
    });
    it('rejects crit naming the JWS header alg', async () => {
      await expectInvalid(
        jwsEnvelope({ chain, protected: { crit: ['io.cncf.notary.signingScheme', 'alg'] } }),
        /own header/,
      );
    });
    it('rejects an expiry that is not critical', async () => {
      await expectInvalid(
        jwsEnvelope({ chain, protected: { 'io.cncf.notary.expiry': '2030-01-01T00:00:00Z' } }),
        /expiry must/,
      );
    });
  });

  describe('signing schemes and times', () => {
    const sa = {
      'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
      'io.cncf.notary.signingTime': undefined,
      'io.cncf.notary.authenticSigningTime': '2025-03-01T12:00:00Z',
      crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime'],
    };
    it('rejects an unknown scheme', async () => {
      await expectInvalid(
        jwsEnvelope({ chain, protected: { 'io.cncf.notary.signingScheme': 'notary.pgp' } }),
        /scheme/,
      );
    });
    it('rejects signingTime with the signingAuthority scheme', async () => {
      await expectInvalid(
        jwsEnvelope({ chain, protected: { ...sa, 'io.cncf.notary.signingTime': '2025-03-01T12:00:00Z' } }),
        /signingTime is not allowed/,
      );
    });
    it('rejects authenticSigningTime with the x509 scheme', async () => {
      await expectInvalid(
        jwsEnvelope({ chain, protected: { 'io.cncf.notary.authenticSigningTime': '2025-03-01T12:00:00Z' } }),
        /authenticSigningTime is not allowed/,
      );
    });
    it('rejects authenticSigningTime that is not critical', async () => {
      await expectInvalid(
        jwsEnvelope({ chain, protected: { ...sa, crit: ['io.cncf.notary.signingScheme'] } }),
        /must be listed/,
      );
    });
    it('rejects a missing signing time and a time that is not RFC 3339', async () => {
      await expectInvalid(jwsEnvelope({ chain, protected: { 'io.cncf.notary.signingTime': undefined } }), /missing/);
      await expectInvalid(
        jwsEnvelope({ chain, protected: { 'io.cncf.notary.signingTime': '2025-03-01 12:00' } }),
        /RFC 3339/,
      );
      await expectInvalid(jwsEnvelope({ chain, protected: { 'io.cncf.notary.signingTime': 1740830400 } }), /RFC 3339/);
    });
    it('rejects an expiry at or before the signing time', async () => {
      const crit = ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'];
      await expectInvalid(
        jwsEnvelope({ chain, protected: { crit, 'io.cncf.notary.expiry': '2025-03-01T12:00:00Z' } }),
        /not after/,
      );
    });
  });

  describe('extended attributes', () => {
    it('rejects an unknown critical attribute (the spec; notation-go does not check this)', async () => {
      await expectInvalid(
        jwsEnvelope({
          chain,
          protected: { crit: ['io.cncf.notary.signingScheme', 'acme.policy'], 'acme.policy': 'x' },
        }),
        /critical attribute acme.policy/,
      );
    });
    it('ignores an unknown attribute that is not critical', async () => {
      expect(await verdict(jwsEnvelope({ chain, protected: { 'acme.note': 'hello' } }))).toMatchObject({
        verified: true,
      });
    });
  });

  describe('serialization', () => {
    it('rejects the compact serialization', async () => {
      await expectInvalid(Buffer.from('eyJhbGciOiJFUzI1NiJ9.e30.c2ln'), /not UTF-8 JSON/);
    });
    it('rejects the general serialization', async () => {
      const flat = JSON.parse(Buffer.from(jwsEnvelope({ chain })).toString());
      const general = {
        payload: flat.payload,
        signatures: [{ protected: flat.protected, header: flat.header, signature: flat.signature }],
      };
      await expectInvalid(Buffer.from(JSON.stringify(general)), /general JSON serialization/);
    });
    it('rejects base64 where base64url is required and bad x5c base64', async () => {
      await expectInvalid(jwsEnvelope({ chain, after: (e) => (e.payload = `${e.payload}=`) }), /base64url/);
      await expectInvalid(jwsEnvelope({ chain, header: { x5c: ['not base64!'] } }), /x5c\[0\]/);
    });
    it('rejects an empty x5c and an empty signature', async () => {
      await expectInvalid(jwsEnvelope({ chain, header: { x5c: [] } }), /x5c/);
      await expectInvalid(jwsEnvelope({ chain, after: (e) => (e.signature = '') }), /signature/);
    });
    it('rejects unexpected top-level members', async () => {
      await expectInvalid(jwsEnvelope({ chain, after: (e) => (e.extra = 1) }), /unexpected member/);
    });
  });

  describe('payload', () => {
    it('rejects a payload that is not JSON or lacks targetArtifact', async () => {
      await expectInvalid(jwsEnvelope({ chain, payload: Buffer.from('not json') }), /not UTF-8 JSON/);
      await expectInvalid(jwsEnvelope({ chain, payload: { subject: TARGET } }), /targetArtifact/);
      await expectInvalid(jwsEnvelope({ chain, payload: payloadOf({ ...TARGET, size: -1 }) }), /size/);
    });
    it.each([
      ['digest', { digest: `sha256:${'cd'.repeat(32)}` }],
      ['size', { size: 1235 }],
      ['mediaType (Docker vs OCI)', { mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }],
    ])('denies a signed %s that is not the image with DIGEST_MISMATCH', async (_field, change) => {
      const outcome = await verdict(jwsEnvelope({ chain, payload: payloadOf({ ...TARGET, ...change }) }));
      expect(outcome).toMatchObject({ verified: false, code: 'DIGEST_MISMATCH' });
    });
  });

  it('rejects an envelope media type that is neither JWS nor COSE', async () => {
    await expectInvalid(jwsEnvelope({ chain }), /media type/, 'application/json');
  });
});

describe('COSE envelopes', () => {
  it('pass untouched', async () => {
    expect(await verdict(await coseEnvelope({ chain }), MEDIA_TYPE.cose)).toMatchObject({ verified: true });
  });
  it('pass with an RSA key (PSS, salt = hash length)', async () => {
    expect(await verdict(await coseEnvelope({ chain: rsaChain }), MEDIA_TYPE.cose, rsaChain)).toMatchObject({
      verified: true,
    });
  });
  it('rejects an untagged COSE_Sign1', async () => {
    await expectInvalid(await coseEnvelope({ chain, untagged: true }), /tag 18/, MEDIA_TYPE.cose);
  });
  it('rejects a signing time that is not tag 1', async () => {
    const envelope = await coseEnvelope({
      chain,
      protected: (m) => m.set('io.cncf.notary.signingTime', Math.floor(DATES.signedAt.getTime() / 1000)),
    });
    await expectInvalid(envelope, /tag 1/, MEDIA_TYPE.cose);
    const asText = await coseEnvelope({
      chain,
      protected: (m, t) => m.set('io.cncf.notary.signingTime', t(0, '2025-03-01T12:00:00Z')),
    });
    await expectInvalid(asText, /not strict CBOR|tag 1/, MEDIA_TYPE.cose);
  });
  it('rejects duplicate map keys in the protected header', async () => {
    const cborg = await import('cborg');
    // A map of 2 entries, both label 1: hand-made, since encoders refuse to write it.
    const dup = Buffer.concat([
      Buffer.from([0xa2]),
      cborg.encode(1),
      cborg.encode(-7),
      cborg.encode(1),
      cborg.encode(-7),
    ]);
    await expectInvalid(await coseEnvelope({ chain, protectedBytes: dup }), /repeat map key/, MEDIA_TYPE.cose);
  });
  it('rejects a missing or non-array x5chain', async () => {
    await expectInvalid(await coseEnvelope({ chain, unprotected: (m) => m.delete(33) }), /x5chain/, MEDIA_TYPE.cose);
    await expectInvalid(
      await coseEnvelope({ chain, unprotected: (m) => m.set(33, chain.ders[0]) }),
      /x5chain/,
      MEDIA_TYPE.cose,
    );
  });
  it('rejects a tampered payload and a changed algorithm', async () => {
    const cborg = await import('cborg');
    const good = await coseEnvelope({ chain });
    const decoded = cborg.decode(good, { useMaps: true, tags: cborg.Tagged.preserve(18) }) as InstanceType<
      typeof cborg.Tagged
    >;
    const parts = decoded.value as unknown[];
    parts[2] = Buffer.from(JSON.stringify(payloadOf({ ...TARGET, size: 9 })));
    await expectInvalid(cborg.encode(decoded), /does not verify/, MEDIA_TYPE.cose);
    await expectInvalid(
      await coseEnvelope({ chain, protected: (m) => m.set(1, -35) }),
      /requires ES256/,
      MEDIA_TYPE.cose,
    );
  });
  it('rejects indefinite-length items and unknown tags', async () => {
    const good = Buffer.from(await coseEnvelope({ chain }));
    await expectInvalid(Buffer.concat([Buffer.from([0xd9, 0x01, 0x00]), good]), /not strict CBOR/, MEDIA_TYPE.cose);
    const indefinite = Buffer.from(good);
    indefinite[1] = 0x9f; // tag 18, then an indefinite-length array
    await expectInvalid(indefinite, /not strict CBOR/, MEDIA_TYPE.cose);
  });
  it('rejects crit naming an integer label it does not understand', async () => {
    const envelope = await coseEnvelope({
      chain,
      protected: (m) => {
        m.set(2, ['io.cncf.notary.signingScheme', 99]);
        m.set(99, 'x');
      },
    });
    await expectInvalid(envelope, /not understood/, MEDIA_TYPE.cose);
  });
  it('accepts a signature over the protected bytes exactly as received', async () => {
    // Entries in a different order than a canonical encoder would write: the signature covers these bytes.
    const envelope = await coseEnvelope({
      chain,
      protected: (m) => {
        const entries = [...m.entries()].reverse();
        m.clear();
        for (const [k, v] of entries) m.set(k, v);
      },
    });
    expect(await verdict(envelope, MEDIA_TYPE.cose)).toMatchObject({ verified: true });
  });
});
