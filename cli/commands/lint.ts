import type { Command } from 'commander';
import { EXIT, runCommand } from '../exit';

interface LintOptions {
  json?: boolean;
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('validate a policy exactly as the webhook and cdk synth load it, and warn about likely mistakes')
    .argument('<policy>', 'the policy file (YAML or JSON)')
    .option('--json', 'print {"valid", "policy", "rules", "warnings": [{code, field, message, suggestion}], "error"}')
    .addHelpText(
      'after',
      [
        '',
        'The policy is loaded by the same loader as the webhook and cdk synth (files it names are read; credentials',
        'are not looked up, as at synth). Warnings (stderr, exit 0): a match glob that can never match a normalized',
        'name (with the glob to write), trust on first use (notary without rootKeys), delegations without targets,',
        'a Notation trust store that no trust policy statement names.',
        '',
        'Exit codes: 0 valid (warnings or not), 2 invalid policy or unreadable file.',
        'Examples:',
        '  notary-gate lint policy.yaml',
        '  notary-gate lint --json examples/policy.yaml',
      ].join('\n'),
    )
    .action((file: string, options: LintOptions) => runCommand(() => lint(file, options)));
}

async function lint(file: string, options: LintOptions): Promise<number> {
  const { loadPolicy } = await import('../../shared/policy/load');
  const { lintPolicy } = await import('../../shared/policy/lint');
  let policy: Awaited<ReturnType<typeof loadPolicy>>;
  try {
    policy = await loadPolicy({ file, validateOnly: true });
  } catch (error) {
    if (options.json) {
      const { describeError } = await import('../../shared/describe-error');
      const code = (error as { code?: unknown }).code;
      const result = { valid: false, policy: file, error: { code, message: describeError(error) }, warnings: [] };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    }
    throw error;
  }
  const warnings = lintPolicy(policy);
  for (const warning of warnings) {
    process.stderr.write(`notary-gate: warning: ${warning.code}: ${warning.field}: ${warning.message}\n`);
  }
  if (options.json) {
    const result = { valid: true, policy: file, rules: policy.rules.length, warnings };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const count = `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
    process.stdout.write(
      `${file}: valid, ${policy.rules.length} rule${policy.rules.length === 1 ? '' : 's'}, ${count}\n`,
    );
  }
  return EXIT.ok;
}
