import { admissionDeadline, parseGoDurationMs } from '../../functions/deadline';
import { DEADLINE_MARGIN_MS, WEBHOOK_TIMEOUT_SECONDS } from '../../shared/constants';

describe('admission deadline', () => {
  describe('parsing the apiserver timeout (a Go duration)', () => {
    it.each([
      ['10s', 10_000],
      ['1m30s', 90_000],
      ['500ms', 500],
      ['1.5s', 1_500],
      ['2h', 7_200_000],
    ])('reads %s as %i ms', (text, ms) => {
      expect(parseGoDurationMs(text)).toBe(ms);
    });

    it.each(['', '10', 'ten seconds', '10s; drop', '-5s'])('ignores %p', (text) => {
      expect(parseGoDurationMs(text)).toBeUndefined();
    });
  });

  const now = 1_000_000;

  it('counts the apiserver timeout from when the request arrived, minus the margin', () => {
    expect(
      admissionDeadline({ timeoutQuery: '5s', receivedAtMs: now - 2_000, nowMs: now, remainingMs: undefined }),
    ).toBe(now - 2_000 + 5_000 - DEADLINE_MARGIN_MS);
  });

  it('ends earlier when the Lambda has less time left', () => {
    expect(admissionDeadline({ timeoutQuery: '10s', receivedAtMs: now, nowMs: now, remainingMs: 3_000 })).toBe(
      now + 3_000 - DEADLINE_MARGIN_MS,
    );
  });

  it('uses the configured webhook timeout when the query has none', () => {
    expect(
      admissionDeadline({ timeoutQuery: undefined, receivedAtMs: undefined, nowMs: now, remainingMs: undefined }),
    ).toBe(now + WEBHOOK_TIMEOUT_SECONDS * 1000 - DEADLINE_MARGIN_MS);
  });

  it('never starts the count after now (a clock ahead of ours)', () => {
    expect(
      admissionDeadline({ timeoutQuery: '10s', receivedAtMs: now + 60_000, nowMs: now, remainingMs: undefined }),
    ).toBe(now + 10_000 - DEADLINE_MARGIN_MS);
  });
});
