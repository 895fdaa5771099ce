import { MemoryStore } from '../../../shared/cache/memory-store';
import { CacheStoreUnavailableError } from '../../../shared/cache/store-errors';
import { TieredTrustCache } from '../../../shared/cache/trust-cache';
import type { TrustCache } from '../../../shared/cache/trust-cache-types';
import { parseReference } from '../../../shared/image/reference';
import { NotaryVerifier, trustCacheKey } from '../../../shared/notary/verifier';
import { freePortUrl } from '../../harness/fake-server';
import { notaryRule } from '../../harness/verifier-kit';
import { makeKey } from './tuf/support/keys';

const IMAGE = parseReference(`registry.example.com/team/app@sha256:${'a'.repeat(64)}`);
const ctx = () => ({ nowMs: Date.parse('2026-01-01T00:00:00Z'), signal: new AbortController().signal });

describe('the Notary verifier', () => {
  describe('supports', () => {
    it('handles rules with a notary section and no others', () => {
      const verifier = new NotaryVerifier({
        cache: new TieredTrustCache({ store: new MemoryStore() }),
        store: new MemoryStore(),
      });
      expect(verifier.format).toBe('notary-v1');
      expect(verifier.supports(notaryRule({ server: 'https://notary.example.com' }))).toBe(true);
      expect(verifier.supports({ ...notaryRule({ server: 'https://x' }), notary: undefined })).toBe(false);
    });
  });

  describe('the trust cache key', () => {
    const base = {
      server: 'https://notary.example.com/',
      ca: undefined,
      delegations: undefined,
      auth: undefined,
      rootKeys: [] as string[],
    };

    const keyA = makeKey('ecdsa');
    const keyB = makeKey('ecdsa-x509', { commonName: 'docker.io/library/alpine' });

    it('separates trust on first use from pinned keys, and one pin set from another', () => {
      const tofu = trustCacheKey({ ...base, rootKeys: [] }, 'docker.io/library/alpine');
      const pinnedA = trustCacheKey({ ...base, rootKeys: [keyA.publicPem] }, 'docker.io/library/alpine');
      const pinnedB = trustCacheKey({ ...base, rootKeys: [keyB.publicPem] }, 'docker.io/library/alpine');
      expect(tofu).toBe('notary-v1#https://notary.example.com#docker.io/library/alpine#tofu');
      expect(new Set([tofu, pinnedA, pinnedB]).size).toBe(3);
    });

    it('does not depend on the order, whitespace or encoding of pinned keys (a certificate pins its key)', () => {
      const key = trustCacheKey({ ...base, rootKeys: [keyA.publicPem, ` ${keyB.publicPem}\n`] }, 'g');
      expect(trustCacheKey({ ...base, rootKeys: [keyB.certificatePem!, keyA.publicPem] }, 'g')).toBe(key);
      // one entry holding both PEM blocks pins both
      expect(trustCacheKey({ ...base, rootKeys: [`${keyA.publicPem}\n${keyB.publicPem}`] }, 'g')).toBe(key);
    });

    it('gives one repository one key whatever the case of its registry host or server', () => {
      const lower = trustCacheKey(base, 'registry.example.com/team/app');
      expect(trustCacheKey({ ...base, server: 'https://NOTARY.example.com' }, 'REGISTRY.Example.com/team/app')).toBe(
        lower,
      );
      // the path keeps its case (docker refuses upper-case paths, so they never alias a real repository)
      expect(trustCacheKey(base, 'registry.example.com/Team/app')).not.toBe(lower);
    });
  });

  describe('when the store cannot be read', () => {
    it('fails closed with TRUST_STATE_UNAVAILABLE instead of trusting whatever root the server sends', async () => {
      const broken = new MemoryStore();
      broken.getStrict = () => Promise.reject(new CacheStoreUnavailableError('DynamoDB unavailable'));
      const verifier = new NotaryVerifier({ cache: new TieredTrustCache({ store: new MemoryStore() }), store: broken });
      const verdict = await verifier.verify(IMAGE, notaryRule({ server: await freePortUrl() }), ctx());
      expect(verdict).toMatchObject({ allowed: false, code: 'TRUST_STATE_UNAVAILABLE' });
      expect(verdict.reason).toMatch(/remembered root and version floors .* cannot be read/);
    });
  });

  describe('when something unexpected throws', () => {
    it('denies with INTERNAL_ERROR rather than throwing or admitting', async () => {
      const exploding: TrustCache = { getOrLoad: () => Promise.reject(new TypeError('boom')) };
      const verifier = new NotaryVerifier({ cache: exploding, store: new MemoryStore() });
      const verdict = await verifier.verify(IMAGE, notaryRule({ server: 'https://notary.example.com' }), ctx());
      expect(verdict).toMatchObject({ allowed: false, code: 'INTERNAL_ERROR', format: 'notary-v1' });
    });
  });
});
