import fc from 'fast-check';
import { applyPatch } from 'rfc6902';
import { extractImagesFromObject } from '../../../shared/admission/extract';
import { toJsonPointer } from '../../../shared/admission/field-path';
import { parseReference } from '../../../shared/image/reference';
import type { ImageReference } from '../../../shared/image/types';
import { DigestPinner, pinnedForm } from '../../../shared/mutate/pinner';
import { buildMutationResponse, pinPatch } from '../../../shared/mutate/response';
import type { Rule } from '../../../shared/policy/types';
import type { DigestResolution, SignatureVerifier, VerifyContext } from '../../../shared/verify/types';
import { FakeVerifier, policy, rule, SIGNED_DIGEST } from '../decision/fakes';

/** The fake verifier with the /mutate extension: tags named `unsigned` have no digest, `hang` never answers. */
class ResolvingVerifier extends FakeVerifier {
  readonly resolved: string[] = [];
  async resolveSignedDigest(ref: ImageReference, _rule: Rule, ctx: VerifyContext): Promise<DigestResolution> {
    this.resolved.push(ref.reference);
    if (ref.tag === 'hang') return new Promise(() => ctx.signal.addEventListener('abort', () => undefined));
    if (ref.tag === 'crash') throw new TypeError('boom');
    if (ref.tag === 'unsigned') return { digest: undefined, code: 'NOT_SIGNED', reason: 'the tag is not signed' };
    if (ref.tag === 'weird') return { digest: 'sha512:abc', reason: 'odd' };
    return { digest: SIGNED_DIGEST, reason: 'signed', source: 'memory' };
  }
}

const ACME = 'registry.example.com/acme/**';

function pinnerFor(overrides: Parameters<typeof policy>[0] = {}, verifier = new ResolvingVerifier()) {
  const pinner = new DigestPinner({ policy: policy({ rules: [rule([ACME])], ...overrides }), verifiers: [verifier] });
  return { pinner, verifier };
}

function pod(images: string[]) {
  return extractImagesFromObject({ kind: 'Pod', spec: { containers: images.map((image) => ({ name: 'c', image })) } });
}

describe('DigestPinner', () => {
  it('pins tag-only images of verify rules, resolving each distinct string once', async () => {
    const { pinner, verifier } = pinnerFor();
    const image = 'registry.example.com/acme/app:v1';
    const outcome = await pinner.pin(pod([image, image]), { nowMs: 0 });
    expect(outcome.pins.map((pin) => [pin.pointer, pin.pinned])).toEqual([
      ['/spec/containers/0/image', `${image}@${SIGNED_DIGEST}`],
      ['/spec/containers/1/image', `${image}@${SIGNED_DIGEST}`],
    ]);
    expect(outcome.pins[0]).toMatchObject({ format: 'fake-v1', source: 'memory', digest: SIGNED_DIGEST });
    expect(verifier.resolved).toEqual([image]);
  });

  it.each([
    [`registry.example.com/acme/app@sha256:${'b'.repeat(64)}`, 'HAS_DIGEST'],
    [`registry.example.com/acme/app:v1@sha256:${'b'.repeat(64)}`, 'HAS_DIGEST'],
    ['Not An Image', 'INVALID_REFERENCE'],
    ['', 'INVALID_REFERENCE'],
    ['docker.io/library/nginx:1', 'NO_RULE'],
    ['registry.example.com/acme/app:unsigned', 'NOT_RESOLVED'],
    ['registry.example.com/acme/app:crash', 'NOT_RESOLVED'],
    ['registry.example.com/acme/app:weird', 'NOT_RESOLVED'],
  ])('leaves %j alone (%s)', async (image, code) => {
    const outcome = await pinnerFor().pinner.pin(pod([image]), { nowMs: 0 });
    expect(outcome.pins).toEqual([]);
    expect(outcome.unpinned).toEqual([expect.objectContaining({ image, code })]);
  });

  it.each([
    [{ action: 'allow' as const }, 'NOT_VERIFIED'],
    [{ action: 'deny' as const }, 'NOT_VERIFIED'],
    [{ mutateDigest: false }, 'MUTATE_DISABLED'],
  ])('leaves the images of a rule with %j alone (%s)', async (overrides, code) => {
    const { pinner, verifier } = pinnerFor({ rules: [rule([ACME], overrides)] });
    const outcome = await pinner.pin(pod(['registry.example.com/acme/app:v1']), { nowMs: 0 });
    expect(outcome.unpinned[0]?.code).toBe(code);
    expect(verifier.resolved).toEqual([]);
  });

  it('leaves images alone when no format of the rule resolves digests', async () => {
    const pinner = new DigestPinner({ policy: policy({ rules: [rule([ACME])] }), verifiers: [new FakeVerifier()] });
    const outcome = await pinner.pin(pod(['registry.example.com/acme/app:v1']), { nowMs: 0 });
    expect(outcome.unpinned[0]?.code).toBe('NO_RESOLVER');
  });

  it('pins nothing in an exempt namespace', async () => {
    const { pinner, verifier } = pinnerFor({ exemptNamespaces: ['ops'] });
    const outcome = await pinner.pin(pod(['registry.example.com/acme/app:v1']), { nowMs: 0, namespace: 'ops' });
    expect(outcome.unpinned[0]?.code).toBe('NAMESPACE_EXEMPT');
    expect(verifier.resolved).toEqual([]);
  });

  it('leaves what is pending at the deadline alone and keeps what resolved', async () => {
    const { pinner } = pinnerFor();
    const outcome = await pinner.pin(pod(['registry.example.com/acme/app:hang', 'registry.example.com/acme/app:v1']), {
      nowMs: 0,
      deadlineAtMs: Date.now() + 50,
    });
    expect(outcome.pins.map((pin) => pin.path)).toEqual(['spec.containers[1].image']);
    expect(outcome.unpinned).toEqual([
      expect.objectContaining({ path: 'spec.containers[0].image', code: 'TIMED_OUT' }),
    ]);
  });
});

