import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describeAwsError } from '../../cli/aws-errors';

const ROOT = path.join(__dirname, '..', '..');

/** The CLI from its sources, with an environment that has no AWS configuration at all. */
function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'notary-gate.js'), ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: '/nonexistent',
          AWS_CONFIG_FILE: '/nonexistent',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** stderr without the SDK's own Node.js version notice (printed by the SDK, not by us). */
const ownLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('notary-gate'));

describe('usage errors', () => {
  it.each([
    [
      ['check', '--no-such-option'],
      /^notary-gate check: unknown option '--no-such-option'; see notary-gate check --help$/,
    ],
    [['chek'], /^notary-gate: unknown command 'chek' \(Did you mean check\?\); see notary-gate --help$/],
    [['images'], /^notary-gate images: missing required argument 'file'; see notary-gate images --help$/],
  ])('%j: one line naming the problem and the help to read, exit 2', async (args, line) => {
    const { code, stderr, stdout } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(line)]);
  });
});

describe('--version', () => {
  it('prints the package version', async () => {
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(require('../../package.json').version);
  });
});

describe('completion', () => {
  it.each(['bash', 'zsh'])(
    'prints a %s script that the shell parses, naming every command and its options',
    async (shell) => {
      const { code, stdout } = await cli(['completion', shell]);
      expect(code).toBe(0);
      for (const word of ['check', 'webhook-config', 'decisions', '--cache-table', '--ca-bundle'])
        expect(stdout).toContain(word);
      if (shell === 'bash') expect(spawnSync('bash', ['-n'], { input: stdout }).status).toBe(0);
    },
  );

  it('completes a command, then its options, when bash runs the function', async () => {
    const { stdout } = await cli(['completion', 'bash']);
    const complete = (words: string[]) =>
      spawnSync(
        'bash',
        [
          '-c',
          `${stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _notary_gate; echo "\${COMPREPLY[*]}"`,
        ],
        {
          encoding: 'utf8',
        },
      ).stdout.trim();
    expect(complete(['notary-gate', 'ch'])).toBe('check');
    expect(complete(['notary-gate', 'check', '--cache-t'])).toBe('--cache-table');
  });

  it('refuses another shell with a usage error', async () => {
    const { code, stderr } = await cli(['completion', 'fish']);
    expect(code).toBe(2);
    expect(ownLines(stderr)).toEqual([expect.stringContaining('choose bash or zsh')]);
  });
});

describe('AWS SDK errors, as sentences', () => {
  it('no region: names AWS_REGION and --region, and --debug for the raw error', async () => {
    const { code, stderr } = await cli(['decisions', '--stack', 'NotaryGate']);
    expect(code).toBe(2);
    expect(ownLines(stderr)).toEqual([
      'notary-gate: no AWS region: set AWS_REGION or pass --region (--debug shows the AWS error)',
    ]);
  });

  it('no credentials: names where credentials come from', async () => {
    const { code, stderr } = await cli(['webhook-config', '--stack', 'NotaryGate', '--region', 'eu-west-1']);
    expect(code).toBe(2);
    expect(ownLines(stderr)).toEqual([expect.stringMatching(/^notary-gate: no AWS credentials: set AWS_PROFILE/)]);
  });

  it('with --debug, prints the SDK error too', async () => {
    const { stderr } = await cli(['--debug', 'decisions', '--stack', 'NotaryGate']);
    expect(stderr).toMatch(/Region is missing/);
  });

  it('a stack that does not exist (CloudFormation answers ValidationError)', () => {
    const error = Object.assign(new Error('Stack with id NotaryGate does not exist'), { name: 'ValidationError' });
    expect(describeAwsError(error)).toBe(
      'no stack named NotaryGate in this account and region: check --stack and --region (or AWS_REGION)',
    );
    expect(describeAwsError(new Error('something else'))).toBeUndefined();
  });
});
