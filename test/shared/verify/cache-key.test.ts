import { cacheKey, fingerprintOf, fingerprintOfSet } from '../../../shared/verify/cache-key';

describe('cacheKey', () => {
  it('joins format, scope, subject and settings fingerprint', () => {
    expect(cacheKey('notary-v1', 'https://notary.example.com', 'docker.io/library/alpine', 'tofu')).toBe(
      'notary-v1#https://notary.example.com#docker.io/library/alpine#tofu',
    );
  });

  it('keeps tuples apart when a part holds the separator', () => {
    const a = cacheKey('f', 'scope#x', 'subject', 'fp');
    const b = cacheKey('f', 'scope', 'x#subject', 'fp');
    expect(a).not.toBe(b);
    expect(a).toBe('f#scope%23x#subject#fp');
    // An escaped-looking part stays distinct from the separator it could imitate.
    expect(cacheKey('f', 'scope%23x', 'subject', 'fp')).not.toBe(a);
  });

  it('separates data verified under different settings', () => {
    expect(cacheKey('notation', 'registry.example.com', 'team/app', fingerprintOfSet(['CERT A']))).not.toBe(
      cacheKey('notation', 'registry.example.com', 'team/app', fingerprintOfSet(['CERT B'])),
    );
  });
});

describe('fingerprints', () => {
  it('of a set ignore order and surrounding whitespace', () => {
    expect(fingerprintOfSet(['A', ' B\n'])).toBe(fingerprintOfSet(['B', 'A']));
    expect(fingerprintOfSet(['A'])).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintOfSet([])).toBe('empty');
  });

  it('of structured data ignore key order but not values', () => {
    expect(fingerprintOf({ a: 1, b: [1, 2] })).toBe(fingerprintOf({ b: [1, 2], a: 1 }));
    expect(fingerprintOf({ a: 1, b: [1, 2] })).not.toBe(fingerprintOf({ a: 1, b: [2, 1] }));
    expect(fingerprintOf({ a: 1, b: undefined })).toBe(fingerprintOf({ a: 1 }));
  });
});
