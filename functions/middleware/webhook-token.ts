import { createHash, timingSafeEqual } from 'node:crypto';
import { logTokenRejection } from '../../shared/log/token-rejection';
import { gateState, type WebhookRequest } from '../context';
import { HttpError } from '../http';
import { NO_SUCH_PATH } from './route';
import { type WebhookMiddleware, webhookMiddleware } from './webhook-middleware';

/**
 * Checks the webhook token of `/validate/<token>` before any body is read or any verification starts. The
 * comparison runs in constant time over sha256 digests (equal lengths whatever the input), so neither the
 * token's content nor its length leaks through timing. During a rotation's overlap the previous token is accepted
 * too: both comparisons always run (no short circuit), so timing does not tell which one matched, or whether any did.
 * The token never appears in an error or a log.
 */
export function webhookTokenMiddleware(): WebhookMiddleware {
  const webhookTokenMiddlewareBefore = async (request: WebhookRequest): Promise<undefined> => {
    const state = gateState(request);
    const expected = await state.runtime!.webhookTokens();
    if (expected === undefined) {
      // No token configured: only the bare path exists.
      if (state.pathToken !== undefined) throw new HttpError(404, 'NOT_FOUND', NO_SUCH_PATH);
      return undefined;
    }
    // Each refusal is logged (never the token): a bad rotation shows nowhere else (the RejectedTokens alarm).
    const reject = (code: string) =>
      logTokenRejection(state.runtime!.telemetry.observer, {
        code,
        endpoint: state.endpoint ?? 'validate',
        sourceIp: request.event.requestContext?.http?.sourceIp,
        userAgent: request.event.requestContext?.http?.userAgent,
      });
    if (state.pathToken === undefined) {
      reject('TOKEN_REQUIRED');
      throw new HttpError(
        403,
        'TOKEN_REQUIRED',
        `this webhook requires its token in the path: POST /${state.endpoint ?? 'validate'}/<token>`,
      );
    }
    if (!tokenAccepted(state.pathToken, expected)) {
      reject('TOKEN_INVALID');
      throw new HttpError(403, 'TOKEN_INVALID', 'the webhook token is wrong');
    }
    return undefined;
  };
  return webhookMiddleware({ before: webhookTokenMiddlewareBefore });
}

/** Whether `given` is the current or (during an overlap) the previous token; both compared, in constant time. */
export function tokenAccepted(given: string, tokens: { current: string; previous?: string }): boolean {
  const current = tokensEqual(given, tokens.current);
  // Compared even when absent (against the current token again), so the work done is the same either way.
  const previous = tokensEqual(given, tokens.previous ?? tokens.current) && tokens.previous !== undefined;
  return current || previous;
}

export function tokensEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
