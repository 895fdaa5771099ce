import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..', '..');
const run = promisify(execFile);

interface PackageJson {
  private?: boolean;
  version: string;
  bin: Record<string, string>;
  files: string[];
  dependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
}

describe('the published package', () => {
  let pkg: PackageJson;
  beforeAll(async () => {
    pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
  });

  it('is publishable, and its bin is the compiled CLI, not the TypeScript sources', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ 'notary-gate': 'dist/cli/notary-gate.cjs' });
    expect(pkg.files.every((entry) => entry.startsWith('dist/'))).toBe(true);
  });

  it('needs nothing at run time that the bundle does not hold: tsx and the libraries are development tools', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.devDependencies).toHaveProperty('tsx');
  });
});

describe('the compiled CLI (scripts/bundle-cli.mjs), run from a folder with no node_modules above it', () => {
  let dir: string;
  let entry: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-cli-bundle-'));
    // The project's build script, as `npm run build` and `npm pack` run it.
    await run(process.execPath, [path.join(ROOT, 'scripts', 'bundle-cli.mjs'), '--outdir', path.join(dir, 'cli')], {
      cwd: ROOT,
      timeout: 60_000,
    });
    entry = path.join(dir, 'cli', 'notary-gate.cjs');
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const cli = (args: string[]) =>
    run(process.execPath, [entry, ...args], { cwd: dir, env: { PATH: process.env.PATH }, timeout: 30_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('starts with a shebang, so npm can link it as the bin', async () => {
    expect((await readFile(entry, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints the version of package.json', async () => {
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg().version);
  });

  it('checks images with a policy, with the exit codes of the contract', async () => {
    const policy = path.join(ROOT, 'examples', 'policy-allow-deny.yaml');
    const allowed = await cli(['check', '--policy', policy, 'nginx:1.25.3']);
    expect(allowed).toMatchObject({ code: 0, stdout: expect.stringContaining('ALLOWED_BY_RULE') });
    const denied = await cli(['check', '--policy', policy, 'evil.example.com/miner']);
    expect(denied).toMatchObject({ code: 1, stdout: expect.stringContaining('DENIED_BY_RULE') });
  });

  it('answers --help and --version exactly as the program (commander) does, from the bin alone', async () => {
    const program = path.join(path.dirname(entry), 'main.mjs');
    for (const arg of ['--help', '-h', '--version', '-V']) {
      const fromBin = await cli([arg]);
      const fromProgram = await run(process.execPath, [program, arg], { env: { PATH: process.env.PATH } });
      expect(fromBin).toEqual({ code: 0, stdout: fromProgram.stdout, stderr: '' });
    }
    expect((await cli(['--help'])).stdout).toMatch(/^Usage: notary-gate \[options\] \[command\]\n/);
  });

  it('is a small CommonJS file that imports nothing of its own: the program is a dynamic import of main.mjs', async () => {
    const text = await readFile(entry, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThan(8 * 1024);
    expect(text).not.toMatch(/\bimport\s*[{*\w]|require\("\.|\bexport\b/);
  });

  it('loads under 128 KiB of JavaScript to start a command: the command bodies (yaml, zod, the AWS SDK) are lazy chunks', async () => {
    // The program is commander and the option tables (about 70 KiB); yaml alone is 115 KiB, the AWS SDK far more.
    expect(await staticallyLoadedBytes(path.join(path.dirname(entry), 'main.mjs'))).toBeLessThan(128 * 1024);
  });
});

function pkg(): PackageJson {
  return require(path.join(ROOT, 'package.json')) as PackageJson;
}

/** Bytes of a module and of every module it imports statically (`import ... from "./x.mjs"`), each once. */
async function staticallyLoadedBytes(file: string, seen = new Set<string>()): Promise<number> {
  if (seen.has(file)) return 0;
  seen.add(file);
  const text = await readFile(file, 'utf8');
  let bytes = Buffer.byteLength(text);
  for (const match of text.matchAll(/(?:from|import)\s*"(\.[^"]+\.mjs)"/g)) {
    bytes += await staticallyLoadedBytes(path.resolve(path.dirname(file), match[1]!), seen);
  }
  return bytes;
}
