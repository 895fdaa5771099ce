/**
 * The Notary v1 verifier against a real notary-server (built-in trust service: ed25519 timestamp keys), with trust
 * data published by the real `notary` client.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../shared/cache/memory-store';
import { TieredTrustCache } from '../../shared/cache/trust-cache';
import { trustStateKeys } from '../../shared/notary/repository-client';
import { METRIC } from '../../shared/observer';
import { describeWithNotary } from '../harness/availability';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';
import { run } from '../harness/processes';
import { InterceptingTransport, notaryRule, sharedTransport, verifierKit } from '../harness/verifier-kit';

const hex = (char: string) => char.repeat(64);
const digest = (char: string) => `sha256:${hex(char)}`;
const DAY_MS = 24 * 3600 * 1000;

describeWithNotary('the Notary verifier against a real notary-server', () => {
  let notary: NotaryHarness;
  const APP = 'registry.example.com/team/app';
  const RELEASED = 'registry.example.com/team/released';
  const rule = (extra: Parameters<typeof notaryRule>[0] extends infer T ? Partial<T> : never = {}) =>
    notaryRule({ server: notary.url, ca: notary.caPem, ...extra });

  beforeAll(async () => {
    notary = await startNotary();
    await notary.seed(APP, { v1: hex('a'), v2: hex('b') });
    // `stable` is signed in both roles with different digests: docker resolves targets/releases first.
    await notary.seed(RELEASED, { stable: hex('c') });
    await notary.seed(RELEASED, { stable: hex('d'), rc: hex('e') }, { releases: true });
  }, 120_000);
  afterAll(async () => {
    await notary?.stop();
  });

  describe('signed and unsigned digests', () => {
    it('admits a digest signed for some tag', async () => {
      const verdict = await verifierKit().verify(`${APP}@${digest('a')}`, rule());
      expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', format: 'notary-v1', source: 'origin' });
    });

    it('denies a digest that no tag is signed with', async () => {
      const verdict = await verifierKit().verify(`${APP}@${digest('f')}`, rule());
      expect(verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
    });

    it('denies every image of a repository without trust data with NOT_SIGNED', async () => {
      const verdict = await verifierKit().verify(`registry.example.com/team/unknown@${digest('a')}`, rule());
      expect(verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
      expect(verdict.reason).toContain('registry.example.com/team/unknown');
    });
  });

  describe('tag semantics', () => {
    it('admits a tag with its signed digest', async () => {
      expect(await verifierKit().verify(`${APP}:v2@${digest('b')}`, rule())).toMatchObject({ allowed: true });
    });

    it("denies a tag with another tag's digest, naming the signed one", async () => {
      const verdict = await verifierKit().verify(`${APP}:v2@${digest('a')}`, rule());
      expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH', signedDigest: digest('b') });
    });

    it('asks for a digest when only a tag is given, naming the digest to pin', async () => {
      const verdict = await verifierKit().verify(`${APP}:v1`, rule());
      expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_REQUIRED', signedDigest: digest('a') });
      expect(verdict.reason).toContain(hex('a'));
    });

    it('admits a signed tag alone when the rule does not require digests', async () => {
      const verdict = await verifierKit().verify(
        `${APP}:v1`,
        notaryRule({ server: notary.url, ca: notary.caPem }, false),
      );
      expect(verdict).toMatchObject({ allowed: true });
    });
  });

  describe('the targets/releases delegation', () => {
    it('resolves a tag from targets/releases before targets, as docker does', async () => {
      expect(await verifierKit().verify(`${RELEASED}:stable@${digest('d')}`, rule())).toMatchObject({ allowed: true });
      expect(await verifierKit().verify(`${RELEASED}:stable@${digest('c')}`, rule())).toMatchObject({
        allowed: false,
        code: 'DIGEST_MISMATCH',
      });
    });

    it('counts only the required delegation when the rule names one', async () => {
      const releasesOnly = rule({ delegations: ['targets/releases'] });
      expect(await verifierKit().verify(`${RELEASED}@${digest('e')}`, releasesOnly)).toMatchObject({ allowed: true });
      // `c` is signed, but only in the top-level targets role.
      expect(await verifierKit().verify(`${RELEASED}@${digest('c')}`, releasesOnly)).toMatchObject({
        allowed: false,
      });
    });

    it('denies everything when the required delegation does not exist', async () => {
      const verdict = await verifierKit().verify(`${APP}@${digest('a')}`, rule({ delegations: ['targets/releases'] }));
      expect(verdict.allowed).toBe(false);
    });
  });

  describe('pinned root keys', () => {
    it('admits when the pinned certificate is the root key', async () => {
      const pinned = rule({ rootKeys: [await notary.rootCertPem(APP)] });
      expect(await verifierKit().verify(`${APP}@${digest('a')}`, pinned)).toMatchObject({ allowed: true });
    });

    it('denies with ROOT_UNTRUSTED when the pinned key did not sign the root', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-wrong-key-'));
      try {
        await run('openssl', [
          ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30'],
          ...[
            '-subj',
            `/CN=${APP.replaceAll('/', '\\/')}`,
            '-keyout',
            path.join(dir, 'k.pem'),
            '-out',
            path.join(dir, 'c.pem'),
          ],
        ]);
        const wrong = rule({ rootKeys: [await readFile(path.join(dir, 'c.pem'), 'utf8')] });
        expect(await verifierKit().verify(`${APP}@${digest('a')}`, wrong)).toMatchObject({
          allowed: false,
          code: 'ROOT_UNTRUSTED',
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('expiry at the evaluation instant', () => {
    it('denies with METADATA_EXPIRED once the timestamp has expired (30 days ahead)', async () => {
      const verdict = await verifierKit().verify(`${APP}@${digest('a')}`, rule(), Date.now() + 30 * DAY_MS);
      expect(verdict).toMatchObject({ allowed: false, code: 'METADATA_EXPIRED' });
    });

    it('denies with METADATA_EXPIRED years ahead', async () => {
      const verdict = await verifierKit().verify(`${APP}@${digest('a')}`, rule(), Date.now() + 20 * 365 * DAY_MS);
      expect(verdict).toMatchObject({ allowed: false, code: 'METADATA_EXPIRED' });
    });
  });

  describe('tampered bytes', () => {
    it('denies with HASH_MISMATCH when a byte of targets.json changes in transit', async () => {
      const flipping = new InterceptingTransport(sharedTransport, (request, response) => {
        if (!/\/targets(\.[0-9a-f]{64})?\.json$/.test(request.url) || response.status !== 200) return response;
        const body = Buffer.from(response.body);
        const at = body.indexOf('"expires"') + 2; // inside a string: the JSON stays well-formed
        body[at] = body[at] === 0x78 ? 0x79 : 0x78;
        return { ...response, body };
      });
      const verdict = await verifierKit({ http: flipping }).verify(`${APP}@${digest('a')}`, rule());
      expect(verdict).toMatchObject({ allowed: false, code: 'HASH_MISMATCH' });
    });
  });

  describe('rollback protection', () => {
    it('denies with ROLLBACK when the store remembers a higher timestamp version', async () => {
      const store = new MemoryStore();
      const nowMs = Date.now();
      await store.putIfNewer(trustStateKeys(notary.url, APP).versions, {
        value: { timestamp: 1_000 },
        version: 1_000,
        storedAtMs: nowMs,
        expiresAtMs: nowMs + DAY_MS,
      });
      const verdict = await verifierKit({ store }).verify(`${APP}@${digest('a')}`, rule(), nowMs);
      expect(verdict).toMatchObject({ allowed: false, code: 'ROLLBACK' });
    });

    it('remembers the versions it saw for the next cold start', async () => {
      const store = new MemoryStore();
      const nowMs = Date.now();
      await verifierKit({ store }).verify(`${APP}@${digest('a')}`, rule(), nowMs);
      const versions = await store.get<Record<string, number>>(trustStateKeys(notary.url, APP).versions, nowMs);
      expect(versions?.value.timestamp).toBeGreaterThanOrEqual(1);
      expect(versions?.value.targets).toBeGreaterThanOrEqual(1);
    });
  });

  describe('requests', () => {
    it('fetches every role in one wave of 5 requests, and nothing again while the cache is fresh', async () => {
      const counting = new InterceptingTransport(sharedTransport);
      const kit = verifierKit({ http: counting });
      await kit.verify(`${RELEASED}@${digest('e')}`, rule());
      const names = counting.urls.map((url) => url.split('/_trust/tuf/')[1]);
      expect([...names].sort()).toEqual([
        'root.json',
        'snapshot.json',
        'targets.json',
        'targets/releases.json',
        'timestamp.json',
      ]);
      expect(kit.observer.get(METRIC.originRequests)).toBe(5);
      await kit.verify(`${RELEASED}:rc@${digest('e')}`, rule());
      expect(counting.urls).toHaveLength(5);
    });
  });

  describe('trust on first use', () => {
    const TOFU = 'registry.example.com/team/tofu';

    it('trusts the first root, then refuses a new root not signed by it with ROOT_UNTRUSTED', async () => {
      await notary.seed(TOFU, { v1: hex('a') });
      const store = new MemoryStore();
      expect(await verifierKit({ store }).verify(`${TOFU}@${digest('a')}`, rule())).toMatchObject({ allowed: true });

      await notary.reinitWithNewRoot(TOFU);
      await notary.seed(TOFU, { v1: hex('a') });
      // Same store (the remembered root), an empty trust cache (its entry aged out): the server is asked again.
      const coldCache = new TieredTrustCache({ store: new MemoryStore() });
      expect(await verifierKit({ store, cache: coldCache }).verify(`${TOFU}@${digest('a')}`, rule())).toMatchObject({
        allowed: false,
        code: 'ROOT_UNTRUSTED',
      });
      // Without the memory of the first root, the new one is trusted on first use.
      expect(await verifierKit().verify(`${TOFU}@${digest('a')}`, rule())).toMatchObject({ allowed: true });
    });

    it('follows a proper root key rotation (the new root signed by the old key) and remembers the new root', async () => {
      const ROTATED = 'registry.example.com/team/rotated';
      await notary.seed(ROTATED, { v1: hex('a') });
      const store = new MemoryStore();
      expect(await verifierKit({ store }).verify(`${ROTATED}@${digest('a')}`, rule())).toMatchObject({ allowed: true });
      const rootKey = trustStateKeys(notary.url, ROTATED).root;
      expect((await store.get(rootKey, Date.now()))?.version).toBe(1);

      await notary.rotateRootKey(ROTATED);
      const coldCache = new TieredTrustCache({ store: new MemoryStore() });
      expect(await verifierKit({ store, cache: coldCache }).verify(`${ROTATED}@${digest('a')}`, rule())).toMatchObject({
        allowed: true,
      });
      expect((await store.get(rootKey, Date.now()))?.version).toBe(2);
    });
  });
});
