import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { DescribeStacksCommandInput, DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import { chooseQuery, type DecisionsOptions, runDecisions } from '../../cli/commands/decisions';
import type { CloudFormationApi } from '../../shared/webhook-config/deployed-stack';
import { STACK_OUTPUTS } from '../../shared/webhook-config/stack-outputs';
import { FakeLogsInsights, virtualTime } from '../shared/decisions/fake-logs-insights';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const LOG_GROUP = 'NotaryGate-WebhookLogsAA703ADA-x1y2z3';

/** A deployed stack as DescribeStacks shows it. */
class FakeCloudFormation implements CloudFormationApi {
  readonly asked: string[] = [];
  async describeStacks(input: DescribeStacksCommandInput): Promise<DescribeStacksCommandOutput> {
    this.asked.push(input.StackName ?? '');
    return {
      Stacks: [
        {
          StackName: 'NotaryGate',
          CreationTime: new Date(NOW),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: STACK_OUTPUTS.logGroupName, OutputValue: LOG_GROUP }],
        },
      ],
      $metadata: {},
    };
  }
}

async function decisions(options: Partial<DecisionsOptions>, rows: Record<string, string>[] = []) {
  const logs = new FakeLogsInsights(['Running', 'Complete'], rows);
  const cloudFormation = new FakeCloudFormation();
  const time = virtualTime(NOW);
  let stdout = '';
  let stderr = '';
  const exitCode = await runDecisions(
    { since: '1h', timeout: '60', ...options },
    {
      aws: { logs, cloudFormation },
      nowMs: NOW,
      clock: time.clock,
      sleep: time.sleep,
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    },
  );
  return { exitCode, stdout, stderr, logs, cloudFormation };
}

const DENIAL = {
  '@timestamp': '2026-11-27 11:59:01.000',
  decision: 'deny',
  namespace: 'shop',
  deniedCodes: 'NOT_SIGNED',
  reason: 'docker.io/acme/api@sha256:ab… is not signed',
};

describe('notary-gate decisions', () => {
  describe('with --stack and --denied', () => {
    it('runs the denials query on the log group named in the stack outputs, over the last hour', async () => {
      const { logs, cloudFormation, exitCode } = await decisions({ stack: 'NotaryGate', denied: true }, [DENIAL]);
      expect(exitCode).toBe(0);
      expect(cloudFormation.asked).toEqual(['NotaryGate']);
      expect(logs.started[0]).toMatchObject({
        logGroupName: LOG_GROUP,
        queryString: chooseQuery({ denied: true }).text,
        startTime: (NOW - 3_600_000) / 1000,
      });
    });

    it('prints a table on stdout and progress on stderr', async () => {
      const { stdout, stderr } = await decisions({ stack: 'NotaryGate', denied: true }, [DENIAL]);
      expect(stdout.split('\n')[0]).toMatch(/^@timestamp\s+decision\s+namespace\s+deniedCodes\s+reason$/);
      expect(stdout).toContain('NOT_SIGNED');
      expect(stderr).toContain(`running denials on ${LOG_GROUP}`);
      expect(stderr).toContain('denials: Running');
    });
  });

  describe('with --json', () => {
    it('prints only the JSON result on stdout', async () => {
      const { stdout } = await decisions({ logGroup: LOG_GROUP, query: 'origin-errors', since: '24h', json: true }, [
        DENIAL,
      ]);
      expect(JSON.parse(stdout)).toEqual({
        query: 'origin-errors',
        logGroupName: LOG_GROUP,
        from: '2026-11-26T12:00:00.000Z',
        to: '2026-11-27T12:00:00.000Z',
        rows: [DENIAL],
      });
    });
  });

  describe('choosing the query', () => {
    it('runs the latest decisions when neither --denied nor --query is given', () => {
      expect(chooseQuery({}).name).toBe('recent-decisions');
    });

    it('refuses --denied together with another --query', () => {
      expect(() => chooseQuery({ denied: true, query: 'slow-admissions' })).toThrow(/either --denied or --query/);
    });

    it('names the known queries when the one asked for does not exist', () => {
      expect(() => chooseQuery({ query: 'nope' })).toThrow(/choose one of recent-decisions, denials/);
    });
  });

  it('needs exactly one of --stack and --log-group', async () => {
    await expect(decisions({})).rejects.toThrow(/either --stack NAME or --log-group NAME/);
    await expect(decisions({ stack: 'A', logGroup: 'B' })).rejects.toThrow(/either --stack/);
  });

  describe('as a command', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(__dirname, '../../bin/notary-gate.js'), 'decisions', ...args], {
        encoding: 'utf8',
        env: { ...process.env, AWS_REGION: 'eu-west-1' },
      });

    it('exits 2 with one line on stderr for a bad --since, before calling AWS', () => {
      const result = cli('--stack', 'NotaryGate', '--since', 'yesterday');
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^notary-gate: INVALID_INPUT: --since/)]);
    });

    it('lists the saved queries in --help', () => {
      const result = cli('--help');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('unverifiable-images');
    });
  });
});
