/**
 * Fuzzing canonical JSON with what the existing property test leaves out (it covers JSON values with integers):
 * any JavaScript value, floats, NaN and infinities, undefined, bigint, symbols, sparse arrays, null prototypes.
 * Signed metadata is parsed JSON, but the encoder is the last step before a signature check: it must return
 * text or refuse with a TrustError, never throw anything else.
 */
import fc from 'fast-check';
import { TrustError } from '../../shared/errors';
import { canonicalJson } from '../../shared/notary/tuf/canonical-json';
import { fuzzParams } from './support/params';

function encodeOrRefuse(value: unknown): string | 'refused' {
  try {
    return canonicalJson(value);
  } catch (error) {
    if (error instanceof TrustError) return 'refused';
    throw error;
  }
}

describe('canonical JSON under fuzzing', () => {
  it('encodes or refuses any JavaScript value with a TrustError only', () => {
    fc.assert(
      fc.property(
        fc.anything({
          maxDepth: 4,
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withObjectString: true,
          withSparseArray: true,
          withTypedArray: true,
          withUnicodeString: true,
        }),
        (value) => {
          encodeOrRefuse(value);
        },
      ),
      fuzzParams(500),
    );
  });

  it('encodes or refuses any double with a TrustError only, and what it encodes parses back to the same number', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        const text = encodeOrRefuse({ n: value });
        if (text !== 'refused') expect(JSON.parse(text).n).toBe(value === 0 ? 0 : value);
      }),
      fuzzParams(500),
    );
  });
});
