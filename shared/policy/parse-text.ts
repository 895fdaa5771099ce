/**
 * Policy text to a value: YAML 1.2, of which JSON is a subset. One shortcut: a text that is exactly what
 * `JSON.stringify` writes (the policy `cdk synth` stages into the Lambda's code asset, infra/policy-bundle.ts) is
 * read with `JSON.parse`, so a cold start never loads the YAML parser (issue 13: about 10 ms of module init).
 * The shortcut gives the same value YAML would: for such text the two parsers agree, and any text that does not
 * come back unchanged from `JSON.stringify(JSON.parse(text))` goes to YAML, duplicate keys included (JSON.parse
 * keeps the last, so the round trip differs), where they are an error as before.
 */

/** Bounds alias expansion ("billion laughs"): far more than any real policy uses. */
export const MAX_ALIAS_COUNT = 100;

export async function parsePolicyText(text: string, fail: (message: string) => never): Promise<unknown> {
  const canonical = canonicalJson(text);
  if (canonical !== undefined) return canonical;
  const { parseAllDocuments } = await loadYaml();
  const documents = parseAllDocuments(text, { prettyErrors: false });
  if (documents.length === 0) return fail('the policy is empty');
  if (documents.length !== 1) return fail(`expected one YAML document, found ${documents.length}`);
  const [document] = documents;
  const error = document?.errors[0];
  if (error)
    return fail(`not valid YAML or JSON at ${lineAndColumn(text, error.pos[0])}: ${error.message.split('\n')[0]}`);
  let value: unknown;
  try {
    // Resolving aliases throws a ReferenceError when MAX_ALIAS_COUNT is hit or an alias names no anchor: an invalid
    // policy, not an internal error.
    value = document?.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return fail(`not valid YAML: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return fail('the policy is empty');
  return value;
}

/**
 * The yaml package, imported on first use. It is CommonJS: bundled (esbuild), its dynamic import gives the exports
 * as `default` only; node and tsx give them as `default` too, beside the named ones.
 */
type Yaml = typeof import('yaml');

async function loadYaml(): Promise<Yaml> {
  const module: Yaml & { default?: Yaml } = await import('yaml');
  return module.default ?? module;
}

/** The value of a JSON object written by `JSON.stringify` (no whitespace but around it), or undefined. */
function canonicalJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return JSON.stringify(value) === trimmed ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `line L, column C` (both from 1) of a character offset, as editors count them. */
export function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.length - before.replaceAll('\n', '').length + 1;
  return `line ${line}, column ${before.length - lineStart + 1}`;
}
