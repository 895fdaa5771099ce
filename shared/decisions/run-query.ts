import type {
  GetQueryResultsCommandInput,
  GetQueryResultsCommandOutput,
  ResultField,
  StartQueryCommandInput,
  StartQueryCommandOutput,
  StopQueryCommandInput,
  StopQueryCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Clock } from '../clock';
import { NotaryGateError } from '../errors';
import type { DecisionQuery } from '../log/queries';

/**
 * Runs one saved decision query with CloudWatch Logs Insights: StartQuery, then GetQueryResults until it completes,
 * within a deadline (the query is stopped when the deadline passes, so it does not run on and cost money).
 * The client, clock and sleep are injected: the CLI passes the SDK client and real time, tests a fake and a
 * virtual clock.
 */
export type Row = Readonly<Record<string, string>>;

/** The three Logs Insights calls used; the SDK's `CloudWatchLogs` client has them (only its types are imported). */
export interface LogsInsightsApi {
  startQuery(input: StartQueryCommandInput): Promise<StartQueryCommandOutput>;
  getQueryResults(input: GetQueryResultsCommandInput): Promise<GetQueryResultsCommandOutput>;
  stopQuery(input: StopQueryCommandInput): Promise<StopQueryCommandOutput>;
}

export interface QueryRunOptions {
  readonly client: LogsInsightsApi;
  readonly logGroupName: string;
  readonly query: DecisionQuery;
  readonly startMs: number;
  readonly endMs: number;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** Progress for people (stderr), e.g. "running… 1200 records scanned". */
  readonly onProgress?: (message: string) => void;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 60_000;
const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** Logs Insights answers at most 10,000 rows; the queries themselves limit far lower. */
const MAX_ROWS = 10_000;

export class QueryError extends NotaryGateError<'QUERY_FAILED' | 'QUERY_TIMEOUT'> {}

export async function runDecisionQuery(options: QueryRunOptions): Promise<Row[]> {
  const { client, clock, sleep } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const deadline = clock() + timeoutMs;
  const started = await client.startQuery({
    logGroupName: options.logGroupName,
    queryString: options.query.text,
    // Logs Insights takes seconds; round outward so the window is never narrower than asked.
    startTime: Math.floor(options.startMs / 1000),
    endTime: Math.ceil(options.endMs / 1000),
    limit: MAX_ROWS,
  });
  const queryId = started.queryId;
  if (!queryId) throw new QueryError('QUERY_FAILED', 'CloudWatch Logs started no query (no queryId in its answer)');

  for (;;) {
    const answer = await client.getQueryResults({ queryId });
    switch (answer.status) {
      case 'Complete':
        return (answer.results ?? []).map(toRow);
      case 'Failed':
      case 'Cancelled':
      case 'Timeout':
        throw new QueryError('QUERY_FAILED', `the ${options.query.name} query ended with status ${answer.status}`);
      default: {
        const scanned = answer.statistics?.recordsScanned ?? 0;
        options.onProgress?.(
          `${options.query.name}: ${answer.status ?? 'Unknown'}, ${Math.round(scanned)} records scanned`,
        );
      }
    }
    if (clock() >= deadline) {
      await client.stopQuery({ queryId }).catch(() => undefined);
      throw new QueryError(
        'QUERY_TIMEOUT',
        `the ${options.query.name} query did not finish within ${Math.round(timeoutMs / 1000)} s; try a shorter --since`,
      );
    }
    await sleep(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  }
}

/** One result row; `@ptr` is an internal pointer to the log event, not a result. */
function toRow(fields: ResultField[]): Row {
  return Object.fromEntries(
    fields.flatMap((field) => (field.field && field.field !== '@ptr' ? [[field.field, field.value ?? '']] : [])),
  );
}
