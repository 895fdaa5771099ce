import { categoryOf } from '../errors';
import type { Require } from '../policy/types';
import type { FormatVerdict, ImageVerdict, SignatureRecord, TrustSource } from '../verify/types';

/** One format's verdict with the format's name, as the engine collects them (in the rule's order). */
export interface NamedVerdict {
  readonly format: string;
  readonly verdict: ImageVerdict;
}

/**
 * The verdict of an image under a rule that names several formats, from each format's own verdict:
 * - `all`: allowed when every format allows; else the first denial (in the rule's order) decides, and the reason
 *   lists every format that denied;
 * - `any`: allowed when one format allows (the first in the rule's order decides); else denied, and the reason
 *   lists each format's reason. The code is the first one a retry could change (an origin outage, an internal
 *   failure), else the first format's: an operator is told to retry only when retrying can help.
 * With one format, its verdict is the result, unchanged (a rule with only `notary:` decides exactly as before).
 * Pure: the engine runs the formats and handles the deadline.
 */
export function combineVerdicts(require: Require, verdicts: readonly NamedVerdict[]): ImageVerdict {
  const [only] = verdicts;
  if (only === undefined) throw new Error('combineVerdicts needs at least one verdict');
  if (verdicts.length === 1) return only.verdict;
  const formats = verdicts.map(formatVerdict);
  const allowed = verdicts.filter(({ verdict }) => verdict.allowed);
  const denied = verdicts.filter(({ verdict }) => !verdict.allowed);

  if (require === 'all' ? denied.length === 0 : allowed.length > 0) {
    // Under `all` every format decided together; under `any` the first that allowed.
    const deciding = require === 'all' ? verdicts : allowed.slice(0, 1);
    const first = deciding[0]!;
    return {
      allowed: true,
      code: first.verdict.code,
      reason: reasons(deciding),
      ...signedDigestOf(deciding),
      format: deciding.map(({ format }) => format).join('+'),
      ...sourceOf(deciding),
      ...warningsOf(deciding),
      ...signatureOf(deciding),
      formats,
    };
  }

  const deciding = require === 'all' ? denied : verdicts;
  const decisive = deciding.find(({ verdict }) => isRetryable(verdict)) ?? deciding[0]!;
  return {
    allowed: false,
    code: decisive.verdict.code,
    reason: require === 'all' ? reasons(deciding) : `no signature format verified the image: ${reasons(deciding)}`,
    ...signedDigestOf([decisive, ...deciding]),
    format: require === 'all' ? decisive.format : deciding.map(({ format }) => format).join('+'),
    ...sourceOf([decisive]),
    formats,
  };
}

function formatVerdict({ format, verdict }: NamedVerdict): FormatVerdict {
  return {
    format,
    allowed: verdict.allowed,
    code: verdict.code,
    reason: verdict.reason,
    ...(verdict.source ? { source: verdict.source } : {}),
    ...(verdict.warnings?.length ? { warnings: verdict.warnings } : {}),
    ...(verdict.signature ? { signature: verdict.signature } : {}),
    ...(verdict.viaIndex ? { viaIndex: verdict.viaIndex } : {}),
  };
}

/** The signature of the first deciding format that names one (which signature admitted the image). */
function signatureOf(verdicts: readonly NamedVerdict[]): { signature?: SignatureRecord } {
  const signature = verdicts.find(({ verdict }) => verdict.signature !== undefined)?.verdict.signature;
  return signature === undefined ? {} : { signature };
}

function reasons(verdicts: readonly NamedVerdict[]): string {
  return verdicts.map(({ format, verdict }) => `${format}: ${verdict.reason}`).join('; ');
}

function isRetryable(verdict: ImageVerdict): boolean {
  const category = categoryOf(verdict.code);
  return category === 'origin-outage' || category === 'internal';
}

function signedDigestOf(verdicts: readonly NamedVerdict[]): { signedDigest?: string } {
  const signedDigest = verdicts.find(({ verdict }) => verdict.signedDigest !== undefined)?.verdict.signedDigest;
  return signedDigest === undefined ? {} : { signedDigest };
}

/** `stale` when any deciding format used stale data (operators look for it), else the first one's source. */
function sourceOf(verdicts: readonly NamedVerdict[]): { source?: TrustSource } {
  const sources = verdicts.flatMap(({ verdict }) => (verdict.source ? [verdict.source] : []));
  const source = sources.includes('stale') ? 'stale' : sources[0];
  return source === undefined ? {} : { source };
}

/** Each deciding format's warnings, prefixed with its name. */
function warningsOf(verdicts: readonly NamedVerdict[]): { warnings?: readonly string[] } {
  const warnings = verdicts.flatMap(({ format, verdict }) => (verdict.warnings ?? []).map((w) => `${format}: ${w}`));
  return warnings.length === 0 ? {} : { warnings };
}
