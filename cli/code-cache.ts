/**
 * Runs the compiled program (dist/cli/main.cjs) with a V8 code cache, so that a run after the first one neither
 * parses nor compiles it again: what `module.enableCompileCache()` does for ES modules on Node.js 22.1+, here for
 * every supported Node.js (20.19 has no compile cache at all). Compiling the program and the functions a `check`
 * runs for the first time (yaml, zod, the TUF client) was about a third of a cold `check` (docs/performance.md).
 *
 * The cache is bytecode that this process will run, so it is read only from a folder the user alone can write:
 * owned by the user, not writable by group or others, the file too (a cache planted by someone else is code they
 * run as you). It is keyed by the program's exact bytes, the node version, the architecture and the V8 flags;
 * one file per command, written after the command ran, so it holds the functions that command compiled. Anything
 * that goes wrong (no home folder, a read-only one, a foreign or damaged cache, a cache V8 rejects) only means
 * compiling as without a cache: the cache never changes what the program does, nor whether it runs.
 */
import { createHash } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';

/** Runs the program (`command`: the first argument) with the cache of the user's cache folder. */
export function runProgram(file: string, command: string): CodeCacheOutcome {
  (Module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  return runWithCodeCache({ file, folder: codeCacheFolder(process.env, process.platform, homeFolder()), command });
}

function homeFolder(): string | undefined {
  try {
    return os.homedir() || undefined;
  } catch {
    return undefined;
  }
}

/** Where the cache goes, from the environment; undefined when caching is off. */
export function codeCacheFolder(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string | undefined,
): string | undefined {
  if (env.NOTARY_GATE_DISABLE_COMPILE_CACHE) return undefined;
  if (env.NOTARY_GATE_COMPILE_CACHE) return path.resolve(env.NOTARY_GATE_COMPILE_CACHE);
  // Each platform's per-user cache folder (XDG on Linux and the other Unixes).
  let base: string | undefined;
  if (platform === 'win32') base = env.LOCALAPPDATA;
  else if (platform === 'darwin') base = home && path.join(home, 'Library', 'Caches');
  else
    base =
      env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
        ? env.XDG_CACHE_HOME
        : home && path.join(home, '.cache');
  return base ? path.join(base, 'notary-gate', 'compile-cache') : undefined;
}

export type CodeCacheOutcome =
  /** V8 took the cache: nothing was compiled ahead of running. */
  | 'used'
  /** No cache for this program yet (or V8 refused the one there): compiled, and a cache is written at exit. */
  | 'compiled'
  /** Caching is off, or the folder is not the user's alone: compiled, nothing written. */
  | 'off';

export interface RunOptions {
  /** The program: a CommonJS file. */
  readonly file: string;
  /** Where caches live; undefined: no cache. */
  readonly folder: string | undefined;
  /** Which command runs (a cache per command holds what that command compiled). */
  readonly command: string;
}

/** Compiles (or takes from the cache) and runs the program as node would run it as a CommonJS main module. */
export function runWithCodeCache({ file, folder, command }: RunOptions): CodeCacheOutcome {
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const cacheFile = folder === undefined ? undefined : path.join(folder, cacheFileName(bytes, command));
  const cachedData = folder && cacheFile ? readPrivateFile(folder, cacheFile) : undefined;
  const script = new Script(Module.wrap(source), { filename: file, ...(cachedData && { cachedData }) });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  const writable = folder !== undefined && cacheFile !== undefined && !used && usableFolder(folder, true);
  // At exit the script holds every function this command compiled, not only its top level.
  if (writable) process.once('exit', () => writeCache(folder, cacheFile, script));
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  return used ? 'used' : writable ? 'compiled' : 'off';
}

/**
 * Names the program's exact bytes, the node that runs it and its V8 flags. V8 itself compares only the source's
 * length with the cache's: a rebuilt program of the same length would run the old one's bytecode.
 */
export function cacheFileName(program: Uint8Array, command: string): string {
  const key = createHash('sha256')
    .update(program)
    .update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`)
    .digest('hex')
    .slice(0, 32);
  return `${safeCommand(command)}-${key}.bin`;
}

function safeCommand(command: string): string {
  return /^[a-z][a-z-]{0,31}$/.test(command) ? command : 'other';
}

/**
 * Whether the folder is the user's alone (owned by them, not writable by group or others); with `create`, made
 * (mode 0700) when missing. Windows has no such modes: the per-user LOCALAPPDATA folder is trusted as it is.
 */
function usableFolder(folder: string, create: boolean): boolean {
  try {
    if (create) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      // A read-only file system: no point serializing a cache at exit that cannot be written.
      accessSync(folder, constants.W_OK);
    }
    return privateToUser(statSync(folder));
  } catch {
    return false;
  }
}

function privateToUser(stat: { uid: number; mode: number }): boolean {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
  return stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
}

/** The file's bytes when folder and file are the user's alone, else undefined (never follows a symbolic link). */
function readPrivateFile(folder: string, file: string): Buffer | undefined {
  if (!usableFolder(folder, false)) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const stat = fstatSync(fd);
    if (!stat.isFile() || !privateToUser(stat)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the cache beside a temporary name and renames it into place (readers see a whole file or none). */
function writeCache(folder: string, cacheFile: string, script: Script): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(temporary, cacheFile);
    removeOtherCaches(folder, path.basename(cacheFile));
  } catch {
    rmSync(temporary, { force: true });
  }
}

/** One cache per command: those of earlier versions (or another node) go when a new one is written. */
function removeOtherCaches(folder: string, keep: string): void {
  const prefix = keep.slice(0, keep.lastIndexOf('-') + 1);
  for (const name of readdirSync(folder)) {
    if (name !== keep && name.startsWith(prefix) && name.endsWith('.bin'))
      rmSync(path.join(folder, name), { force: true });
  }
}