describe('DigestPinner with a rule of several formats', () => {
  const OTHER = `sha256:${'e'.repeat(64)}`;
  /** A second format that resolves every tag to `digest`, or to nothing. */
  class SecondFormat extends FakeVerifier {
    constructor(private readonly digest: string | undefined) {
      super();
    }
    async resolveSignedDigest(): Promise<DigestResolution> {
      return this.digest === undefined
        ? { digest: undefined, code: 'NOT_SIGNED', reason: 'no signature of this format' }
        : { digest: this.digest, reason: 'signed' };
    }
  }
  const pinWith = async (second: SignatureVerifier, require: 'all' | 'any') => {
    const pinner = new DigestPinner({
      policy: policy({ rules: [rule([ACME], { require })] }),
      verifiers: [new ResolvingVerifier(), second],
    });
    return pinner.pin(pod(['registry.example.com/acme/app:v1']), { nowMs: 0 });
  };

  it('pins under require: all only when every format resolves the tag to the same digest', async () => {
    expect((await pinWith(new SecondFormat(SIGNED_DIGEST), 'all')).pins).toHaveLength(1);
    expect((await pinWith(new SecondFormat(OTHER), 'all')).unpinned[0]).toMatchObject({
      code: 'NOT_RESOLVED',
      reason: expect.stringContaining('different digests'),
    });
    expect((await pinWith(new SecondFormat(undefined), 'all')).unpinned[0]?.code).toBe('NOT_RESOLVED');
    expect((await pinWith(new FakeVerifier(), 'all')).unpinned[0]?.code).toBe('NO_RESOLVER');
  });

  it('pins under require: any with the first format that resolves the tag', async () => {
    const outcome = await pinWith(new SecondFormat(undefined), 'any');
    expect(outcome.pins[0]).toMatchObject({ digest: SIGNED_DIGEST });
    expect((await pinWith(new FakeVerifier(), 'any')).pins).toHaveLength(1);
  });
});

describe('pinnedForm', () => {
  it.each([
    ['nginx', 'nginx:latest@'],
    ['nginx:1.25', 'nginx:1.25@'],
    ['localhost:5000/app', 'localhost:5000/app:latest@'],
    ['localhost:5000/app:v2', 'localhost:5000/app:v2@'],
    ['[::1]:5000/team/app', '[::1]:5000/team/app:latest@'],
    ['REGISTRY.example.com/team/app:V1', 'REGISTRY.example.com/team/app:V1@'],
  ])('writes %j as %j + digest', (written, prefix) => {
    expect(pinnedForm(written, SIGNED_DIGEST)).toBe(`${prefix}${SIGNED_DIGEST}`);
  });

  it('keeps the name and tag of every valid tag-only reference, and adds exactly the digest', () => {
    const segment = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/);
    const host = fc.constantFrom('', 'localhost:5000/', 'registry.example.com/', '[::1]:5000/', 'Reg.Example.com:443/');
    const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined });
    fc.assert(
      fc.property(host, fc.array(segment, { minLength: 1, maxLength: 3 }), tag, (registry, path, written) => {
        const image = `${registry}${path.join('/')}${written === undefined ? '' : `:${written}`}`;
        let ref: ImageReference;
        try {
          ref = parseReference(image);
        } catch {
          return fc.pre(false); // e.g. a first segment with a dot that is no host name
        }
        const pinned = parseReference(pinnedForm(image, SIGNED_DIGEST));
        expect([pinned.name, pinned.tag, pinned.digest]).toEqual([ref.name, ref.tag, SIGNED_DIGEST]);
      }),
    );
  });
});

describe('the patch', () => {
  const pin = (keys: (string | number)[], pinned: string) => ({
    pointer: toJsonPointer(keys),
    path: keys.join('.'),
    image: 'x',
    pinned,
    digest: SIGNED_DIGEST,
    format: 'fake-v1',
  });

  it('replaces exactly the pinned fields, also under keys holding ~ and /', () => {
    const object = { spec: { 'a/b': [{ 'm~n': 'app:v1', other: 'app:v1' }] } };
    const operations = pinPatch([pin(['spec', 'a/b', 0, 'm~n'], 'app:v1@sha256:x')]);
    expect(operations).toEqual([{ op: 'replace', path: '/spec/a~1b/0/m~0n', value: 'app:v1@sha256:x' }]);
    expect(applyPatch(object, operations)).toEqual([null]);
    expect(object).toEqual({ spec: { 'a/b': [{ 'm~n': 'app:v1@sha256:x', other: 'app:v1' }] } });
  });

  it('fails rather than adds when the field does not exist', () => {
    const results = applyPatch({ spec: {} }, pinPatch([pin(['spec', 'containers', 0, 'image'], 'y')]));
    expect(results[0]).not.toBeNull();
  });

  it('is base64 JSON with patchType JSONPatch, and absent when nothing is pinned', () => {
    const request = { apiVersion: 'admission.k8s.io/v1beta1', uid: 'u1' };
    expect(buildMutationResponse(request, [])).toEqual({
      apiVersion: 'admission.k8s.io/v1beta1',
      kind: 'AdmissionReview',
      response: { uid: 'u1', allowed: true },
    });
    const response = buildMutationResponse(request, [pin(['b'], '2'), pin(['a'], '1')]).response;
    expect(response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8'))).toEqual([
      { op: 'replace', path: '/a', value: '1' },
      { op: 'replace', path: '/b', value: '2' },
    ]);
  });
});
