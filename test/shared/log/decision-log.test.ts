import type { ImageDecision } from '../../../shared/decision/types';
import { buildDecisionRecord } from '../../../shared/log/decision-log';
import { recordDecisionMetrics } from '../../../shared/log/decision-metrics';
import { DECISION_LOG, IMAGE_FIELDS } from '../../../shared/log/fields';
import type { Observer } from '../../../shared/observer';
import { podRequest } from '../decision/fakes';

const signedImage: ImageDecision = {
  image: 'app@sha256:aa',
  name: 'docker.io/library/app',
  tag: null,
  digest: 'sha256:aa',
  reference: 'docker.io/library/app@sha256:aa',
  allowed: true,
  code: 'SIGNED',
  reason: 'signed',
  source: 'dynamodb',
  mode: 'enforce',
  path: 'spec.containers[0].image',
  containerName: 'app',
};
const deniedImage: ImageDecision = {
  ...signedImage,
  image: 'nginx',
  digest: null,
  allowed: false,
  code: 'DIGEST_REQUIRED',
  reason: 'pin it',
  source: 'origin',
  path: 'spec.containers[1].image',
};

describe('decision record', () => {
  const request = podRequest(['ignored'], { object: { secret: 'token-in-object' } });
  const record = buildDecisionRecord(
    request,
    { images: [signedImage, deniedImage] },
    { mode: 'enforce', durationMs: 12.6 },
  );

  it('carries who asked for what, and the decision', () => {
    expect(record).toMatchObject({
      [DECISION_LOG.event]: 'admission',
      [DECISION_LOG.uid]: request.uid,
      [DECISION_LOG.operation]: 'CREATE',
      [DECISION_LOG.kind]: 'Pod',
      [DECISION_LOG.namespace]: 'default',
      [DECISION_LOG.name]: 'web',
      [DECISION_LOG.user]: 'alice',
      [DECISION_LOG.decision]: 'deny',
      [DECISION_LOG.mode]: 'enforce',
      [DECISION_LOG.dryRun]: false,
      [DECISION_LOG.durationMs]: 13,
    });
  });

  it('has one entry per image with its digest, code, reason and cache source', () => {
    expect(record[DECISION_LOG.images]).toEqual([
      expect.objectContaining({
        [IMAGE_FIELDS.digest]: 'sha256:aa',
        [IMAGE_FIELDS.code]: 'SIGNED',
        [IMAGE_FIELDS.source]: 'dynamodb',
      }),
      expect.objectContaining({
        [IMAGE_FIELDS.image]: 'nginx',
        [IMAGE_FIELDS.allowed]: false,
        [IMAGE_FIELDS.path]: 'spec.containers[1].image',
      }),
    ]);
  });

  it('flattens the denials for Logs Insights', () => {
    expect(record).toMatchObject({
      [DECISION_LOG.deniedCodes]: 'DIGEST_REQUIRED',
      [DECISION_LOG.deniedImages]: 'nginx',
      [DECISION_LOG.reason]: 'pin it',
    });
  });

  it('never copies the admitted object', () => {
    expect(JSON.stringify(record)).not.toContain('token-in-object');
  });

  it('says audit-deny when only audited images are denied', () => {
    const audit = buildDecisionRecord(
      request,
      { images: [{ ...deniedImage, mode: 'audit' }] },
      { mode: 'audit', durationMs: 1 },
    );
    expect(audit[DECISION_LOG.decision]).toBe('audit-deny');
  });

  it("records each image's format, warnings and, for several formats, each one's verdict", () => {
    const combined: ImageDecision = {
      ...signedImage,
      format: 'notary-v1+notation',
      warnings: ['notation: the signature expired (logged)'],
      formats: [
        { format: 'notary-v1', allowed: true, code: 'SIGNED', reason: 'signed in targets', source: 'memory' },
        { format: 'notation', allowed: true, code: 'SIGNED', reason: 'r'.repeat(2000) },
      ],
    };
    const [logged] = buildDecisionRecord(request, { images: [combined] }, { mode: 'enforce', durationMs: 1 })[
      DECISION_LOG.images
    ] as Record<string, unknown>[];
    expect(logged).toMatchObject({
      [IMAGE_FIELDS.format]: 'notary-v1+notation',
      [IMAGE_FIELDS.warnings]: ['notation: the signature expired (logged)'],
      [IMAGE_FIELDS.formats]: [
        { format: 'notary-v1', allowed: true, code: 'SIGNED', reason: 'signed in targets', source: 'memory' },
        { format: 'notation', allowed: true, code: 'SIGNED', reason: expect.stringMatching(/^r{499}…$/) },
      ],
    });
  });

  it('records the signed image index that vouched for a platform manifest', () => {
    const index = `sha256:${'9'.repeat(64)}`;
    const viaIndex: ImageDecision = { ...signedImage, viaIndex: index };
    const [logged, plain] = buildDecisionRecord(
      request,
      { images: [viaIndex, signedImage] },
      { mode: 'enforce', durationMs: 1 },
    )[DECISION_LOG.images] as Record<string, unknown>[];
    expect(logged?.[IMAGE_FIELDS.viaIndex]).toBe(index);
    expect(plain?.[IMAGE_FIELDS.viaIndex]).toBeUndefined();
  });

  it('bounds the warnings of one image', () => {
    const noisy: ImageDecision = { ...signedImage, warnings: Array.from({ length: 25 }, (_, i) => `warning ${i}`) };
    const [logged] = buildDecisionRecord(request, { images: [noisy] }, { mode: 'enforce', durationMs: 1 })[
      DECISION_LOG.images
    ] as Record<string, unknown>[];
    const warnings = logged?.[IMAGE_FIELDS.warnings] as string[];
    expect(warnings).toHaveLength(11);
    expect(warnings[10]).toBe('and 15 more');
  });
});

describe('decision metrics', () => {
  it('counts the admission by decision, denials by code, and the latency', () => {
    const counts: unknown[] = [];
    const observer: Observer = { count: (...args) => counts.push(args), warn() {}, debug() {} };
    recordDecisionMetrics(
      observer,
      { images: [deniedImage, { ...deniedImage, code: 'NOT_SIGNED', mode: 'audit' }] },
      7,
    );
    expect(counts).toEqual([
      ['Admissions', 1, { name: 'decision', value: 'deny' }],
      ['Denials', 1, { name: 'code', value: 'DIGEST_REQUIRED' }],
      ['AuditDenials', 1, { name: 'code', value: 'NOT_SIGNED' }],
      ['AdmissionLatency', 7],
    ]);
  });
});
