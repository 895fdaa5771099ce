import { MemoryStore } from '../../../shared/cache/memory-store';
import { TieredTrustCache } from '../../../shared/cache/trust-cache';
import type { TrustCache } from '../../../shared/cache/trust-cache-types';
import { parseReference } from '../../../shared/image/reference';
import { NotaryVerifier, trustCacheKey } from '../../../shared/notary/verifier';
import { freePortUrl } from '../../harness/fake-server';
import { notaryRule } from '../../harness/verifier-kit';

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
    const base = { server: 'https://notary.example.com/', ca: undefined, delegations: undefined, auth: undefined };

    it('separates trust on first use from pinned keys, and one pin set from another', () => {
      const tofu = trustCacheKey({ ...base, rootKeys: [] }, 'docker.io/library/alpine');
      const pinnedA = trustCacheKey({ ...base, rootKeys: ['KEY A'] }, 'docker.io/library/alpine');
      const pinnedB = trustCacheKey({ ...base, rootKeys: ['KEY B'] }, 'docker.io/library/alpine');
      expect(tofu).toBe('notary-v1#https://notary.example.com#docker.io/library/alpine#tofu');
      expect(new Set([tofu, pinnedA, pinnedB]).size).toBe(3);
    });

    it('does not depend on the order or surrounding whitespace of pinned keys', () => {
      expect(trustCacheKey({ ...base, rootKeys: ['A', ' B\n'] }, 'g')).toBe(
        trustCacheKey({ ...base, rootKeys: ['B', 'A'] }, 'g'),
      );
    });
  });

  describe('when the store cannot be read', () => {
    it('fails closed with NOTARY_ERROR instead of trusting whatever root the server sends', async () => {
      const broken = new MemoryStore();
      broken.get = () => Promise.reject(new Error('DynamoDB unavailable'));
      const verifier = new NotaryVerifier({ cache: new TieredTrustCache({ store: new MemoryStore() }), store: broken });
      const verdict = await verifier.verify(IMAGE, notaryRule({ server: await freePortUrl() }), ctx());
      expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_ERROR' });
      expect(verdict.reason).toMatch(/remembered root/);
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
