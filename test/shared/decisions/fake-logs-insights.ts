import type {
  GetQueryResultsCommandInput,
  GetQueryResultsCommandOutput,
  QueryStatus,
  ResultField,
  StartQueryCommandInput,
  StartQueryCommandOutput,
  StopQueryCommandInput,
  StopQueryCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogsInsightsApi } from '../../../shared/decisions/run-query';

/**
 * A stand-in for CloudWatch Logs Insights at the SDK boundary (AWS cannot run here): it answers each
 * GetQueryResults with the next scripted status and, on Complete, with the given rows, and records every call.
 */
export class FakeLogsInsights implements LogsInsightsApi {
  readonly started: StartQueryCommandInput[] = [];
  readonly stopped: string[] = [];
  polls = 0;

  constructor(
    private readonly statuses: QueryStatus[],
    private readonly rows: Record<string, string>[] = [],
  ) {}

  async startQuery(input: StartQueryCommandInput): Promise<StartQueryCommandOutput> {
    this.started.push(input);
    return { queryId: `query-${this.started.length}`, $metadata: {} };
  }

  async getQueryResults(input: GetQueryResultsCommandInput): Promise<GetQueryResultsCommandOutput> {
    if (input.queryId !== `query-${this.started.length}`) throw new Error(`unknown query ${input.queryId}`);
    const status = this.statuses[Math.min(this.polls, this.statuses.length - 1)];
    this.polls += 1;
    const results: ResultField[][] =
      status === 'Complete'
        ? this.rows.map((row) => [
            ...Object.entries(row).map(([field, value]) => ({ field, value })),
            { field: '@ptr', value: 'CmAKJwoj' },
          ])
        : [];
    return { status, results, statistics: { recordsScanned: 100 * this.polls }, $metadata: {} };
  }

  async stopQuery(input: StopQueryCommandInput): Promise<StopQueryCommandOutput> {
    this.stopped.push(input.queryId ?? '');
    return { success: true, $metadata: {} };
  }
}

/** A virtual clock that only moves when the code under test sleeps: no real waiting, no timed assertions. */
export function virtualTime(startMs: number) {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}
