/**
 * The assertions every fault shares: a definite AdmissionReview answer (denied in enforce mode, admitted with a
 * warning in audit mode), exactly one decision line in the Lambda's log, and the metrics that count it.
 */
import { metricTotal } from './lambda-output';
import type { GateAnswer } from './webhook';

export interface ExpectedDenial {
  readonly image: string;
  readonly code: string;
  /** What the reason must say, for a person to act on. */
  readonly reason: RegExp;
}

/** Enforce mode: a 403 status naming the image and code, one `deny` line, Admissions{deny} and Denials{code}. */
export function expectEnforcedDenial(answer: GateAnswer, expected: ExpectedDenial): void {
  expect(answer.statusCode).toBe(200);
  expect(answer.response).toMatchObject({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: false });
  expect(answer.response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
  expect(answer.response.status?.message).toContain(`spec.containers[0].image "${expected.image}": ${expected.code}:`);
  expectOneDecisionLine(answer, 'deny', expected);
  expect(metricTotal(answer.output, 'Admissions', { decision: 'deny' })).toBe(1);
  expect(metricTotal(answer.output, 'Denials', { code: expected.code })).toBe(1);
}

/** Audit mode: admitted, one warning with the code, audit annotations, one `audit-deny` line, AuditDenials{code}. */
export function expectAuditedDenial(answer: GateAnswer, expected: ExpectedDenial): void {
  expect(answer.statusCode).toBe(200);
  expect(answer.response.allowed).toBe(true);
  expect(answer.response.status).toBeUndefined();
  expect(answer.response.warnings).toHaveLength(1);
  expect(answer.response.warnings?.[0]).toMatch(
    new RegExp(
      `^notary-gate \\(audit\\): spec\\.containers\\[0\\]\\.image "${escapeRegExp(expected.image)}": ${expected.code}: `,
    ),
  );
  expect(answer.response.auditAnnotations).toMatchObject({ decision: 'audit-deny', 'denied-codes': expected.code });
  expectOneDecisionLine(answer, 'audit-deny', expected);
  expect(metricTotal(answer.output, 'Admissions', { decision: 'audit-deny' })).toBe(1);
  expect(metricTotal(answer.output, 'AuditDenials', { code: expected.code })).toBe(1);
  expect(metricTotal(answer.output, 'Denials')).toBe(0);
}

function expectOneDecisionLine(answer: GateAnswer, decision: 'deny' | 'audit-deny', expected: ExpectedDenial): void {
  expect(answer.decisions).toHaveLength(1);
  expect(answer.decisions[0]).toMatchObject({
    level: 'INFO',
    event: 'admission',
    decision,
    deniedCodes: expected.code,
    images: [expect.objectContaining({ image: expected.image, allowed: false, code: expected.code })],
  });
  expect(String(answer.decisions[0]?.reason)).toMatch(expected.reason);
  // Nothing else reached standard output: no stray console output, no stack trace.
  expect(answer.output.other).toEqual([]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
