import { rootSchema, targetsSchema } from '../../../../shared/notary/tuf/metadata';
import {
  arrayOf,
  integer,
  literal,
  MalformedValue,
  nullish,
  objectOf,
  optional,
  recordOf,
  string,
} from '../../../../shared/notary/tuf/shape';

function malformed(run: () => unknown): MalformedValue {
  try {
    run();
  } catch (error) {
    if (error instanceof MalformedValue) return error;
    throw error;
  }
  throw new Error('expected MalformedValue');
}

describe('TUF metadata shapes', () => {
  const role = objectOf({ keyids: arrayOf(string), threshold: integer(), paths: optional(arrayOf(string)) });

  it('copies only the members the shape names, leaving absent optional ones absent', () => {
    const copy = role({ keyids: ['a'], threshold: 1, extra: { deep: true } }, []);
    expect(copy).toEqual({ keyids: ['a'], threshold: 1 });
    expect(Object.hasOwn(copy, 'paths')).toBe(false);
    expect(role({ keyids: [], threshold: 2, paths: ['x/*'] }, [])).toEqual({
      keyids: [],
      threshold: 2,
      paths: ['x/*'],
    });
  });

  it('names the path to the first member that does not fit', () => {
    const shape = recordOf(role);
    const error = malformed(() =>
      shape({ good: { keyids: [], threshold: 1 }, bad: { keyids: ['a', 7], threshold: 1 } }, []),
    );
    expect(error.path).toEqual(['bad', 'keyids', 1]);
    expect(error.message).toBe('expected a string, got number');
    expect(malformed(() => role({ keyids: [] }, ['roles', 'root'])).path).toEqual(['roles', 'root', 'threshold']);
  });

  it('refuses what JSON objects, arrays and integers are not', () => {
    expect(malformed(() => role([], [])).message).toBe('expected an object, got an array');
    expect(malformed(() => role(null, [])).message).toBe('expected an object, got null');
    expect(malformed(() => recordOf(string)(['a'], [])).message).toBe('expected an object, got an array');
    expect(malformed(() => arrayOf(string)({}, [])).message).toBe('expected an array, got an object');
    expect(malformed(() => integer()(1.5, [])).message).toBe('expected an integer, got 1.5');
    expect(malformed(() => integer()(2 ** 60, [])).message).toMatch(/expected an integer/);
    expect(malformed(() => integer({ min: 0 })(-1, [])).message).toBe('expected an integer >= 0, got -1');
    expect(malformed(() => integer()('1', [])).message).toBe('expected an integer, got string');
    expect(malformed(() => literal('Root')('Targets', [])).message).toBe('expected "Root"');
    expect(integer({ min: 0 })(0, [])).toBe(0);
  });

  it('optional allows absence only; nullish also null, which it keeps', () => {
    const shape = objectOf({ a: optional(string), b: nullish(arrayOf(string)) });
    expect(shape({}, [])).toEqual({});
    expect(shape({ b: null }, [])).toEqual({ b: null });
    expect(malformed(() => shape({ a: null }, [])).path).toEqual(['a']);
  });

  it('keeps a member named __proto__ as a member: it never becomes the prototype of the copy', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "yes"}, "plain": {"polluted": "no"}}');
    const copy = recordOf(objectOf({ polluted: string }))(parsed, []);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'plain']);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ polluted: 'yes' });
    expect((copy as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads the roles of notary metadata as before (root, targets with and without delegations)', () => {
    const root = {
      _type: 'Root',
      version: 1,
      expires: '2030-01-01T00:00:00Z',
      consistent_snapshot: false,
      keys: { k1: { keytype: 'ecdsa-x509', keyval: { public: 'AAAA', private: null } } },
      roles: { root: { keyids: ['k1'], threshold: 1 } },
    };
    expect(rootSchema(root, [])).toEqual({
      _type: 'Root',
      version: 1,
      expires: '2030-01-01T00:00:00Z',
      keys: { k1: { keytype: 'ecdsa-x509', keyval: { public: 'AAAA' } } },
      roles: { root: { keyids: ['k1'], threshold: 1 } },
    });
    const targets = {
      _type: 'Targets',
      version: 3,
      expires: 'x',
      targets: null,
      delegations: { keys: {}, roles: null },
    };
    expect(targetsSchema(targets, [])).toEqual(targets);
    expect(targetsSchema({ _type: 'Targets', version: 0, expires: 'x' }, [])).toEqual({
      _type: 'Targets',
      version: 0,
      expires: 'x',
    });
    expect(malformed(() => rootSchema({ ...root, version: -1 }, [])).path).toEqual(['version']);
  });
});
