import { decisionOf } from '../decision/decide';
import type { ReviewOutcome } from '../decision/types';
import type { Mode } from '../policy/types';
import type { SignatureRecord } from '../verify/types';
import { DECISION_LOG, IMAGE_FIELDS } from './fields';
import { type DecisionRequestInfo, flatList, MAX_REASON_CHARS, recordBase, truncate } from './record-base';

/** Warnings per image in the record: a format that logs more is misbehaving; the count says so. */
const MAX_WARNINGS_PER_IMAGE = 10;

/**
 * The ONE decision record of an admission, keyed by the names in fields.ts (shared with the saved Logs
 * Insights queries). It holds what an operator asks about (who, what, which images, why) and nothing else:
 * no object, no annotations, no tokens. `mode` is the policy's global mode; each denied image's own mode
 * decided whether the admission is `deny` or `audit-deny`.
 */
export function buildDecisionRecord(
  request: DecisionRequestInfo,
  outcome: ReviewOutcome,
  context: { mode: Mode; durationMs: number },
): Record<string, unknown> {
  const denied = outcome.images.filter((image) => !image.allowed);
  return {
    ...recordBase(DECISION_LOG.eventValue, request, context.durationMs),
    [DECISION_LOG.decision]: decisionOf(outcome),
    [DECISION_LOG.mode]: context.mode,
    [DECISION_LOG.images]: outcome.images.map((image) => ({
      [IMAGE_FIELDS.image]: image.image,
      [IMAGE_FIELDS.name]: image.name,
      [IMAGE_FIELDS.digest]: image.digest,
      [IMAGE_FIELDS.path]: image.path,
      [IMAGE_FIELDS.allowed]: image.allowed,
      [IMAGE_FIELDS.code]: image.code,
      [IMAGE_FIELDS.reason]: truncate(image.reason, MAX_REASON_CHARS),
      [IMAGE_FIELDS.source]: image.source,
      [IMAGE_FIELDS.format]: image.format,
      [IMAGE_FIELDS.warnings]: boundedWarnings(image.warnings),
      [IMAGE_FIELDS.formats]: image.formats?.map((verdict) => ({
        format: verdict.format,
        allowed: verdict.allowed,
        code: verdict.code,
        reason: truncate(verdict.reason, MAX_REASON_CHARS),
        source: verdict.source,
        signature: signatureRecord(verdict.signature),
        viaIndex: verdict.viaIndex,
      })),
      [IMAGE_FIELDS.signature]: signatureRecord(image.signature),
      [IMAGE_FIELDS.viaIndex]: image.viaIndex,
    })),
    [DECISION_LOG.deniedCodes]: flatList(denied.map((image) => image.code)),
    [DECISION_LOG.deniedImages]: flatList(denied.map((image) => image.image)),
    [DECISION_LOG.reason]: denied[0] ? truncate(denied[0].reason, MAX_REASON_CHARS) : undefined,
  };
}

/** Which signature admitted the image: digest, signer subject (bounded), chain thumbprints (a chain is at most 10). */
function signatureRecord(signature: SignatureRecord | undefined): Record<string, unknown> | undefined {
  if (!signature) return undefined;
  return {
    digest: signature.digest,
    signer: truncate(signature.signer, MAX_REASON_CHARS),
    chainSha256: signature.chainSha256.slice(0, 10),
  };
}

function boundedWarnings(warnings: readonly string[] | undefined): string[] | undefined {
  if (!warnings?.length) return undefined;
  const kept = warnings.slice(0, MAX_WARNINGS_PER_IMAGE).map((warning) => truncate(warning, MAX_REASON_CHARS));
  const more = warnings.length - kept.length;
  return more > 0 ? [...kept, `and ${more} more`] : kept;
}
