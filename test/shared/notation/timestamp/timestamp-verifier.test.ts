import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TimestampError } from '../../../../shared/notation/timestamp/errors';
import { Rfc3161TimestampVerifier } from '../../../../shared/notation/timestamp/timestamp-verifier';
import { MAX_TIMESTAMP_TOKEN_BYTES, MAX_TOKEN_CERTIFICATES } from '../../../../shared/notation/timestamp/token';
import { MAX_TSA_CHAIN_LENGTH } from '../../../../shared/notation/timestamp/tsa-chain';
import { NotationError } from '../../../../shared/notation/types';
import { describeWithOpenssl } from '../../../harness/availability';
import { BASELINE_POLICY, OpensslTsa, TEST_TSA_POLICY } from '../../../harness/openssl-tsa';
import { buildTimestampToken } from '../../../harness/timestamp-token-builder';
import {
  caExtensions,
  type IssuedCertificate,
  issueCertificate,
  OID,
  tsaExtensions,
  validity,
} from '../../../harness/x509-kit';

const verifier = new Rfc3161TimestampVerifier();

async function rejection(promise: Promise<unknown>): Promise<TimestampError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TimestampError)) throw new Error(`expected a TimestampError, got ${String(error)}`);
  expect(error).toBeInstanceOf(NotationError);
  expect(error.code).toBe('TIMESTAMP_INVALID');
  return error;
}

