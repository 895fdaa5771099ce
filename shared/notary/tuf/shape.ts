/**
 * Checks of JSON values against a shape, for TUF metadata (./metadata.ts): each shape is a function that returns
 * a typed copy of the value holding only the members the shape names, or throws MalformedValue with the path to
 * the first thing that does not fit. The semantics are those the zod schemas had: objects are plain JSON objects
 * (not arrays, not null), unknown members are left out of the copy, `optional` allows absence, `nullish` also
 * null, integers are safe integers. Records are copied with own properties only: a member named `__proto__`
 * stays a member and never becomes the copy's prototype.
 */

/** Where in the value (member names and array indexes) and what is wrong. */
export class MalformedValue extends Error {
  constructor(
    readonly path: readonly (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

export type Shape<T> = (value: unknown, path: readonly (string | number)[]) => T;

/** A shape of an optional member: the object shape leaves the member out when this says it is absent. */
interface MemberShape<T> extends Shape<T> {
  readonly mayBeAbsent?: true;
}

type Shaped<S> = { [K in keyof S]: S[K] extends Shape<infer T> ? T : never };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const string: Shape<string> = (value, path) => {
  if (typeof value !== 'string') throw new MalformedValue(path, `expected a string, got ${describe(value)}`);
  return value;
};

/** A safe integer, at least `min` when given. */
export function integer({ min }: { min?: number } = {}): Shape<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new MalformedValue(
        path,
        `expected an integer, got ${describe(value) === 'number' ? value : describe(value)}`,
      );
    }
    if (min !== undefined && value < min) throw new MalformedValue(path, `expected an integer >= ${min}, got ${value}`);
    return value;
  };
}

export function literal<const L extends string>(expected: L): Shape<L> {
  return (value, path) => {
    if (value !== expected) throw new MalformedValue(path, `expected "${expected}"`);
    return expected;
  };
}

export function arrayOf<T>(item: Shape<T>): Shape<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw new MalformedValue(path, `expected an array, got ${describe(value)}`);
    return value.map((element, index) => item(element, [...path, index]));
  };
}

/** An object used as a map: every member's value has the item's shape. */
export function recordOf<T>(item: Shape<T>): Shape<Record<string, T>> {
  return (value, path) => {
    if (!isPlainObject(value)) throw new MalformedValue(path, `expected an object, got ${describe(value)}`);
    const copy: Record<string, T> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(copy, key, {
        value: item(value[key], [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  };
}

/** Any JSON object, as it is (the envelope's `signed`, checked against its role's shape afterwards). */
export const unknownRecord: Shape<Record<string, unknown>> = (value, path) => {
  if (!isPlainObject(value)) throw new MalformedValue(path, `expected an object, got ${describe(value)}`);
  return value;
};

export function optional<T>(shape: Shape<T>): MemberShape<T | undefined> {
  const checked: MemberShape<T | undefined> = (value, path) => (value === undefined ? undefined : shape(value, path));
  return Object.assign(checked, { mayBeAbsent: true as const });
}

export function nullish<T>(shape: Shape<T>): MemberShape<T | null | undefined> {
  const checked: MemberShape<T | null | undefined> = (value, path) =>
    value === undefined || value === null ? value : shape(value, path);
  return Object.assign(checked, { mayBeAbsent: true as const });
}

/** An object with these members (and maybe others, which the copy leaves out). */
export function objectOf<S extends Record<string, Shape<unknown>>>(members: S): Shape<Shaped<S>> {
  const entries = Object.entries(members) as [string, MemberShape<unknown>][];
  return (value, path) => {
    if (!isPlainObject(value)) throw new MalformedValue(path, `expected an object, got ${describe(value)}`);
    const copy: Record<string, unknown> = {};
    for (const [key, shape] of entries) {
      const member = Object.hasOwn(value, key) ? value[key] : undefined;
      const checked = shape(member, [...path, key]);
      if (checked === undefined && shape.mayBeAbsent) continue;
      copy[key] = checked;
    }
    return copy as Shaped<S>;
  };
}
