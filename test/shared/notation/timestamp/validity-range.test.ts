import { TimestampError } from '../../../../shared/notation/timestamp/errors';
import { assertTimestampWithinValidity } from '../../../../shared/notation/timestamp/validity-range';
import { caExtensions, type IssuedCertificate, issueCertificate, leafExtensions } from '../../../harness/x509-kit';

const NOT_BEFORE = Date.parse('2025-01-01T00:00:00Z');
const NOT_AFTER = Date.parse('2025-12-31T00:00:00Z');

describe('a timestamp window inside the signing chain validity', () => {
  let root: IssuedCertificate;
  let leaf: IssuedCertificate;

  beforeAll(async () => {
    root = await issueCertificate({
      subject: 'CN=Root',
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      extensions: caExtensions(),
    });
    leaf = await issueCertificate({
      subject: 'CN=Leaf',
      issuer: root,
      notBefore: new Date(NOT_BEFORE),
      notAfter: new Date(NOT_AFTER),
      extensions: leafExtensions(),
    });
  });

  const check = (genTimeMs: number, accuracyMs: number) => () =>
    assertTimestampWithinValidity({ genTimeMs, accuracyMs }, [leaf.node, root.node]);

  it('passes when the whole window is inside every certificate', () => {
    expect(check(Date.parse('2025-06-01T00:00:00Z'), 1_000)).not.toThrow();
  });

  it('passes when the window touches notBefore and notAfter exactly', () => {
    expect(check(NOT_BEFORE + 1_000, 1_000)).not.toThrow();
    expect(check(NOT_AFTER - 1_000, 1_000)).not.toThrow();
  });

  it('fails when the accuracy reaches one millisecond before notBefore', () => {
    expect(check(NOT_BEFORE + 1_000, 1_001)).toThrow(TimestampError);
    expect(check(NOT_BEFORE + 1_000, 1_001)).toThrow(/not inside the validity .* of "CN=Leaf"/);
  });

  it('fails when the accuracy reaches one millisecond after notAfter', () => {
    expect(check(NOT_AFTER - 1_000, 1_001)).toThrow(/not inside the validity/);
  });

  it('fails for a genTime before the chain existed or after it expired', () => {
    expect(check(Date.parse('2024-06-01T00:00:00Z'), 0)).toThrow(/CN=Leaf/);
    expect(check(Date.parse('2026-06-01T00:00:00Z'), 0)).toThrow(/CN=Leaf/);
  });

  it('checks every certificate, not only the leaf', () => {
    expect(() =>
      assertTimestampWithinValidity({ genTimeMs: Date.parse('2029-12-31T23:59:59Z'), accuracyMs: 2_000 }, [root.node]),
    ).toThrow(/CN=Root/);
  });
});
