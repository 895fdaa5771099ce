/** RFC 5280 section 5.3.1 CRLReason names, for reasons people read (OCSP reuses the same codes). */
const REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export const REMOVE_FROM_CRL = 8;

export function crlReasonName(code: number | undefined): string | undefined {
  if (code === undefined) return undefined;
  return REASONS[code] ?? `reason ${code}`;
}
