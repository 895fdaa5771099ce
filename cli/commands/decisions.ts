import type { Command } from 'commander';
import { systemClock } from '../../shared/clock';
import type { LogsInsightsApi } from '../../shared/decisions/run-query';
import { parseSince } from '../../shared/decisions/since';
import { InvalidInputError } from '../../shared/errors';
import { DECISION_QUERIES, type DecisionQuery, findDecisionQuery } from '../../shared/log/queries';
import type { CloudFormationApi } from '../../shared/webhook-config/deployed-stack';
import { STACK_OUTPUTS } from '../../shared/webhook-config/stack-outputs';
import { EXIT, runCommand } from '../exit';

export interface DecisionsOptions {
  stack?: string;
  logGroup?: string;
  region?: string;
  since: string;
  denied?: boolean;
  query?: string;
  json?: boolean;
  timeout: string;
}

export function registerDecisions(program: Command): void {
  program
    .command('decisions')
    .description('run a saved CloudWatch Logs Insights query over the decision log of a deployed stack')
    .option('--stack <name>', 'the deployed notary-gate stack (its log group is read from the stack outputs)')
    .option('--log-group <name>', 'query this log group directly instead of a stack')
    .option('--region <region>', 'AWS region (default: the SDK default, e.g. AWS_REGION)')
    .option('--since <when>', 'start of the window: a duration (15m, 1h, 7d) or an RFC 3339 instant', '1h')
    .option('--denied', 'the denials query: denied admissions (and audit-mode would-be denials) with reasons')
    .option('--query <name>', `one of: ${DECISION_QUERIES.map((query) => query.name).join(', ')}`)
    .option('--json', 'print {query, logGroupName, from, to, rows} as JSON')
    .option('--timeout <seconds>', 'give up on a query after this long', '60')
    .addHelpText(
      'after',
      `
Queries:
${DECISION_QUERIES.map((query) => `  ${query.name.padEnd(32)} ${query.description}`).join('\n')}

Examples:
  notary-gate decisions --stack NotaryGate --denied --since 24h
  notary-gate decisions --stack NotaryGate --query slow-admissions --since 7d --json`,
    )
    .action((options: DecisionsOptions) => runCommand(() => decisions(options)));
}

/** Chooses the query: --query NAME, --denied for the denials, else the latest decisions. */
export function chooseQuery(options: { denied?: boolean; query?: string }): DecisionQuery {
  if (options.denied && options.query !== undefined && options.query !== 'denials') {
    throw new InvalidInputError('give either --denied or --query, not both');
  }
  const name = options.query ?? (options.denied ? 'denials' : 'recent-decisions');
  const query = findDecisionQuery(name);
  if (!query) {
    throw new InvalidInputError(
      `no query named ${name}; choose one of ${DECISION_QUERIES.map((q) => q.name).join(', ')}`,
    );
  }
  return query;
}

/** What `decisions` needs from AWS; the CLI builds SDK clients, tests pass fakes. */
export interface DecisionsAws {
  logs: LogsInsightsApi;
  cloudFormation: CloudFormationApi;
}

export interface DecisionsIo {
  aws: DecisionsAws;
  nowMs: number;
  sleep: (ms: number) => Promise<void>;
  clock: () => number;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

async function decisions(options: DecisionsOptions): Promise<number> {
  checkOptions(options, systemClock());
  // The AWS SDK loads only here, after the options were checked, so that --help and usage errors stay fast.
  const [{ CloudWatchLogs }, { CloudFormation }, { CLI_AWS_CLIENT_CONFIG }] = await Promise.all([
    import('@aws-sdk/client-cloudwatch-logs'),
    import('@aws-sdk/client-cloudformation'),
    import('../../shared/webhook-config/deployed-stack'),
  ]);
  const config = { ...CLI_AWS_CLIENT_CONFIG, ...(options.region && { region: options.region }) };
  return runDecisions(options, {
    aws: { logs: new CloudWatchLogs(config), cloudFormation: new CloudFormation(config) },
    nowMs: systemClock(),
    clock: systemClock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}

/** Usage errors, found before anything reaches AWS. */
function checkOptions(options: DecisionsOptions, nowMs: number) {
  const query = chooseQuery(options);
  const startMs = parseSince(options.since, nowMs);
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new InvalidInputError('--timeout must be a positive number of seconds');
  }
  if ((options.stack === undefined) === (options.logGroup === undefined)) {
    throw new InvalidInputError('give either --stack NAME or --log-group NAME');
  }
  return { query, startMs, timeoutMs: timeoutSeconds * 1000 };
}

/** The command body with AWS, time and output injected. */
export async function runDecisions(options: DecisionsOptions, io: DecisionsIo): Promise<number> {
  const { query, startMs, timeoutMs } = checkOptions(options, io.nowMs);
  const [{ readStackOutputs, requireOutput }, { runDecisionQuery }, { formatTable }] = await Promise.all([
    import('../../shared/webhook-config/deployed-stack'),
    import('../../shared/decisions/run-query'),
    import('../../shared/decisions/table'),
  ]);
  const logGroupName =
    options.logGroup ??
    requireOutput(
      await readStackOutputs(io.aws.cloudFormation, options.stack!),
      STACK_OUTPUTS.logGroupName,
      options.stack!,
    );
  io.stderr(`notary-gate: running ${query.name} on ${logGroupName} since ${new Date(startMs).toISOString()}\n`);
  const rows = await runDecisionQuery({
    client: io.aws.logs,
    logGroupName,
    query,
    startMs,
    endMs: io.nowMs,
    clock: io.clock,
    sleep: io.sleep,
    timeoutMs,
    onProgress: (message) => io.stderr(`notary-gate: ${message}\n`),
  });
  if (options.json) {
    const from = new Date(startMs).toISOString();
    const to = new Date(io.nowMs).toISOString();
    io.stdout(`${JSON.stringify({ query: query.name, logGroupName, from, to, rows }, null, 2)}\n`);
  } else {
    io.stdout(formatTable(rows));
  }
  return EXIT.ok;
}
