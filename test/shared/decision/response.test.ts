import { failedOutcome } from '../../../shared/decision/decide';
import { buildAdmissionResponse, MAX_MESSAGE_CHARS, MAX_WARNING_CHARS } from '../../../shared/decision/response';
import type { ImageDecision, ReviewOutcome } from '../../../shared/decision/types';

const request = { apiVersion: 'admission.k8s.io/v1', uid: 'uid-1' };

function image(overrides: Partial<ImageDecision> = {}): ImageDecision {
  return {
    image: 'nginx:1.25',
    name: 'docker.io/library/nginx',
    tag: '1.25',
    digest: null,
    reference: 'docker.io/library/nginx:1.25',
    allowed: true,
    code: 'SIGNED',
    reason: 'signed',
    mode: 'enforce',
    path: 'spec.containers[0].image',
    containerName: 'web',
    ...overrides,
  };
}
const denied = (overrides: Partial<ImageDecision> = {}) =>
  image({ allowed: false, code: 'DIGEST_REQUIRED', reason: 'pin docker.io/library/nginx@sha256:abc', ...overrides });

describe('buildAdmissionResponse', () => {
  it('answers with the request apiVersion and uid, allowed, and nothing else when all images pass', () => {
    const outcome: ReviewOutcome = { images: [image()] };
    expect(buildAdmissionResponse({ apiVersion: 'admission.k8s.io/v1beta1', uid: 'u-9' }, outcome)).toEqual({
      apiVersion: 'admission.k8s.io/v1beta1',
      kind: 'AdmissionReview',
      response: { uid: 'u-9', allowed: true },
    });
  });

  it('allows a short-circuited review', () => {
    expect(buildAdmissionResponse(request, { images: [], shortCircuit: 'operation' }).response).toEqual({
      uid: 'uid-1',
      allowed: true,
    });
  });

  describe('in enforce mode with denied images', () => {
    const response = buildAdmissionResponse(request, {
      images: [
        image(),
        denied({
          path: 'spec.initContainers[0].image',
          image: 'busybox',
          code: 'NOT_SIGNED',
          reason: 'busybox is not signed',
        }),
      ],
    }).response;

    it('denies with a 403 Forbidden status', () => {
      expect(response.allowed).toBe(false);
      expect(response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    });

    it('lists each denied image with its container path, code and reason', () => {
      expect(response.status?.message).toBe(
        'notary-gate denied 1 of 2 images: spec.initContainers[0].image "busybox": NOT_SIGNED: busybox is not signed',
      );
    });

    it('records the denial in audit annotations, without warnings', () => {
      expect(response.warnings).toBeUndefined();
      expect(response.auditAnnotations).toEqual({
        decision: 'deny',
        'denied-images': 'busybox',
        'denied-codes': 'NOT_SIGNED',
      });
    });
  });

  it('keeps the denial message short enough for kubectl when many images are denied', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      denied({ path: `spec.containers[${i}].image`, reason: 'x'.repeat(1000) }),
    );
    const message = buildAdmissionResponse(request, { images: many }).response.status!.message;
    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 80);
    expect(message).toMatch(/and \d+ more \(see the decision log\)$/);
  });

  describe('in audit mode', () => {
    const response = buildAdmissionResponse(request, { images: [denied({ mode: 'audit' }), image()] }).response;

    it('admits what enforce would deny', () => {
      expect(response.allowed).toBe(true);
      expect(response.status).toBeUndefined();
    });

    it('returns one warning per denied image, as kubectl prints them', () => {
      expect(response.warnings).toEqual([
        'notary-gate (audit): spec.containers[0].image "nginx:1.25": DIGEST_REQUIRED: pin docker.io/library/nginx@sha256:abc',
      ]);
    });

    it('marks the admission as audit-deny in the audit annotations', () => {
      expect(response.auditAnnotations).toMatchObject({ decision: 'audit-deny', 'denied-codes': 'DIGEST_REQUIRED' });
    });

    it('bounds each warning to what the apiserver keeps', () => {
      const long = buildAdmissionResponse(request, {
        images: [denied({ mode: 'audit', reason: 'y'.repeat(1000) })],
      }).response;
      expect(long.warnings![0]!.length).toBe(MAX_WARNING_CHARS);
    });
  });

  it('denies the enforced image and warns about the audited one when rules mix modes', () => {
    const response = buildAdmissionResponse(request, {
      images: [denied({ image: 'a', mode: 'enforce' }), denied({ image: 'b', mode: 'audit' })],
    }).response;
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain('"a"');
    expect(response.status?.message).not.toContain('"b"');
    expect(response.warnings).toHaveLength(1);
    expect(response.auditAnnotations?.['denied-images']).toBe('a,b');
  });

  it('answers a failed review with a denial in enforce mode and a warning in audit mode', () => {
    expect(buildAdmissionResponse(request, failedOutcome('enforce', 'internal')).response).toMatchObject({
      allowed: false,
      status: { code: 403, message: expect.stringContaining('INTERNAL_ERROR') },
    });
    expect(buildAdmissionResponse(request, failedOutcome('audit', 'internal')).response).toMatchObject({
      allowed: true,
      warnings: [expect.stringContaining('INTERNAL_ERROR')],
    });
  });

  describe("an image verdict's warnings (checks its format only logs)", () => {
    const warned = image({ format: 'notation', warnings: ['the signature expired at 2026-01-01T00:00:00Z'] });

    it('become AdmissionReview warnings of an allowed admission, naming the image', () => {
      expect(buildAdmissionResponse(request, { images: [warned] }).response).toEqual({
        uid: 'uid-1',
        allowed: true,
        warnings: ['notary-gate: spec.containers[0].image "nginx:1.25": the signature expired at 2026-01-01T00:00:00Z'],
      });
    });

    it('are left out of a denial, whose message is what counts', () => {
      const response = buildAdmissionResponse(request, { images: [warned, denied()] }).response;
      expect(response.allowed).toBe(false);
      expect(response.warnings).toBeUndefined();
    });

    it('are each bounded like the audit warnings', () => {
      const long = image({ warnings: ['w'.repeat(1000)] });
      const [warning] = buildAdmissionResponse(request, { images: [long] }).response.warnings ?? [];
      expect(warning).toHaveLength(MAX_WARNING_CHARS);
    });
  });
});
