/**
 * fast-check arbitraries for fuzzing with real inputs: a JSON document with one or a few of its values deleted,
 * replaced by random JSON, or replaced by a value of the wrong type. Starting from real AdmissionReviews and
 * policies reaches deep into a parser, where random JSON alone seldom gets past the first check.
 */
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Values that a schema is likely to trip on: wrong types, empty values, boundary numbers, odd strings. */
export const awkwardValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, '', ' ', '\u0000', '\u202e', '💥', [], {}, [null], {
    '': null,
  }),
  fc.constantFrom<Json>('__proto__', 'constructor', 'CREATE', 'DELETE', 'admission.k8s.io/v1', 'Pod', 'sha256:'),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** Every path to a value in `document` (objects and arrays included), root first. */
export function pathsOf(document: Json, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(document)) {
    for (const [index, value] of document.entries()) paths.push(...pathsOf(value, [...prefix, index]));
  } else if (document !== null && typeof document === 'object') {
    for (const [key, value] of Object.entries(document)) paths.push(...pathsOf(value, [...prefix, key]));
  }
  return paths;
}

type Mutation = {
  path: Path;
  change: { kind: 'delete' } | { kind: 'set'; value: Json } | { kind: 'add'; key: string; value: Json };
};

/** `document` with 1 to `maxMutations` random changes. The input is never modified. */
export function mutated(document: Json, maxMutations = 3): fc.Arbitrary<Json> {
  const paths = pathsOf(document);
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    path: fc.constantFrom(...paths),
    change: fc.oneof(
      fc.constant({ kind: 'delete' as const }),
      awkwardValue.map((value) => ({ kind: 'set' as const, value })),
      fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), fc.constant('__proto__')), awkwardValue).map(([key, value]) => ({
        kind: 'add' as const,
        key,
        value,
      })),
    ),
  });
  return fc
    .array(mutation, { minLength: 1, maxLength: maxMutations })
    .map((mutations) => mutations.reduce((doc, m) => apply(doc, m), structuredClone(document)));
}

function apply(document: Json, { path, change }: Mutation): Json {
  if (path.length === 0) {
    if (change.kind === 'set') return change.value;
    if (change.kind === 'add' && isObject(document)) return withKey(document, change.key, change.value);
    return change.kind === 'delete' ? null : document;
  }
  const parent = lookup(document, path.slice(0, -1));
  const last = path[path.length - 1] as string | number;
  if (parent === undefined) return document; // an earlier mutation removed it
  if (Array.isArray(parent) && typeof last === 'number') {
    if (change.kind === 'delete') parent.splice(last, 1);
    else if (change.kind === 'set') parent[last] = change.value;
    else parent.push(change.value);
  } else if (isObject(parent) && typeof last === 'string') {
    if (change.kind === 'delete') delete parent[last];
    else if (change.kind === 'set') parent[last] = change.value;
    else {
      const target = parent[last];
      if (isObject(target)) parent[last] = withKey(target, change.key, change.value);
    }
  }
  return document;
}

/** Sets a key as JSON.parse would (an own property, even for `__proto__`). */
function withKey(object: { [key: string]: Json }, key: string, value: Json): { [key: string]: Json } {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

function lookup(document: Json, path: Path): Json | undefined {
  let current: Json | undefined = document;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isObject(current) && typeof key === 'string' && Object.hasOwn(current, key)) current = current[key];
    else return undefined;
  }
  return current;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
