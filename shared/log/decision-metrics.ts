import { decisionOf, deniedImages } from '../decision/decide';
import type { ReviewOutcome } from '../decision/types';
import { METRIC, type Observer } from '../observer';

/**
 * The metrics of one admission: a count by decision, denials by code (enforced and audited apart) and the
 * latency. Dimensions are decisions and codes only: never image or namespace names (cardinality, cost).
 */
export function recordDecisionMetrics(observer: Observer, outcome: ReviewOutcome, durationMs: number): void {
  observer.count(METRIC.admissions, 1, { name: 'decision', value: decisionOf(outcome) });
  const { enforced, audited } = deniedImages(outcome);
  for (const image of enforced) observer.count(METRIC.denials, 1, { name: 'code', value: image.code });
  for (const image of audited) observer.count(METRIC.auditDenials, 1, { name: 'code', value: image.code });
  observer.count(METRIC.admissionLatency, Math.round(durationMs));
}
