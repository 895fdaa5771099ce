/**
 * Whether the real-server tests can run here. Without `notary-server` (or `openssl`, for the suites that only need
 * it) they are skipped with a printed reason, unless NOTARY_GATE_REQUIRE_INTEGRATION=1 (set by .ci/run): then a
 * missing tool is a failure, never a skip.
 */
import { execFileSync } from 'node:child_process';

const REQUIRED_COMMANDS = ['notary-server', 'notary-signer', 'notary', 'openssl'];

function missingCommands(commands: readonly string[] = REQUIRED_COMMANDS): string[] {
  return commands.filter((command) => {
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
  describeWhenInstalled(
    name,
    body,
    missing,
    'Debian package `notary`; `apt-get install notary openssl`',
    'Notary server',
  );
}

const REGISTRY_COMMANDS = ['docker-registry', 'skopeo', 'openssl', 'perl'];

/** `describe` for suites that need the real distribution registry and skopeo (same rules as describeWithNotary). */
export function describeWithRegistry(name: string, body: () => void): void {
  describeWhenInstalled(
    name,
    body,
    missingCommands(REGISTRY_COMMANDS),
    'Debian packages `docker-registry` and `skopeo`; `apt-get install docker-registry skopeo openssl`',
    'OCI registry',
  );
}

/**
 * `describe` for suites that drive the real `openssl` binary (`openssl ts`, `ocsp`, `ca`): same rules as
 * describeWithNotary, never a silent skip.
 */
export function describeWithOpenssl(name: string, body: () => void): void {
  describeWhenInstalled(name, body, missingCommands(['openssl']), '`apt-get install openssl`', 'openssl');
}

function describeWhenInstalled(
  name: string,
  body: () => void,
  lacking: readonly string[],
  install: string,
  what: string,
): void {
  if (lacking.length === 0) {
    describe(name, body);
    return;
  }
  const why = `needs ${lacking.join(', ')} (${install})`;
  if (required) {
    describe(name, () => {
      it(`has a real ${what} to test against`, () => {
        throw new Error(`NOTARY_GATE_REQUIRE_INTEGRATION=1 but this machine lacks: ${why}`);
      });
    });
    return;
  }
  console.warn(`SKIPPED "${name}": ${why}. Set NOTARY_GATE_REQUIRE_INTEGRATION=1 to make this a failure.`);
  describe.skip(name, body);
}
