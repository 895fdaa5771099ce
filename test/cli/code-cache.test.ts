import path from 'node:path';
import { cacheFileName, codeCacheFolder } from '../../cli/code-cache';

describe('codeCacheFolder', () => {
  it("is each platform's per-user cache folder", () => {
    expect(codeCacheFolder({}, 'linux', '/home/ana')).toBe('/home/ana/.cache/notary-gate/compile-cache');
    expect(codeCacheFolder({ XDG_CACHE_HOME: '/var/cache/ana' }, 'linux', '/home/ana')).toBe(
      '/var/cache/ana/notary-gate/compile-cache',
    );
    // XDG says a relative XDG_CACHE_HOME is invalid and to be ignored.
    expect(codeCacheFolder({ XDG_CACHE_HOME: 'cache' }, 'linux', '/home/ana')).toBe(
      '/home/ana/.cache/notary-gate/compile-cache',
    );
    expect(codeCacheFolder({}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Caches/notary-gate/compile-cache');
    expect(codeCacheFolder({ LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' }, 'win32', 'C:\\Users\\ana')).toBe(
      path.join('C:\\Users\\ana\\AppData\\Local', 'notary-gate', 'compile-cache'),
    );
  });

  it('is the folder NOTARY_GATE_COMPILE_CACHE names, and none when disabled or without a home', () => {
    expect(codeCacheFolder({ NOTARY_GATE_COMPILE_CACHE: '/srv/cache' }, 'linux', '/home/ana')).toBe('/srv/cache');
    expect(codeCacheFolder({ NOTARY_GATE_DISABLE_COMPILE_CACHE: '1' }, 'linux', '/home/ana')).toBeUndefined();
    expect(
      codeCacheFolder({ NOTARY_GATE_DISABLE_COMPILE_CACHE: '1', NOTARY_GATE_COMPILE_CACHE: '/srv' }, 'linux', '/h'),
    ).toBeUndefined();
    expect(codeCacheFolder({}, 'linux', undefined)).toBeUndefined();
    expect(codeCacheFolder({}, 'win32', 'C:\\Users\\ana')).toBeUndefined();
  });
});

describe('cacheFileName', () => {
  const program = Buffer.from('console.log(1);');

  it('differs for programs of the same length (V8 itself compares only the length)', () => {
    const other = Buffer.from('console.log(2);');
    expect(other.length).toBe(program.length);
    expect(cacheFileName(other, 'check')).not.toBe(cacheFileName(program, 'check'));
    expect(cacheFileName(program, 'check')).toBe(cacheFileName(Buffer.from(program), 'check'));
  });

  it('is one per command; anything that is not a command name is "other"', () => {
    expect(cacheFileName(program, 'check')).toMatch(/^check-[0-9a-f]{32}\.bin$/);
    expect(cacheFileName(program, 'webhook-config')).toMatch(/^webhook-config-[0-9a-f]{32}\.bin$/);
    expect(cacheFileName(program, '../../etc/x')).toMatch(/^other-[0-9a-f]{32}\.bin$/);
    expect(cacheFileName(program, '')).toMatch(/^other-/);
  });
});
