import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
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
  /** The code cache of the runs below (never the user's own ~/.cache). */
  let cacheDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-cli-bundle-'));
    // The project's build script, as `npm run build` and `npm pack` run it.
    await run(process.execPath, [path.join(ROOT, 'scripts', 'bundle-cli.mjs'), '--outdir', path.join(dir, 'cli')], {
      cwd: ROOT,
      timeout: 60_000,
    });
    entry = path.join(dir, 'cli', 'notary-gate.cjs');
    cacheDir = path.join(dir, 'cache');
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const cli = (args: string[], env: NodeJS.ProcessEnv = { NOTARY_GATE_COMPILE_CACHE: cacheDir }) =>
    run(process.execPath, [entry, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env },
      timeout: 30_000,
    }).then(
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
    const program = path.join(path.dirname(entry), 'main.cjs');
    for (const arg of ['--help', '-h', '--version', '-V']) {
      const fromBin = await cli([arg]);
      const fromProgram = await run(process.execPath, [program, arg], { env: { PATH: process.env.PATH } });
      expect(fromBin).toEqual({ code: 0, stdout: fromProgram.stdout, stderr: '' });
    }
    expect((await cli(['--help'])).stdout).toMatch(/^Usage: notary-gate \[options\] \[command\]\n/);
  });

  it('is a small CommonJS file that loads nothing of its own but the program, main.cjs', async () => {
    const text = await readFile(entry, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThan(8 * 1024);
    expect(text).not.toMatch(/\bimport\s*[{*\w(]|require\("\.|\bexport\b/);
    expect(text).toContain('/main.cjs');
  });

  it('keeps the heavy libraries (the AWS SDK, pkijs, cborg) out of the program: vendor chunks, required on first use', async () => {
    // The program is commander, yaml, zod and our code (about 560 KiB); the vendor chunks are 1.3 MiB more, which
    // every run without a code cache would parse if they were in it.
    const program = await readFile(path.join(path.dirname(entry), 'main.cjs'), 'utf8');
    expect(Buffer.byteLength(program)).toBeLessThan(640 * 1024);
    const vendored = [...program.matchAll(/require\("\.\/vendor\/([\w-]+)\.mjs"\)/g)].map((match) => match[1]);
    expect(new Set(vendored)).toEqual(new Set(Object.keys(VENDOR_MEMBERS)));
    // require() of each vendor module from a CommonJS file, as the program does (no top-level await in them), with
    // the library's named exports (a CommonJS build as the entry would give only `default`).
    const vendorDir = path.join(path.dirname(entry), 'vendor');
    const loads = `for (const [name, member] of ${JSON.stringify(Object.entries(VENDOR_MEMBERS))}) { const m = require(${JSON.stringify(vendorDir)} + '/' + name + '.mjs'); if (typeof m[member] !== 'function') throw new Error(name + ' has no ' + member); }`;
    await expect(run(process.execPath, ['-e', loads], { timeout: 30_000 })).resolves.toMatchObject({ stderr: '' });
  });

  it('a check loads none of the node modules it does not use (child_process, which commander requires eagerly)', async () => {
    // A preloaded script reports, at exit, the node built-ins the run loaded.
    const report = path.join(dir, 'report-builtins.cjs');
    await writeFile(
      report,
      "process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')))));",
    );
    const policy = path.join(ROOT, 'examples', 'policy-allow-deny.yaml');
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', report, entry, 'check', '--policy', policy, 'nginx:1.25.3'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, NOTARY_GATE_COMPILE_CACHE: cacheDir },
      },
    );
    expect(stdout).toContain('ALLOWED_BY_RULE');
    const loaded = JSON.parse(stderr) as string[];
    expect(loaded).toContain('NativeModule fs');
    expect(loaded).not.toContain('NativeModule child_process');
  });

  describe('the code cache (cli/code-cache.ts)', () => {
    const policy = path.join(ROOT, 'examples', 'policy-allow-deny.yaml');
    const checkNginx = ['check', '--policy', policy, 'nginx:1.25.3'];
    const cacheFiles = async (folder: string) =>
      (await readdir(folder).catch(() => [])).filter((n) => n.endsWith('.bin'));

    it('is written after the first run of a command, private to the user, and used (not rewritten) by the next', async () => {
      const folder = path.join(dir, 'cache-first');
      const first = await cli(checkNginx, { NOTARY_GATE_COMPILE_CACHE: folder });
      expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('ALLOWED_BY_RULE'), stderr: '' });
      const [file] = await cacheFiles(folder);
      expect(file).toMatch(/^check-[0-9a-f]{32}\.bin$/);
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
      const written = await stat(path.join(folder, file!));
      expect(written.mode & 0o777).toBe(0o600);
      expect(written.size).toBeGreaterThan(100 * 1024);
      const second = await cli(checkNginx, { NOTARY_GATE_COMPILE_CACHE: folder });
      expect(second).toEqual(first);
      // A cache V8 took is not written again; a compiled run would have replaced the file (a new inode).
      expect((await stat(path.join(folder, file!))).ino).toBe(written.ino);
      expect(await cacheFiles(folder)).toEqual([file]);
    });

    it('a damaged cache is compiled past and replaced; the run is the same', async () => {
      const folder = path.join(dir, 'cache-damaged');
      const first = await cli(checkNginx, { NOTARY_GATE_COMPILE_CACHE: folder });
      const [file] = await cacheFiles(folder);
      await writeFile(path.join(folder, file!), Buffer.alloc(4096, 7), { mode: 0o600 });
      expect(await cli(checkNginx, { NOTARY_GATE_COMPILE_CACHE: folder })).toEqual(first);
      expect((await stat(path.join(folder, file!))).size).toBeGreaterThan(100 * 1024);
    });

    it('a folder others can write is neither read nor written; a symbolic link is not followed', async () => {
      const shared = path.join(dir, 'cache-shared');
      await mkdir(shared);
      await chmod(shared, 0o777);
      expect(await cli(checkNginx, { NOTARY_GATE_COMPILE_CACHE: shared })).toMatchObject({ code: 0, stderr: '' });
      expect(await cacheFiles(shared)).toEqual([]);

      const folder = path.join(dir, 'cache-link');
      await cli(checkNginx, { NOTARY_GATE_COMPILE_CACHE: folder });
      const [file] = await cacheFiles(folder);
      const elsewhere = path.join(dir, 'planted.bin');
      await writeFile(elsewhere, await readFile(path.join(folder, file!)), { mode: 0o600 });
      await rm(path.join(folder, file!));
      await symlink(elsewhere, path.join(folder, file!));
      expect(await cli(checkNginx, { NOTARY_GATE_COMPILE_CACHE: folder })).toMatchObject({ code: 0, stderr: '' });
      // Not read through the link: the run compiled, and put a file of its own in the link's place.
      expect((await lstat(path.join(folder, file!))).isSymbolicLink()).toBe(false);
    });

    it('off, or a folder that cannot be made, changes nothing but that no cache is written', async () => {
      const folder = path.join(dir, 'cache-off');
      const off = await cli(checkNginx, { NOTARY_GATE_COMPILE_CACHE: folder, NOTARY_GATE_DISABLE_COMPILE_CACHE: '1' });
      expect(off).toMatchObject({ code: 0, stdout: expect.stringContaining('ALLOWED_BY_RULE'), stderr: '' });
      expect(await cacheFiles(folder)).toEqual([]);
      const notAFolder = path.join(dir, 'a-file');
      await writeFile(notAFolder, 'x');
      const denied = await cli(['check', '--policy', policy, 'evil.example.com/miner'], {
        NOTARY_GATE_COMPILE_CACHE: path.join(notAFolder, 'cache'),
      });
      expect(denied).toMatchObject({ code: 1, stdout: expect.stringContaining('DENIED_BY_RULE'), stderr: '' });
    });
  });
});

/** Each vendor module, and a named export the program uses from it. */
const VENDOR_MEMBERS = {
  asn1js: 'fromBER',
  pkijs: 'Certificate',
  cborg: 'decode',
  'aws-sdk-client-dynamodb': 'BatchGetItemCommand',
  'aws-sdk-client-ecr': 'GetAuthorizationTokenCommand',
  'aws-sdk-client-signer': 'GetRevocationStatusCommand',
  'aws-sdk-client-secrets-manager': 'GetSecretValueCommand',
  'aws-sdk-client-cloudformation': 'DescribeStacksCommand',
  'aws-sdk-client-cloudwatch-logs': 'StartQueryCommand',
};

function pkg(): PackageJson {
  return require(path.join(ROOT, 'package.json')) as PackageJson;
}
