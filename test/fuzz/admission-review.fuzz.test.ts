/**
 * Fuzzing the AdmissionReview parser: random JSON and mutated real AdmissionReviews (the fixtures the webhook is
 * tested with). The parser either returns a request or throws InvalidAdmissionReviewError, nothing else; and a
 * request it returns goes through image extraction, the decision engine, the response and the decision record
 * without failing, with a definite answer for its uid.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { extractImages } from '../../shared/admission/extract';
import { parseAdmissionReview } from '../../shared/admission/parse';
import type { AdmissionRequest } from '../../shared/admission/types';
import { DecisionEngine } from '../../shared/decision/engine';
import { buildAdmissionResponse } from '../../shared/decision/response';
import { InvalidAdmissionReviewError } from '../../shared/errors';
import { buildDecisionRecord } from '../../shared/log/decision-log';
import { FakeVerifier, policy, rule } from '../shared/decision/fakes';
import { mutated } from './support/mutate';
import { fuzzParams } from './support/params';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'admission');
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')));

/** Parses, and tells apart "refused as it should be" from anything else thrown. */
function parseOrRefuse(body: unknown): AdmissionRequest | 'refused' {
  try {
    return parseAdmissionReview(body);
  } catch (error) {
    if (error instanceof InvalidAdmissionReviewError) {
      expect(error.message).toMatch(/^not a valid AdmissionReview: /);
      return 'refused';
    }
    throw error;
  }
}

// A policy that touches every branch without the network: allow, deny, verify (a fake verifier) and the default.
const engine = new DecisionEngine({
  policy: policy({
    rules: [
      rule(['docker.io/library/**'], { action: 'allow' }),
      rule(['registry.example.com/**']),
      rule(['quay.io/**'], { action: 'deny', mode: 'audit' }),
    ],
  }),
  verifiers: [new FakeVerifier()],
});

async function answerable(request: AdmissionRequest): Promise<void> {
  extractImages(request);
  const outcome = await engine.review(request, { nowMs: Date.UTC(2026, 10, 27), deadlineAtMs: undefined });
  const response = buildAdmissionResponse(request, outcome);
  expect(response.response.uid).toBe(request.uid);
  expect(typeof response.response.allowed).toBe('boolean');
  const record = buildDecisionRecord(request, outcome, { mode: 'enforce', durationMs: 1 });
  expect(() => JSON.stringify({ response, record })).not.toThrow();
}

const params = fuzzParams(300);

describe('the AdmissionReview parser under fuzzing', () => {
  it('never throws anything but InvalidAdmissionReviewError for random JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (body) => {
        parseOrRefuse(body);
      }),
      params,
    );
  });

  it('never throws anything but InvalidAdmissionReviewError for random JavaScript values', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: true, withMap: true }), (body) => {
        parseOrRefuse(body);
      }),
      params,
    );
  });

  it('refuses or answers every mutation of a real AdmissionReview, never failing on the way', async () => {
    let refused = 0;
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fixtures).chain((fixture) => mutated(fixture)),
        async (body) => {
          const request = parseOrRefuse(body);
          if (request === 'refused') refused++;
          else {
            answered++;
            await answerable(request);
          }
        },
      ),
      fuzzParams(600),
    );
    // Both sides were reached: the mutations are neither all fatal nor all harmless.
    expect(refused).toBeGreaterThan(20);
    expect(answered).toBeGreaterThan(20);
  });

  // Found by this fuzzing (seed 2): a kind named like an Object.prototype member made image extraction throw.
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'answers a review whose object kind is %p, checking the images it finds',
    async (kind) => {
      const pod = fixtures.find((fixture) => fixture.request?.kind?.kind === 'Pod');
      const body = structuredClone(pod);
      body.request.kind.kind = kind;
      const request = parseOrRefuse(body);
      if (request === 'refused') throw new Error('the review should parse');
      expect(extractImages(request).length).toBeGreaterThan(0);
      await answerable(request);
    },
  );
});
