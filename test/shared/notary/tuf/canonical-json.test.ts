import fc from 'fast-check';
import { TrustError } from '../../../../shared/errors';
import { canonicalJson } from '../../../../shared/notary/tuf/canonical-json';

describe('canonicalJson', () => {
  describe('as docker/go canonical json encodes notary metadata', () => {
    it('sorts object keys at every depth and writes no whitespace', () => {
      expect(canonicalJson({ b: 1, a: [true, false, null, { z: 'x', y: {} }], c: [] })).toBe(
        '{"a":[true,false,null,{"y":{},"z":"x"}],"b":1,"c":[]}',
      );
    });

    it('escapes only backslash and double quote, leaving <, >, &, control characters and U+2028 raw', () => {
      expect(canonicalJson('a"b\\c<d>&e\n\t\u0001\u2028é')).toBe('"a\\"b\\\\c<d>&e\n\t\u0001\u2028é"');
    });

    it('orders keys by UTF-8 bytes, not UTF-16 code units', () => {
      // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16
      expect(canonicalJson({ '😀': 1, Ａ: 2, é: 3, z: 4, Z: 5 })).toBe('{"Z":5,"z":4,"é":3,"Ａ":2,"😀":1}');
    });

    it('writes an unpaired surrogate as U+FFFD, as Go decodes it', () => {
      expect(canonicalJson(JSON.parse('"x\\ud800y"'))).toBe('"x\uFFFDy"');
    });

    it('prints integers as plain digits, including large ones and negative zero', () => {
      expect(canonicalJson([0, -0, 7, -12, 1e18, 2 ** 53])).toBe('[0,0,7,-12,1000000000000000000,9007199254740992]');
    });

    it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 63, 1e21])(
      'refuses the number %p, as the Go encoder cannot encode it',
      (n) => {
        expect(() => canonicalJson({ n })).toThrow(TrustError);
      },
    );

    it('refuses hostile nesting with a TrustError instead of exhausting the stack', () => {
      const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
      expect(() => canonicalJson(deep)).toThrow(TrustError);
    });

    it('refuses values JSON cannot hold', () => {
      expect(() => canonicalJson({ f: () => 1 })).toThrow(/cannot encode/);
      expect(() => canonicalJson({ d: new Date(0) })).toThrow(/cannot encode/);
    });

    it('matches the bytes notary signed for a real key object', () => {
      const key = { keyval: { public: 'AAEC', private: null }, keytype: 'ecdsa' };
      expect(canonicalJson(key)).toBe('{"keytype":"ecdsa","keyval":{"private":null,"public":"AAEC"}}');
    });
  });

  describe('for any JSON value with integer numbers', () => {
    const integral = (value: unknown): boolean =>
      typeof value === 'number'
        ? Number.isSafeInteger(value)
        : Array.isArray(value)
          ? value.every(integral)
          : value !== null && typeof value === 'object'
            ? Object.values(value).every(integral)
            : true;

    it('parses back to the same value, whatever the key order', () => {
      fc.assert(
        fc.property(fc.jsonValue().filter(integral), (value) => {
          const text = canonicalJson(value);
          expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
          expect(canonicalJson(JSON.parse(text))).toBe(text);
        }),
        { seed: 20261127 },
      );
    });
  });
});
