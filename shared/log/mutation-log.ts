import type { PinOutcome } from '../mutate/pinner';
import { METRIC, type Observer } from '../observer';
import { MUTATION_LOG, PIN_FIELDS, UNPINNED_FIELDS } from './mutation-fields';
import { type DecisionRequestInfo, flatList, MAX_REASON_CHARS, recordBase, truncate } from './record-base';

/** Images left alone are listed up to this many (the pins are all listed: each is a change made to the object). */
const MAX_UNPINNED_LISTED = 50;

/**
 * The ONE record of a `/mutate` admission: who and what (the decision record's request fields), the pins made and
 * the images left as written with why. No object, annotations or tokens.
 */
export function buildMutationRecord(
  request: DecisionRequestInfo,
  outcome: PinOutcome,
  context: {
    durationMs: number;
    /** Set when the object carries the break-glass label: all its images as written. */
    breakGlassImages?: readonly string[];
  },
): Record<string, unknown> {
  return {
    ...recordBase(MUTATION_LOG.eventValue, request, context.durationMs),
    [MUTATION_LOG.pinnedCount]: outcome.pins.length,
    [MUTATION_LOG.pins]: outcome.pins.map((pin) => ({
      [PIN_FIELDS.path]: pin.path,
      [PIN_FIELDS.image]: pin.image,
      [PIN_FIELDS.pinned]: pin.pinned,
      [PIN_FIELDS.digest]: pin.digest,
      [PIN_FIELDS.format]: pin.format,
      [PIN_FIELDS.source]: pin.source,
    })),
    [MUTATION_LOG.pinnedImages]: flatList(outcome.pins.map((pin) => pin.pinned)),
    [MUTATION_LOG.unpinned]: outcome.unpinned.slice(0, MAX_UNPINNED_LISTED).map((image) => ({
      [UNPINNED_FIELDS.path]: image.path,
      [UNPINNED_FIELDS.image]: image.image,
      [UNPINNED_FIELDS.code]: image.code,
      [UNPINNED_FIELDS.reason]: truncate(image.reason, MAX_REASON_CHARS),
    })),
    ...(context.breakGlassImages && {
      [MUTATION_LOG.breakGlassLabel]: true,
      [MUTATION_LOG.breakGlassImages]: flatList(context.breakGlassImages),
    }),
  };
}

/**
 * The metrics of one `/mutate` admission: `Mutations` by result (`pinned` when a patch was sent, `unchanged`
 * otherwise), `PinnedImages` (image fields rewritten) and `MutationLatency`. Kept apart from `Admissions`, so that
 * the validating webhook's counts and alarms see each admission once.
 */
export function recordMutationMetrics(observer: Observer, outcome: PinOutcome, durationMs: number): void {
  const result = outcome.pins.length > 0 ? 'pinned' : 'unchanged';
  observer.count(METRIC.mutations, 1, { name: 'result', value: result });
  if (outcome.pins.length > 0) observer.count(METRIC.pinnedImages, outcome.pins.length);
  observer.count(METRIC.mutationLatency, Math.round(durationMs));
}
