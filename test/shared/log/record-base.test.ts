import { buildDecisionRecord } from '../../../shared/log/decision-log';
import { DECISION_LOG } from '../../../shared/log/fields';
import { MUTATION_LOG } from '../../../shared/log/mutation-fields';
import { buildMutationRecord } from '../../../shared/log/mutation-log';
import { flatList, MAX_FLAT_CHARS, recordBase, truncate } from '../../../shared/log/record-base';
import { podRequest } from '../decision/fakes';

const request = podRequest(['nginx'], { object: { secret: 'token-in-object' }, dryRun: true });
const REQUEST_FIELDS = {
  [DECISION_LOG.uid]: request.uid,
  [DECISION_LOG.operation]: 'CREATE',
  [DECISION_LOG.kind]: 'Pod',
  [DECISION_LOG.namespace]: 'default',
  [DECISION_LOG.name]: 'web',
  [DECISION_LOG.user]: 'alice',
  [DECISION_LOG.dryRun]: true,
  [DECISION_LOG.durationMs]: 13,
};

describe('the record base both records start with', () => {
  it('is the event marker and who asked for what, the duration rounded, nothing of the object', () => {
    const base = recordBase('admission', request, 12.6);
    expect(base).toEqual({ [DECISION_LOG.event]: 'admission', ...REQUEST_FIELDS });
    expect(JSON.stringify(base)).not.toContain('token-in-object');
  });

  it('gives the decision and the mutation record of one admission the same request fields, to join on uid', () => {
    const decision = buildDecisionRecord(request, { images: [] }, { mode: 'enforce', durationMs: 12.6 });
    const mutation = buildMutationRecord(request, { pins: [], unpinned: [] }, { durationMs: 12.6 });
    expect(decision).toMatchObject({ [DECISION_LOG.event]: DECISION_LOG.eventValue, ...REQUEST_FIELDS });
    expect(mutation).toMatchObject({ [DECISION_LOG.event]: MUTATION_LOG.eventValue, ...REQUEST_FIELDS });
  });

  it('lists distinct values flat, bounded at MAX_FLAT_CHARS and cut one past it', () => {
    expect(flatList(['A', 'B', 'A'])).toBe('A,B');
    const atBound = 'x'.repeat(MAX_FLAT_CHARS);
    expect(flatList([atBound])).toBe(atBound);
    expect(flatList([`${atBound}y`])).toBe(`${'x'.repeat(MAX_FLAT_CHARS - 1)}…`);
  });

  it("bounds the mutation record's flat list of pinned images as the decision record's denials", () => {
    const pins = Array.from({ length: 100 }, (_, index) => ({
      pointer: `/spec/containers/${index}/image`,
      path: `spec.containers[${index}].image`,
      image: `registry.example.com/team/app-${index}:v1`,
      pinned: `registry.example.com/team/app-${index}:v1@sha256:${'a'.repeat(64)}`,
      digest: `sha256:${'a'.repeat(64)}`,
      format: 'notary-v1',
      source: 'origin' as const,
    }));
    const record = buildMutationRecord(request, { pins, unpinned: [] }, { durationMs: 1 });
    expect((record[MUTATION_LOG.pinnedImages] as string).length).toBe(MAX_FLAT_CHARS);
    expect(truncate('short', 10)).toBe('short');
  });
});
