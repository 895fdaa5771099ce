import { DecisionEngine } from '../../../shared/decision/engine';
import { FakeVerifier, podRequest, policy, rule, SIGNED_DIGEST, UNSIGNED_DIGEST } from './fakes';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const ctx = { nowMs: NOW };
const signed = `registry.example.com/team/app@${SIGNED_DIGEST}`;
const unsigned = `registry.example.com/team/app@${UNSIGNED_DIGEST}`;

function engineWith(overrides: Parameters<typeof policy>[0] = {}, verifier = new FakeVerifier()) {
  const p = policy({ rules: [rule(['registry.example.com/team/*'])], ...overrides });
  return { engine: new DecisionEngine({ policy: p, verifiers: [verifier] }), verifier };
}

describe('decision engine', () => {
  describe('checkImage', () => {
    it('returns the normalized reference fields with the verdict', async () => {
      const { engine } = engineWith({ rules: [rule(['docker.io/library/*'], { action: 'allow' })] });
      await expect(engine.checkImage('alpine:3.19', ctx)).resolves.toEqual({
        image: 'alpine:3.19',
        name: 'docker.io/library/alpine',
        tag: '3.19',
        digest: null,
        reference: 'docker.io/library/alpine:3.19',
        allowed: true,
        code: 'ALLOWED_BY_RULE',
        reason: expect.any(String),
        mode: 'enforce',
      });
    });

    it('denies an invalid reference with INVALID_REFERENCE and null reference fields', async () => {
      const { engine } = engineWith();
      const verdict = await engine.checkImage('UPPER/Case:tag', ctx);
      expect(verdict).toMatchObject({ allowed: false, code: 'INVALID_REFERENCE', name: null, reference: null });
      expect(verdict.reason).toMatch(/not a valid image reference/);
    });

    it('admits a signed digest and passes the evaluation instant to the verifier', async () => {
      const { engine, verifier } = engineWith();
      await expect(engine.checkImage(signed, ctx)).resolves.toMatchObject({
        allowed: true,
        code: 'SIGNED',
        source: 'memory',
        format: 'fake-v1',
      });
      expect(verifier.calls).toEqual([{ reference: `registry.example.com/team/app@${SIGNED_DIGEST}`, nowMs: NOW }]);
    });

    it('denies an unsigned digest with the verifier code', async () => {
      const { engine } = engineWith();
      await expect(engine.checkImage(unsigned, ctx)).resolves.toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
    });

    it('keeps the signed digest a tag-only image should pin', async () => {
      const { engine } = engineWith();
      await expect(engine.checkImage('registry.example.com/team/app:1.0', ctx)).resolves.toMatchObject({
        allowed: false,
        code: 'DIGEST_REQUIRED',
        signedDigest: SIGNED_DIGEST,
      });
    });

    describe('when no rule matches', () => {
      it('denies with DENIED_BY_RULE under defaultAction deny', async () => {
        const { engine, verifier } = engineWith();
        await expect(engine.checkImage('nginx', ctx)).resolves.toMatchObject({
          allowed: false,
          code: 'DENIED_BY_RULE',
        });
        expect(verifier.calls).toHaveLength(0);
      });

      it('allows with ALLOWED_BY_RULE under defaultAction allow', async () => {
        const { engine } = engineWith({ defaultAction: 'allow' });
        await expect(engine.checkImage('nginx', ctx)).resolves.toMatchObject({
          allowed: true,
          code: 'ALLOWED_BY_RULE',
        });
      });
    });

    it('denies an image a deny rule matches, before any later verify rule', async () => {
      const { engine, verifier } = engineWith({
        rules: [rule(['registry.example.com/team/app'], { action: 'deny' }), rule(['registry.example.com/**'])],
      });
      await expect(engine.checkImage(signed, ctx)).resolves.toMatchObject({ allowed: false, code: 'DENIED_BY_RULE' });
      expect(verifier.calls).toHaveLength(0);
    });

    it('takes the mode of the matching rule over the global mode', async () => {
      const { engine } = engineWith({ rules: [rule(['registry.example.com/team/*'], { mode: 'audit' })] });
      await expect(engine.checkImage(unsigned, ctx)).resolves.toMatchObject({ allowed: false, mode: 'audit' });
    });

    it('fails closed with INTERNAL_ERROR when a verify rule names no format any verifier supports', async () => {
      const { engine } = engineWith({ rules: [rule(['registry.example.com/team/*'], { notary: undefined })] });
      const verdict = await engine.checkImage(signed, ctx);
      expect(verdict).toMatchObject({ allowed: false, code: 'INTERNAL_ERROR' });
      expect(verdict.reason).toMatch(/names no signature format section this runtime verifies/);
    });

    it('turns a thrown TrustError into a verdict with its code', async () => {
      const { engine } = engineWith({}, new FakeVerifier({ 'registry.example.com/team/app': 'unreachable' }));
      await expect(engine.checkImage(signed, ctx)).resolves.toMatchObject({
        allowed: false,
        code: 'NOTARY_UNREACHABLE',
      });
    });

    it('fails closed with INTERNAL_ERROR when a verifier throws unexpectedly', async () => {
      const { engine } = engineWith({}, new FakeVerifier({ 'registry.example.com/team/app': 'crash' }));
      const verdict = await engine.checkImage(signed, ctx);
      expect(verdict).toMatchObject({ allowed: false, code: 'INTERNAL_ERROR' });
      expect(verdict.reason).toMatch(/denied until it can be verified/);
    });

    describe('when the deadline passes with verification pending', () => {
      it('answers NOTARY_UNREACHABLE for the pending image and keeps what settled', async () => {
        const verifier = new FakeVerifier({ 'registry.example.com/team/slow': 'hang' });
        const { engine } = engineWith({}, verifier);
        const slow = `registry.example.com/team/slow@${SIGNED_DIGEST}`;
        const results = await engine.checkImages([slow, 'nginx'], { nowMs: NOW, deadlineAtMs: Date.now() });
        expect(results.get(slow)).toMatchObject({
          allowed: false,
          code: 'NOTARY_UNREACHABLE',
          name: 'registry.example.com/team/slow',
        });
        expect(results.get('nginx')).toMatchObject({ code: 'DENIED_BY_RULE' });
      });
    });

    it('checks each distinct image string once', async () => {
      const { engine, verifier } = engineWith();
      const results = await engine.checkImages([signed, signed, unsigned], ctx);
      expect(results.size).toBe(2);
      expect(verifier.calls).toHaveLength(2);
    });
  });

  describe('review', () => {
    it('allows DELETE and CONNECT at once, without images', async () => {
      const { engine, verifier } = engineWith();
      for (const operation of ['DELETE', 'CONNECT'] as const) {
        await expect(engine.review(podRequest([unsigned], { operation }), ctx)).resolves.toEqual({
          images: [],
          shortCircuit: 'operation',
        });
      }
      expect(verifier.calls).toHaveLength(0);
    });

    it('allows an object without images at once', async () => {
      const { engine } = engineWith();
      const request = podRequest([], {
        kind: { group: '', version: 'v1', kind: 'ConfigMap' },
        object: { kind: 'ConfigMap', data: {} },
      });
      await expect(engine.review(request, ctx)).resolves.toEqual({ images: [], shortCircuit: 'no-images' });
    });

    it('gives each container its path and verdict, in container order', async () => {
      const { engine } = engineWith();
      const outcome = await engine.review(podRequest([signed, unsigned, signed]), ctx);
      expect(outcome.images.map((i) => [i.path, i.code])).toEqual([
        ['spec.containers[0].image', 'SIGNED'],
        ['spec.containers[1].image', 'NOT_SIGNED'],
        ['spec.containers[2].image', 'SIGNED'],
      ]);
    });

    it('admits every image of an exempt namespace without verifying', async () => {
      const { engine, verifier } = engineWith({ exemptNamespaces: ['kube-system'] });
      const outcome = await engine.review(podRequest([unsigned], { namespace: 'kube-system' }), ctx);
      expect(outcome.images).toEqual([expect.objectContaining({ allowed: true, code: 'NAMESPACE_EXEMPT' })]);
      expect(verifier.calls).toHaveLength(0);
    });

    describe('on UPDATE with images unchanged since oldObject', () => {
      const update = (images: string[], oldImages: string[]) =>
        podRequest(images, {
          operation: 'UPDATE',
          oldObject: podRequest(oldImages).object,
        });

      it('skips them when the policy says so', async () => {
        const { engine, verifier } = engineWith({ skipUnchangedImages: true });
        const outcome = await engine.review(update([unsigned, signed], [unsigned, 'old']), ctx);
        expect(outcome.images.map((i) => i.code)).toEqual(['UNCHANGED', 'SIGNED']);
        expect(verifier.calls).toHaveLength(1);
      });

      it('checks them by default', async () => {
        const { engine } = engineWith();
        const outcome = await engine.review(update([unsigned], [unsigned]), ctx);
        expect(outcome.images.map((i) => i.code)).toEqual(['NOT_SIGNED']);
      });
    });
  });
});
