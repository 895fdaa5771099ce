import {
  categoryOf,
  codesIn,
  InvalidReferenceError,
  isTrustErrorCode,
  isVerdictCode,
  NEGATIVE_CACHE_CODES,
  NotaryGateError,
  ORIGIN_OUTAGE_CODES,
  TRUST_ERROR_CODES,
  VERDICT_CODES,
} from '../../shared/errors';
import { FORMAT_MODULES } from '../../shared/formats/modules';

describe('errors', () => {
  it('carry a stable code and keep the cause', () => {
    const cause = new Error('root');
    const error = new NotaryGateError('NOT_SIGNED', 'no trust data', { cause });
    expect(error.code).toBe('NOT_SIGNED');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('NotaryGateError');
  });

  it('name invalid references with their input', () => {
    const error = new InvalidReferenceError('UPPER', 'repository name must be lowercase');
    expect(error).toBeInstanceOf(NotaryGateError);
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(error.input).toBe('UPPER');
  });
});

describe('the codes table', () => {
  it('holds every code of the contract, each with a category', () => {
    const contract = [
      'REGISTRY_UNREACHABLE',
      'REGISTRY_ERROR',
      'NO_TRUST_POLICY',
      'CERTIFICATE_UNTRUSTED',
      'IDENTITY_UNTRUSTED',
      'SIGNATURE_EXPIRED',
      'CERTIFICATE_EXPIRED',
      'TIMESTAMP_INVALID',
      'REVOKED',
      'REVOCATION_UNAVAILABLE',
      'TRUST_STATE_UNAVAILABLE',
      'NOT_SIGNED',
      'SIGNATURE_INVALID',
      'DIGEST_MISMATCH',
      'INVALID_REFERENCE',
      'DIGEST_REQUIRED',
      'METADATA_EXPIRED',
      'ROLLBACK',
      'NOTARY_UNREACHABLE',
    ];
    for (const code of contract) expect(isVerdictCode(code)).toBe(true);
    for (const code of VERDICT_CODES) {
      expect(['allowed', 'denied-untrusted', 'origin-outage', 'policy', 'internal']).toContain(categoryOf(code));
      expect(code).toMatch(/^[A-Z][A-Z_]*[A-Z]$/);
    }
  });

  it('derives the outage list that stale-if-error uses from the categories', () => {
    expect(ORIGIN_OUTAGE_CODES).toEqual([
      'NOTARY_UNREACHABLE',
      'NOTARY_ERROR',
      'REGISTRY_UNREACHABLE',
      'REGISTRY_ERROR',
      'REVOCATION_UNAVAILABLE',
      'TRUST_STATE_UNAVAILABLE',
    ]);
    expect(codesIn('origin-outage')).toEqual(ORIGIN_OUTAGE_CODES);
  });

  it('remembers only NOT_SIGNED as a negative cache entry', () => {
    expect(NEGATIVE_CACHE_CODES).toEqual(['NOT_SIGNED']);
  });

  it('lets a format deny with trust and outage codes, never with allowed, rule or internal codes', () => {
    expect(isTrustErrorCode('NOT_SIGNED')).toBe(true);
    expect(isTrustErrorCode('REGISTRY_UNREACHABLE')).toBe(true);
    expect(isTrustErrorCode('DIGEST_REQUIRED')).toBe(true);
    expect(isTrustErrorCode('NO_TRUST_POLICY')).toBe(true);
    for (const code of ['SIGNED', 'ALLOWED_BY_RULE', 'DENIED_BY_RULE', 'INVALID_REFERENCE', 'INTERNAL_ERROR']) {
      expect(isTrustErrorCode(code)).toBe(false);
    }
    expect(TRUST_ERROR_CODES).not.toContain('INTERNAL_ERROR');
  });

  it('does not take inherited names for codes', () => {
    expect(isVerdictCode('constructor')).toBe(false);
    expect(isTrustErrorCode('toString')).toBe(false);
  });

  it.each(FORMAT_MODULES.map((module) => [module.format, module] as const))(
    "has the %s format's unreachable code as an origin outage",
    (_format, module) => {
      expect(categoryOf(module.unreachableCode)).toBe('origin-outage');
    },
  );
});
