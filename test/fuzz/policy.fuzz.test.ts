/**
 * Fuzzing the policy loader: random text, random JSON, hostile YAML, and mutations of the shipped example
 * policies (as YAML and as JSON, and with their text cut or sprinkled with stray characters). The loader either
 * returns a policy or rejects with InvalidPolicyError, whose message names the policy; nothing else.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { InvalidPolicyError } from '../../shared/errors';
import { loadPolicy } from '../../shared/policy/load';
import { mutated } from './support/mutate';
import { fuzzParams } from './support/params';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const exampleTexts = ['policy.yaml', 'policy-allow-deny.yaml'].map((name) =>
  readFileSync(path.join(EXAMPLES, name), 'utf8'),
);
const exampleDocuments = exampleTexts.map((text) => parse(text));
/** The example's credentials come from these variables; present, so that valid mutations load completely. */
const env = { NOTARY_USERNAME: 'fuzz', NOTARY_PASSWORD: 'fuzz' };

/** Loads the text; resolves 'loaded' or 'refused', and fails the property on any other outcome. */
async function loadOrRefuse(text: string): Promise<'loaded' | 'refused'> {
  try {
    await loadPolicy({ text, baseDir: EXAMPLES, env });
    return 'loaded';
  } catch (error) {
    if (error instanceof InvalidPolicyError) {
      expect(error.message).toMatch(/^invalid policy \(inline policy\): ./);
      return 'refused';
    }
    throw error;
  }
}

const params = fuzzParams(200);

/** Stray characters that matter to YAML or JSON. */
const stray = fc.constantFrom(
  ':',
  '-',
  '[',
  ']',
  '{',
  '}',
  '&a',
  '*a',
  '!',
  '!!binary',
  '|',
  '>',
  '#',
  '"',
  "'",
  '\t',
  '\n',
  '%',
  '@',
  '`',
  '\u0000',
  '\ufeff',
);

/** The example text with a few stray characters inserted, or cut short. */
const damagedText = fc.oneof(
  fc
    .tuple(fc.constantFrom(...exampleTexts), fc.array(fc.tuple(fc.nat(), stray), { minLength: 1, maxLength: 4 }))
    .map(([text, inserts]) =>
      inserts.reduce((acc, [at, chars]) => {
        const index = at % (acc.length + 1);
        return acc.slice(0, index) + chars + acc.slice(index);
      }, text),
    ),
  fc.tuple(fc.constantFrom(...exampleTexts), fc.nat()).map(([text, at]) => text.slice(0, at % text.length)),
);

describe('the policy loader under fuzzing', () => {
  it('loads the example policies as they are (the fuzzing starts from valid input)', async () => {
    for (const text of exampleTexts) await expect(loadOrRefuse(text)).resolves.toBe('loaded');
  });

  it('refuses random text with InvalidPolicyError only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) =>
        loadOrRefuse(text).then(() => undefined),
      ),
      params,
    );
  });

  it('refuses random JSON and YAML documents with InvalidPolicyError only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, asYaml) =>
        loadOrRefuse(asYaml ? stringify(value) : JSON.stringify(value)).then(() => undefined),
      ),
      params,
    );
  });

  it('loads or refuses every mutation of an example policy, as YAML and as JSON', async () => {
    const outcomes = { loaded: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...exampleDocuments).chain((document) => mutated(document)),
        fc.boolean(),
        async (document, asYaml) => {
          outcomes[await loadOrRefuse(asYaml ? stringify(document) : JSON.stringify(document))]++;
        },
      ),
      fuzzParams(400),
    );
    expect(outcomes.loaded).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(10);
  });

  it('loads or refuses the example text damaged by stray characters or cut short', async () => {
    await fc.assert(
      fc.asyncProperty(damagedText, (text) => loadOrRefuse(text).then(() => undefined)),
      params,
    );
  });

  describe('with hostile YAML', () => {
    const aliasBomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      ),
      'mode: enforce',
    ].join('\n');

    it.each([
      ['an alias expansion bomb ("billion laughs")', aliasBomb],
      ['an alias to an anchor that does not exist', 'mode: *nowhere'],
      ['a recursive alias', 'a: &a [*a]\nmode: enforce'],
      ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['a merge key onto a scalar', 'rules:\n  - <<: 5\n    match: ["x"]'],
      ['two documents', 'mode: enforce\n---\nmode: audit'],
      ['a huge number', `cache: { freshTtlSeconds: 1${'0'.repeat(400)} }`],
      ['a __proto__ key', '{"__proto__": {"mode": "audit"}, "defaultAction": "allow"}'],
    ])('refuses %s with InvalidPolicyError', async (_name, text) => {
      await expect(loadOrRefuse(text)).resolves.toBe('refused');
    });

    it('reads an unknown tag as the plain value it tags, executing nothing', async () => {
      await expect(loadPolicy({ text: 'mode: !ruby/object:Gem::Installer audit', env })).resolves.toMatchObject({
        mode: 'audit',
      });
    });
  });

  // Found by this fuzzing (seed 2): an environment variable name like an Object.prototype member was read from it.
  it.each(['constructor', 'toString', '__proto__'])(
    'refuses usernameEnv %p when no such variable is set',
    async (name) => {
      const text = JSON.stringify({
        rules: [
          {
            match: ['registry.example.com/**'],
            notary: {
              server: 'https://notary.example.com',
              auth: { usernameEnv: name, passwordEnv: 'NOTARY_PASSWORD' },
            },
          },
        ],
      });
      await expect(loadOrRefuse(text)).resolves.toBe('refused');
    },
  );
});
