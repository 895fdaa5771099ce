import { DecisionEngine } from '../../../shared/decision/engine';
import type { Require } from '../../../shared/policy/types';
import { policy, rule, SIGNED_DIGEST } from './fakes';
import { type Script, ScriptedVerifier } from './scripted-verifier';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const IMAGE = `registry.example.com/team/app@${SIGNED_DIGEST}`;
const REPO = 'registry.example.com/team/app';

/** An engine whose one rule names two formats, `alpha` (NOTARY_UNREACHABLE) and `beta` (REGISTRY_UNREACHABLE). */
function twoFormats(require: Require | undefined, alpha: Script, beta: Script) {
  const verifiers = [
    new ScriptedVerifier('alpha', { [REPO]: alpha }, 'NOTARY_UNREACHABLE'),
    new ScriptedVerifier('beta', { [REPO]: beta }),
  ];
  const p = policy({ rules: [rule(['registry.example.com/**'], require ? { require } : {})] });
  return { engine: new DecisionEngine({ policy: p, verifiers }), verifiers };
}

describe('a rule that names several formats', () => {
  describe('with require: all (the default)', () => {
    it('allows when every format allows, naming both and keeping each verdict', async () => {
      const { engine, verifiers } = twoFormats(undefined, 'allow', 'allow');
      const verdict = await engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({
        allowed: true,
        code: 'SIGNED',
        format: 'alpha+beta',
        signedDigest: SIGNED_DIGEST,
        reason: 'alpha: alpha signs it; beta: beta signs it',
      });
      expect(verdict.formats?.map((f) => [f.format, f.allowed, f.code])).toEqual([
        ['alpha', true, 'SIGNED'],
        ['beta', true, 'SIGNED'],
      ]);
      expect(verifiers.map((v) => v.calls.length)).toEqual([1, 1]);
    });

    it('denies when one format denies, with that format and its reason', async () => {
      const verdict = await twoFormats('all', 'allow', 'deny').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({
        allowed: false,
        code: 'NOT_SIGNED',
        format: 'beta',
        reason: 'beta: beta has no signature',
      });
      expect(verdict.formats).toHaveLength(2);
    });

    it("names an origin outage's own code when that format's origin is down", async () => {
      const verdict = await twoFormats('all', 'unreachable', 'allow').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({ allowed: false, code: 'NOTARY_UNREACHABLE', format: 'alpha' });
    });

    it('carries the warnings of the formats, each prefixed with its format', async () => {
      const verdict = await twoFormats('all', 'allow', 'allow-with-warning').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({ allowed: true, warnings: ['beta: signature expired (logged)'] });
    });

    it('reports stale when one format decided on stale data', async () => {
      const verdict = await twoFormats('all', 'allow', 'stale').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({ allowed: true, source: 'stale' });
    });

    it('fails closed when one format crashes', async () => {
      const verdict = await twoFormats('all', 'allow', 'crash').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({ allowed: false, code: 'INTERNAL_ERROR', format: 'beta' });
    });
  });

  describe('with require: any', () => {
    it('allows when one format allows, decided by that format', async () => {
      const verdict = await twoFormats('any', 'deny', 'allow').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', format: 'beta', reason: 'beta: beta signs it' });
      expect(verdict.formats?.map((f) => [f.format, f.code])).toEqual([
        ['alpha', 'NOT_SIGNED'],
        ['beta', 'SIGNED'],
      ]);
    });

    it('allows when the other format is unreachable', async () => {
      const verdict = await twoFormats('any', 'allow', 'unreachable').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({ allowed: true, format: 'alpha' });
      expect(verdict.formats?.[1]).toMatchObject({ format: 'beta', allowed: false, code: 'REGISTRY_UNREACHABLE' });
    });

    it("denies when no format allows, listing each format's reason", async () => {
      const verdict = await twoFormats('any', 'deny', 'deny').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED', format: 'alpha+beta' });
      expect(verdict.reason).toBe(
        'no signature format verified the image: alpha: alpha has no signature; beta: beta has no signature',
      );
    });

    it('denies with the code a retry could change when one format is down and the other denies', async () => {
      const verdict = await twoFormats('any', 'deny', 'unreachable').engine.checkImage(IMAGE, { nowMs: NOW });
      expect(verdict).toMatchObject({ allowed: false, code: 'REGISTRY_UNREACHABLE' });
      expect(verdict.reason).toMatch(/alpha: alpha has no signature; beta: beta origin is down/);
    });
  });

  describe('when the deadline passes with one format pending', () => {
    it('under any, admits on the format that allowed in time', async () => {
      const { engine } = twoFormats('any', 'allow', 'hang');
      const results = await engine.checkImages([IMAGE], { nowMs: NOW, deadlineAtMs: Date.now() + 50 });
      expect(results.get(IMAGE)).toMatchObject({ allowed: true, format: 'alpha' });
      expect(results.get(IMAGE)?.formats?.[1]).toMatchObject({ code: 'REGISTRY_UNREACHABLE', allowed: false });
    });

    it("under all, denies with the pending format's own unreachable code", async () => {
      const { engine } = twoFormats('all', 'allow', 'hang');
      const results = await engine.checkImages([IMAGE], { nowMs: NOW, deadlineAtMs: Date.now() + 50 });
      expect(results.get(IMAGE)).toMatchObject({ allowed: false, code: 'REGISTRY_UNREACHABLE', format: 'beta' });
    });

    it('with one format, answers as before: its unreachable code', async () => {
      const verifier = new ScriptedVerifier('alpha', { [REPO]: 'hang' }, 'NOTARY_UNREACHABLE');
      const p = policy({ rules: [rule(['registry.example.com/**'])] });
      const engine = new DecisionEngine({ policy: p, verifiers: [verifier] });
      const results = await engine.checkImages([IMAGE], { nowMs: NOW, deadlineAtMs: Date.now() + 50 });
      expect(results.get(IMAGE)).toMatchObject({ allowed: false, code: 'NOTARY_UNREACHABLE', name: REPO });
      expect(results.get(IMAGE)?.formats).toBeUndefined();
    });
  });

  it('with one format, returns its verdict unchanged (no per-format list)', async () => {
    const verifier = new ScriptedVerifier('alpha');
    const p = policy({ rules: [rule(['registry.example.com/**'])] });
    const verdict = await new DecisionEngine({ policy: p, verifiers: [verifier] }).checkImage(IMAGE, { nowMs: NOW });
    expect(verdict).toEqual({
      image: IMAGE,
      name: REPO,
      tag: null,
      digest: SIGNED_DIGEST,
      reference: IMAGE,
      allowed: true,
      code: 'SIGNED',
      reason: 'alpha signs it',
      signedDigest: SIGNED_DIGEST,
      format: 'alpha',
      source: 'memory',
      mode: 'enforce',
    });
  });
});
