/**
 * Small process and network helpers for the test harness: free loopback ports, running a command to
 * completion, starting a daemon whose output goes to a log file, and stopping it by PID.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it: never a fixed port, tests run in parallel). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

/** Runs a command to completion; rejects with its stderr when it fails. */
export async function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<string> {
  try {
    const pending = execFileAsync(command, [...args], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    // Answers a prompt (e.g. `notary key rotate` asks for "yes"); otherwise stdin is closed at once.
    // A command that exits before reading stdin makes the write fail with EPIPE: that is not its failure.
    pending.child.stdin?.on('error', () => {});
    if (options.input) pending.child.stdin?.end(options.input);
    else pending.child.stdin?.end();
    const { stdout } = await pending;
    return stdout;
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failure.stderr || failure.message}`, { cause: error });
  }
}

/** Whether a command is on PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  try {
    await execFileAsync('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/** Starts a long-running process with stdout and stderr appended to `logFile`. */
export function startDaemon(command: string, args: readonly string[], logFile: string, cwd: string): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn(command, [...args], { cwd, stdio: ['ignore', log, log] });
}

/** Stops a process we started, by its PID, and waits for it to exit (SIGKILL after a grace period). */
export async function stopDaemon(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 3_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `probe` until it resolves true (bounded), for daemons to become ready. */
export async function waitFor(what: string, probe: () => Promise<boolean>, attempts = 100): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not become ready`);
}
