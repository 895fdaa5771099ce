/**
 * Whether the real-server tests can run here. Without `notary-server` they are skipped with a printed reason,
 * unless NOTARY_GATE_REQUIRE_INTEGRATION=1 (set by .ci/run): then a missing server is a failure, never a skip.
 */
import { execFileSync } from 'node:child_process';

const REQUIRED_COMMANDS = ['notary-server', 'notary-signer', 'notary', 'openssl'];

function missingCommands(): string[] {
  return REQUIRED_COMMANDS.filter((command) => {
    try {
      execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

const missing = missingCommands();
const required = process.env.NOTARY_GATE_REQUIRE_INTEGRATION === '1';

/**
 * `describe` for suites that need a real Notary server: runs them when the tools are installed; otherwise says
 * why they are skipped, or fails when integration tests are required.
 */
export function describeWithNotary(name: string, body: () => void): void {
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const why = `needs ${missing.join(', ')} (Debian package \`notary\`; \`apt-get install notary openssl\`)`;
  if (required) {
    describe(name, () => {
      it('has a real Notary server to test against', () => {
        throw new Error(`NOTARY_GATE_REQUIRE_INTEGRATION=1 but this machine lacks: ${why}`);
      });
    });
    return;
  }
  console.warn(`SKIPPED "${name}": ${why}. Set NOTARY_GATE_REQUIRE_INTEGRATION=1 to make this a failure.`);
  describe.skip(name, body);
}
