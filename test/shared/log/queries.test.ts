import { DECISION_LOG, IMAGE_FIELDS } from '../../../shared/log/fields';
import { DECISION_QUERIES, findDecisionQuery } from '../../../shared/log/queries';

/** Words of the Logs Insights language that are not field names. */
const LANGUAGE_WORDS = new Set([
  'fields',
  'filter',
  'stats',
  'sort',
  'limit',
  'by',
  'as',
  'and',
  'or',
  'not',
  'in',
  'like',
  'desc',
  'asc',
  'count',
  'pct',
  'max',
  'min',
  'avg',
  'sum',
  'latest',
  'earliest',
  'bin',
  'ispresent',
]);

/**
 * The field names a query reads: every identifier outside strings and regexes that is not a language word,
 * an alias it defines (`... as alias`), or a duration (`5m`).
 */
function fieldsRead(text: string): Set<string> {
  const code = text.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\/(?:[^/\\\n]|\\.)+\//g, '//');
  const aliases = new Set([...code.matchAll(/\bas\s+([A-Za-z_][\w.]*)/g)].map((match) => match[1]));
  const words = [...code.matchAll(/(?<![\w.@])@?[A-Za-z_][\w.]*/g)].map((match) => match[0]);
  return new Set(words.filter((word) => !LANGUAGE_WORDS.has(word) && !aliases.has(word)));
}

/** Fields the decision record writes, plus what CloudWatch adds to every event. */
const WRITTEN = new Set<string>([...Object.values(DECISION_LOG), '@timestamp', '@message']);

describe('decision queries', () => {
  describe.each(DECISION_QUERIES.map((query) => [query.name, query] as const))('the %s query', (_name, query) => {
    it('reads only fields the decision log writes', () => {
      const unknown = [...fieldsRead(query.text)].filter((field) => !WRITTEN.has(field));
      expect(unknown).toEqual([]);
    });

    it('reads only decision records', () => {
      expect(query.text).toContain(`filter ${DECISION_LOG.event} = "${DECISION_LOG.eventValue}"`);
    });

    it('has a kebab-case name and a description', () => {
      expect(query.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(query.description.length).toBeGreaterThan(10);
    });
  });

  it('cover denials, decisions by namespace and user, unverifiable images, latency, Notary errors and stale cache', () => {
    expect(DECISION_QUERIES.map((query) => query.name)).toEqual(
      expect.arrayContaining([
        'denials',
        'decisions-by-namespace-and-user',
        'unverifiable-images',
        'slow-admissions',
        'notary-errors',
        'stale-cache-use',
      ]),
    );
  });

  it('have unique names', () => {
    const names = DECISION_QUERIES.map((query) => query.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('match stale image records by the image source field name', () => {
    expect(findDecisionQuery('stale-cache-use')?.text).toContain(`"${IMAGE_FIELDS.source}"`);
  });

  it('compute p50 and p99 of the admission duration', () => {
    const text = findDecisionQuery('slow-admissions')?.text ?? '';
    expect(text).toContain(`pct(${DECISION_LOG.durationMs}, 50)`);
    expect(text).toContain(`pct(${DECISION_LOG.durationMs}, 99)`);
  });

  describe('the field extraction used by these tests', () => {
    it('notices a field the decision log does not write', () => {
      expect(fieldsRead('fields @timestamp, imageName | filter decision = "deny"')).toEqual(
        new Set(['@timestamp', 'imageName', 'decision']),
      );
    });
  });
});