describeWithOpenssl('RFC 3161 timestamp verifier', () => {
  let dir: string;
  let tsa: OpensslTsa;
  // openssl stamps the real current time, so the certificates are valid around it.
  const now = Date.now();
  const signature = new Uint8Array(randomBytes(256));
  let root: IssuedCertificate;
  let intermediate: IssuedCertificate;
  let tsaLeaf: IssuedCertificate;
  let otherRoot: IssuedCertificate;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notation-tsa-'));
    tsa = await OpensslTsa.create(dir);
    root = await issueCertificate({
      subject: 'CN=Test TSA Root',
      ...validity(now, 30, 3650),
      extensions: caExtensions(),
    });
    intermediate = await issueCertificate({
      subject: 'CN=Test TSA Intermediate',
      issuer: root,
      ...validity(now, 30, 3000),
      extensions: caExtensions(0),
    });
    tsaLeaf = await issueCertificate({
      subject: 'CN=Test TSA,O=notary-gate',
      issuer: intermediate,
      ...validity(now, 10, 365),
      extensions: tsaExtensions(),
    });
    otherRoot = await issueCertificate({
      subject: 'CN=Other Root',
      ...validity(now, 30, 3650),
      extensions: caExtensions(),
    });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when an openssl TSA stamped the signature', () => {
    it('returns genTime, the stated accuracy and the TSA chain leaf to root', async () => {
      const before = Date.now();
      const tokenDer = await tsa.stamp(signature, {
        signer: tsaLeaf,
        chain: [intermediate],
        accuracy: 'secs:1, millisecs:500, microsecs:100',
      });
      const after = Date.now();
      const result = await verifier.verify({ tokenDer, signature, tsaRoots: [otherRoot.node, root.node] });
      // genTime has whole seconds (openssl's default clock precision).
      expect(result.genTimeMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(result.genTimeMs).toBeLessThanOrEqual(after);
      expect(result.accuracyMs).toBe(1501);
      expect(result.tsaChain.map((certificate) => certificate.fingerprint256)).toEqual([
        tsaLeaf.node.fingerprint256,
        intermediate.node.fingerprint256,
        root.node.fingerprint256,
      ]);
    });

    it.each(['sha384', 'sha512'] as const)(
      'checks a %s message imprint with the hash the token names',
      async (hash) => {
        const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate], hash });
        await expect(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] })).resolves.toMatchObject({
          accuracyMs: 0,
        });
      },
    );

    it('accepts a token that carries the root too', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate, root] });
      const result = await verifier.verify({ tokenDer, signature, tsaRoots: [root.node] });
      expect(result.tsaChain).toHaveLength(3);
    });
  });

  describe('when the token does not belong to the signature', () => {
    it('rejects a message imprint over other bytes', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate] });
      const other = new Uint8Array(signature);
      other[0] = (other[0] ?? 0) ^ 1;
      const error = await rejection(verifier.verify({ tokenDer, signature: other, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/message imprint does not match/);
    });

    it('rejects a token whose bytes were altered', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate] });
      const tampered = new Uint8Array(tokenDer);
      // The last bytes are the ECDSA signature's s value.
      tampered[tampered.length - 2] = (tampered[tampered.length - 2] ?? 0) ^ 0x01;
      await rejection(verifier.verify({ tokenDer: tampered, signature, tsaRoots: [root.node] }));
    });
  });

  describe('when the TSA is not trusted', () => {
    it('rejects a TSA whose chain ends at another root', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate] });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [otherRoot.node] }));
      expect(error.reason).toMatch(/does not chain to a certificate of the tsa trust store/);
    });

    it('rejects a token that lacks the intermediate the chain needs', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/does not chain/);
    });

    it('refuses a tsa store that holds a certificate other than a root CA', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate] });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [intermediate.node] }));
      expect(error.reason).toMatch(/Test TSA Intermediate.*is not a root CA/);
    });

    it('refuses an empty tsa store', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate] });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [] }));
      expect(error.reason).toMatch(/tsa trust store is empty/);
    });
  });

  describe('the TSA certificate requirements', () => {
    async function tsaWith(extensions: Parameters<typeof tsaExtensions>[0]): Promise<IssuedCertificate> {
      return issueCertificate({
        subject: 'CN=Odd TSA',
        issuer: intermediate,
        ...validity(now, 10, 365),
        extensions: tsaExtensions(extensions),
      });
    }

    it('builds tokens openssl itself verifies (the builder the next cases use is honest)', async () => {
      const tokenDer = await buildTimestampToken({
        signer: tsaLeaf,
        extraCertificates: [intermediate],
        imprintOf: signature,
        genTime: new Date(now),
        policy: TEST_TSA_POLICY,
      });
      await expect(tsa.opensslVerifies(tokenDer, signature, root)).resolves.toBe(true);
      await expect(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] })).resolves.toMatchObject({
        genTimeMs: Math.floor(now / 1000) * 1000 + (now % 1000),
      });
    });

    it('rejects a TSA whose extendedKeyUsage is not critical', async () => {
      const signer = await tsaWith({ ekuCritical: false });
      const tokenDer = await buildTimestampToken({
        signer,
        extraCertificates: [intermediate],
        imprintOf: signature,
        genTime: new Date(now),
        policy: TEST_TSA_POLICY,
      });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/extended key usage is not critical \(RFC 3161 requires it\)/);
    });

    it('rejects a TSA with a second extended key usage besides timeStamping', async () => {
      const signer = await tsaWith({ eku: [OID.timeStamping, OID.codeSigning] });
      const tokenDer = await buildTimestampToken({
        signer,
        extraCertificates: [intermediate],
        imprintOf: signature,
        genTime: new Date(now),
        policy: TEST_TSA_POLICY,
      });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/extended key usage must be timeStamping only/);
    });

    it('rejects a TSA without a keyUsage extension (openssl signs with it, Notation does not accept it)', async () => {
      const signer = await tsaWith({ keyUsage: false });
      const tokenDer = await tsa.stamp(signature, { signer, chain: [intermediate] });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/has no keyUsage extension/);
    });

    it('rejects a TSA certificate that was not valid at genTime', async () => {
      const tokenDer = await buildTimestampToken({
        signer: tsaLeaf,
        extraCertificates: [intermediate],
        imprintOf: signature,
        genTime: new Date(now - 20 * 86_400_000),
        policy: TEST_TSA_POLICY,
      });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/Test TSA.*is not valid at the timestamp's time/);
    });
  });

  describe('signing-certificate-v2', () => {
    it('rejects a token with only the v1 (SHA-1) signing-certificate attribute', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate], essCertIdAlg: 'sha1' });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/only a signing-certificate \(v1, SHA-1\) attribute/);
    });

    it('rejects a token with no signing-certificate attribute at all', async () => {
      const tokenDer = await buildTimestampToken({
        signer: tsaLeaf,
        extraCertificates: [intermediate],
        imprintOf: signature,
        genTime: new Date(now),
        policy: TEST_TSA_POLICY,
        signingCertificateV2: false,
      });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/no signing-certificate-v2 attribute/);
    });
  });

  describe('accuracy', () => {
    it('is 0 when the token states none under an ordinary policy', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate] });
      await expect(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] })).resolves.toMatchObject({
        accuracyMs: 0,
      });
    });

    it('is 1 s when the token states none under the baseline policy 0.4.0.2023.1.1', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate], policy: BASELINE_POLICY });
      await expect(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] })).resolves.toMatchObject({
        accuracyMs: 1000,
      });
    });

    it('is the stated accuracy under the baseline policy too', async () => {
      const tokenDer = await tsa.stamp(signature, {
        signer: tsaLeaf,
        chain: [intermediate],
        policy: BASELINE_POLICY,
        accuracy: 'secs:3',
      });
      await expect(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] })).resolves.toMatchObject({
        accuracyMs: 3000,
      });
    });

    it('rounds microseconds up to a whole millisecond', async () => {
      const tokenDer = await buildTimestampToken({
        signer: tsaLeaf,
        extraCertificates: [intermediate],
        imprintOf: signature,
        genTime: new Date(now),
        policy: BASELINE_POLICY,
        accuracy: { micros: 1 },
      });
      await expect(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] })).resolves.toMatchObject({
        accuracyMs: 1,
      });
    });
  });

  describe('TSTInfo', () => {
    it('rejects a version other than 1', async () => {
      const tokenDer = await buildTimestampToken({
        signer: tsaLeaf,
        extraCertificates: [intermediate],
        imprintOf: signature,
        genTime: new Date(now),
        policy: TEST_TSA_POLICY,
        version: 2,
      });
      const error = await rejection(verifier.verify({ tokenDer, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/TSTInfo version is 2, not 1/);
    });
  });

  describe('bounds', () => {
    it(`parses a token of ${MAX_TIMESTAMP_TOKEN_BYTES} bytes and refuses one byte more unread`, async () => {
      const atBound = await rejection(
        verifier.verify({ tokenDer: new Uint8Array(MAX_TIMESTAMP_TOKEN_BYTES), signature, tsaRoots: [root.node] }),
      );
      expect(atBound.reason).toMatch(/not a CMS SignedData/);
      const past = await rejection(
        verifier.verify({ tokenDer: new Uint8Array(MAX_TIMESTAMP_TOKEN_BYTES + 1), signature, tsaRoots: [root.node] }),
      );
      expect(past.reason).toMatch(new RegExp(`more than ${MAX_TIMESTAMP_TOKEN_BYTES}`));
    });

    it(`accepts ${MAX_TOKEN_CERTIFICATES} certificates in a token and refuses one more`, async () => {
      const padding = (count: number) => [intermediate, ...Array.from({ length: count }, () => otherRoot)];
      const atBound = await buildTimestampToken({
        signer: tsaLeaf,
        extraCertificates: padding(MAX_TOKEN_CERTIFICATES - 2),
        imprintOf: signature,
        genTime: new Date(now),
        policy: TEST_TSA_POLICY,
      });
      await expect(verifier.verify({ tokenDer: atBound, signature, tsaRoots: [root.node] })).resolves.toBeDefined();
      const past = await buildTimestampToken({
        signer: tsaLeaf,
        extraCertificates: padding(MAX_TOKEN_CERTIFICATES - 1),
        imprintOf: signature,
        genTime: new Date(now),
        policy: TEST_TSA_POLICY,
      });
      const error = await rejection(verifier.verify({ tokenDer: past, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(new RegExp(`carries ${MAX_TOKEN_CERTIFICATES + 1} certificates`));
    });

    it(`follows a TSA chain of ${MAX_TSA_CHAIN_LENGTH} certificates and refuses a longer one`, async () => {
      // root -> CA 1 -> ... -> CA n -> TSA leaf, so the chain has n + 2 certificates.
      async function chainOf(length: number) {
        const cas: IssuedCertificate[] = [];
        let issuer = root;
        for (let index = 1; index <= length - 2; index++) {
          issuer = await issueCertificate({
            subject: `CN=Ladder CA ${index}`,
            issuer,
            ...validity(now, 30, 3000),
            extensions: caExtensions(),
          });
          cas.push(issuer);
        }
        const leaf = await issueCertificate({
          subject: 'CN=Ladder TSA',
          issuer,
          ...validity(now, 10, 365),
          extensions: tsaExtensions(),
        });
        return buildTimestampToken({
          signer: leaf,
          extraCertificates: cas,
          imprintOf: signature,
          genTime: new Date(now),
          policy: TEST_TSA_POLICY,
        });
      }
      const atBound = await verifier.verify({
        tokenDer: await chainOf(MAX_TSA_CHAIN_LENGTH),
        signature,
        tsaRoots: [root.node],
      });
      expect(atBound.tsaChain).toHaveLength(MAX_TSA_CHAIN_LENGTH);
      const error = await rejection(
        verifier.verify({ tokenDer: await chainOf(MAX_TSA_CHAIN_LENGTH + 1), signature, tsaRoots: [root.node] }),
      );
      expect(error.reason).toMatch(new RegExp(`longer than ${MAX_TSA_CHAIN_LENGTH} certificates`));
    });

    it('refuses bytes after the token', async () => {
      const tokenDer = await tsa.stamp(signature, { signer: tsaLeaf, chain: [intermediate] });
      const padded = new Uint8Array([...tokenDer, 0]);
      const error = await rejection(verifier.verify({ tokenDer: padded, signature, tsaRoots: [root.node] }));
      expect(error.reason).toMatch(/bytes follow the ContentInfo/);
    });
  });
});
