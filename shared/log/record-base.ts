import type { AdmissionRequest } from '../admission/types';
import { DECISION_LOG } from './fields';

/** The request fields a record carries; a whole AdmissionRequest fits, raw objects are never read. */
export type DecisionRequestInfo = Pick<
  AdmissionRequest,
  'uid' | 'operation' | 'kind' | 'namespace' | 'name' | 'userInfo' | 'dryRun'
>;

/** Bounds for the flat fields, so that one huge object cannot make a huge log line. */
export const MAX_FLAT_CHARS = 2000;
export const MAX_REASON_CHARS = 500;

/**
 * What the decision record and the mutation record both start with: the event marker and who asked for what, under
 * the names of fields.ts, so that one Logs Insights query can join the two records of an admission on `uid`.
 */
export function recordBase(
  eventValue: string,
  request: DecisionRequestInfo,
  durationMs: number,
): Record<string, unknown> {
  return {
    [DECISION_LOG.event]: eventValue,
    [DECISION_LOG.uid]: request.uid,
    [DECISION_LOG.operation]: request.operation,
    [DECISION_LOG.kind]: request.kind.kind,
    [DECISION_LOG.namespace]: request.namespace,
    [DECISION_LOG.name]: request.name,
    [DECISION_LOG.user]: request.userInfo.username,
    [DECISION_LOG.dryRun]: request.dryRun,
    [DECISION_LOG.durationMs]: Math.round(durationMs),
  };
}

/** The distinct values, comma-separated and bounded: a flat field that Logs Insights can filter and count. */
export function flatList(values: Iterable<string>): string {
  return truncate([...new Set(values)].join(','), MAX_FLAT_CHARS);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
