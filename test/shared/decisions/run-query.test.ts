import { QueryError, runDecisionQuery } from '../../../shared/decisions/run-query';
import { findDecisionQuery } from '../../../shared/log/queries';
import { FakeLogsInsights, virtualTime } from './fake-logs-insights';

const NOW = Date.parse('2026-11-27T12:00:00.500Z');
const denials = findDecisionQuery('denials')!;

function run(fake: FakeLogsInsights, timeoutMs = 10_000) {
  const time = virtualTime(NOW);
  const progress: string[] = [];
  const result = runDecisionQuery({
    client: fake,
    logGroupName: '/aws/lambda/notary-gate',
    query: denials,
    startMs: NOW - 3_600_000,
    endMs: NOW,
    clock: time.clock,
    sleep: time.sleep,
    timeoutMs,
    pollIntervalMs: 1_000,
    onProgress: (message) => progress.push(message),
  });
  return { result, time, progress };
}

describe('running a decision query', () => {
  describe('when Logs Insights completes after a few polls', () => {
    const fake = new FakeLogsInsights(
      ['Scheduled', 'Running', 'Complete'],
      [{ namespace: 'shop', reason: 'unsigned' }],
    );
    const { result, time, progress } = run(fake);

    it('returns the rows without the internal @ptr field', async () => {
      await expect(result).resolves.toEqual([{ namespace: 'shop', reason: 'unsigned' }]);
    });

    it('starts the saved query text on the log group over the window, in whole seconds rounded outward', () => {
      expect(fake.started).toEqual([
        expect.objectContaining({
          logGroupName: '/aws/lambda/notary-gate',
          queryString: denials.text,
          startTime: Math.floor((NOW - 3_600_000) / 1000),
          endTime: Math.ceil(NOW / 1000),
        }),
      ]);
    });

    it('polls at the interval and reports progress while it waits', () => {
      expect(fake.polls).toBe(3);
      expect(time.sleeps).toEqual([1_000, 1_000]);
      expect(progress).toEqual(['denials: Scheduled, 100 records scanned', 'denials: Running, 200 records scanned']);
    });
  });

  describe('when the query does not finish before the deadline', () => {
    it('stops the query and fails with QUERY_TIMEOUT', async () => {
      const fake = new FakeLogsInsights(['Running']);
      const { result } = run(fake, 5_000);
      await expect(result).rejects.toMatchObject({ code: 'QUERY_TIMEOUT' });
      expect(fake.stopped).toEqual(['query-1']);
      expect(fake.polls).toBe(6);
    });
  });

  describe.each(['Failed', 'Cancelled', 'Timeout'] as const)('when Logs Insights reports %s', (status) => {
    it('fails with QUERY_FAILED naming the status', async () => {
      const { result } = run(new FakeLogsInsights(['Running', status]));
      await expect(result).rejects.toThrow(QueryError);
      await expect(result).rejects.toThrow(new RegExp(`status ${status}`));
    });
  });
});
