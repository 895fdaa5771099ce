import type { ImageDecision } from '../../../shared/decision/types';
import { buildDecisionRecord } from '../../../shared/log/decision-log';
import { DECISION_LOG, IMAGE_FIELDS } from '../../../shared/log/fields';
import { MUTATION_LOG } from '../../../shared/log/mutation-fields';
import { buildMutationRecord } from '../../../shared/log/mutation-log';
import {
  DECISION_QUERIES,
  findDecisionQuery,
  ORIGIN_FAILURE_CODES,
  UNVERIFIABLE_CODES,
} from '../../../shared/log/queries';

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

/** A real decision record, as the decision logger writes it: one image served stale, one unsigned. */
const staleImage: ImageDecision = {
  image: 'registry.example.com/team/api@sha256:aa',
  name: 'registry.example.com/team/api',
  tag: null,
  digest: 'sha256:aa',
  reference: 'registry.example.com/team/api@sha256:aa',
  allowed: true,
  code: 'SIGNED',
  reason: 'signed in targets/releases',
  source: 'stale',
  mode: 'enforce',
  path: 'spec.containers[0].image',
  containerName: 'api',
};
const unsignedImage: ImageDecision = {
  ...staleImage,
  image: 'registry.example.com/team/worker@sha256:bb',
  allowed: false,
  code: 'NOT_SIGNED',
  reason: 'no signed tag has this digest',
  source: 'origin',
  path: 'spec.containers[1].image',
};
const record = buildDecisionRecord(
  {
    uid: '7f0c',
    operation: 'CREATE',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'shop',
    name: 'api',
    userInfo: { username: 'alice', groups: [] },
    dryRun: false,
  },
  { images: [staleImage, unsignedImage] },
  { mode: 'enforce', durationMs: 42 },
);
/** Powertools writes the record's keys at the top level of one JSON line. */
const logLine = JSON.stringify({ level: 'INFO', message: 'admission decision', ...record });

/** A real mutation record (one per /mutate admission): one image pinned. */
const mutationRecord = buildMutationRecord(
  {
    uid: '7f0d',
    operation: 'CREATE',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    namespace: 'shop',
    name: 'api',
    userInfo: { username: 'alice', groups: [] },
    dryRun: false,
  },
  {
    pins: [
      {
        pointer: '/spec/template/spec/containers/0/image',
        path: 'spec.template.spec.containers[0].image',
        image: 'registry.example.com/team/api:v1',
        pinned: `registry.example.com/team/api:v1@sha256:${'a'.repeat(64)}`,
        digest: `sha256:${'a'.repeat(64)}`,
        format: 'notary-v1',
        source: 'origin',
      },
    ],
    unpinned: [],
  },
  // An object with the break-glass label: the record then writes breakGlassLabel and breakGlassImages too.
  { durationMs: 7, breakGlassImages: ['registry.example.com/team/api:v1'] },
);

/** Fields the decision record writes, plus what CloudWatch adds to every event. */
const WRITTEN = new Set<string>([...Object.keys(record), '@timestamp', '@message']);
const MUTATION_WRITTEN = new Set<string>([...Object.keys(mutationRecord), '@timestamp', '@message']);
const readsMutations = (text: string) => text.includes(`${DECISION_LOG.event} = "${MUTATION_LOG.eventValue}"`);

describe('decision queries', () => {
  describe.each(DECISION_QUERIES.map((query) => [query.name, query] as const))('the %s query', (_name, query) => {
    it('reads only fields the record it filters writes', () => {
      const written = readsMutations(query.text) ? MUTATION_WRITTEN : WRITTEN;
      const unknown = [...fieldsRead(query.text)].filter((field) => !written.has(field));
      expect(unknown).toEqual([]);
    });

    it('reads only decision records, or only mutation records', () => {
      const eventValue = readsMutations(query.text) ? MUTATION_LOG.eventValue : DECISION_LOG.eventValue;
      expect(query.text).toContain(`filter ${DECISION_LOG.event} = "${eventValue}"`);
    });

    it('has a kebab-case name and a description', () => {
      expect(query.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(query.description.length).toBeGreaterThan(10);
    });
  });

  it('cover denials, decisions by namespace and user, unverifiable images, latency, origin errors and stale cache', () => {
    expect(DECISION_QUERIES.map((query) => query.name)).toEqual(
      expect.arrayContaining([
        'denials',
        'decisions-by-namespace-and-user',
        'unverifiable-images',
        'slow-admissions',
        'origin-errors',
        'stale-cache-use',
      ]),
    );
  });

  it('answer "what was pinned" from the mutation records', () => {
    const text = findDecisionQuery('pinned-images')?.text ?? '';
    expect(readsMutations(text)).toBe(true);
    expect(text).toContain(MUTATION_LOG.pinnedImages);
    expect(mutationRecord[MUTATION_LOG.pinnedImages]).toBe(`registry.example.com/team/api:v1@sha256:${'a'.repeat(64)}`);
    expect(mutationRecord[MUTATION_LOG.pinnedCount]).toBe(1);
  });

  it('have unique names', () => {
    const names = DECISION_QUERIES.map((query) => query.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('are written against the field names of the fields module, which the record uses', () => {
    expect(Object.keys(record).sort()).toEqual(
      Object.values(DECISION_LOG)
        .filter((f) => f !== 'admission')
        .sort(),
    );
  });

  it('find stale image records in the raw log line by the image source field', () => {
    const pattern = /@message like \/(.*)\//.exec(findDecisionQuery('stale-cache-use')?.text ?? '')?.[1] ?? '';
    expect(pattern).toContain(IMAGE_FIELDS.source);
    expect(new RegExp(pattern).test(logLine)).toBe(true);
    expect(new RegExp(pattern).test(logLine.replace('"stale"', '"origin"'))).toBe(false);
  });

  it('match the denied codes the record flattens', () => {
    const codes = String(record[DECISION_LOG.deniedCodes]);
    expect(new RegExp(UNVERIFIABLE_CODES.join('|')).test(codes)).toBe(true);
    expect(new RegExp(ORIGIN_FAILURE_CODES.join('|')).test(codes)).toBe(false);
  });

  it("derive their code lists from the codes table, every format's codes included", () => {
    expect(UNVERIFIABLE_CODES).toEqual(
      expect.arrayContaining(['NOT_SIGNED', 'ROLLBACK', 'CERTIFICATE_UNTRUSTED', 'REVOKED']),
    );
    expect(UNVERIFIABLE_CODES).not.toContain('DIGEST_REQUIRED');
    expect(ORIGIN_FAILURE_CODES).toEqual(
      expect.arrayContaining(['NOTARY_UNREACHABLE', 'NOTARY_ERROR', 'REGISTRY_UNREACHABLE', 'TRUST_STATE_UNAVAILABLE']),
    );
    expect(findDecisionQuery('origin-errors')?.text).toContain('REGISTRY_UNREACHABLE');
  });

  it('still find a query by the name it had before', () => {
    expect(findDecisionQuery('notary-errors')).toBe(findDecisionQuery('origin-errors'));
    expect(findDecisionQuery('constructor')).toBeUndefined();
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
