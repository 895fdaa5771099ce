import type { Observer } from '../observer';
import { DECISION_LOG } from './fields';

/**
 * The warning logged when a request to `/validate` or `/mutate` is refused for its path token (403). A bad token
 * rotation (a cluster still calling with the old token after the overlap) shows only here: the apiserver gets the
 * 403 and, with failurePolicy Fail, refuses the workload. The stack counts these lines with a metric filter
 * (`event = "token-rejected"`) and raises the RejectedTokens alarm (docs/deploy.md, "Alarms"). The token itself is
 * never written; the caller's address and user agent tell which cluster (or scanner) it was.
 */
export const TOKEN_REJECTION_LOG = {
  eventValue: 'token-rejected',
  /** TOKEN_REQUIRED (no token in the path) or TOKEN_INVALID (not the current one, nor the previous in its overlap). */
  code: 'code',
  /** validate | mutate */
  endpoint: 'endpoint',
  sourceIp: 'sourceIp',
  userAgent: 'userAgent',
} as const;

/** At most this much of a caller-chosen header goes into the log line. */
const MAX_USER_AGENT_CHARS = 200;

export function logTokenRejection(
  observer: Observer,
  rejection: { code: string; endpoint: string; sourceIp?: string; userAgent?: string },
): void {
  const F = TOKEN_REJECTION_LOG;
  observer.warn('webhook token rejected: the caller is not using the current token (see docs/deploy.md, rotation)', {
    [DECISION_LOG.event]: F.eventValue,
    [F.code]: rejection.code,
    [F.endpoint]: rejection.endpoint,
    ...(rejection.sourceIp && { [F.sourceIp]: rejection.sourceIp }),
    ...(rejection.userAgent && { [F.userAgent]: rejection.userAgent.slice(0, MAX_USER_AGENT_CHARS) }),
  });
}
