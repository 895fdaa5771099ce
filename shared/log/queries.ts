import { codesIn, type VerdictCode } from '../errors';
import { DECISION_LOG as F, IMAGE_FIELDS as I } from './fields';
import { MUTATION_LOG as M } from './mutation-fields';

/**
 * The saved CloudWatch Logs Insights queries over the decision log: the CDK stack saves them as
 * `AWS::Logs::QueryDefinition`s and `notary-gate decisions` runs the same texts. Every field name comes from
 * ./fields (the module the decision logger writes with), and a test proves each name a query reads is one of them.
 */

export interface DecisionQuery {
  /** Stable, kebab-case: the `--query` argument and the saved query's name. */
  readonly name: string;
  readonly description: string;
  readonly text: string;
}

/**
 * Denied codes that mean "this image is not (verifiably) signed", as opposed to policy or availability denials: the
 * `denied-untrusted` codes of the table in shared/errors.ts, so a new format's codes are counted without a change here.
 */
export const UNVERIFIABLE_CODES: readonly VerdictCode[] = codesIn('denied-untrusted');
/** Denied codes that mean a signature source (Notary server, registry, revocation, trust state) could not answer. */
export const ORIGIN_FAILURE_CODES: readonly VerdictCode[] = codesIn('origin-outage');

/** Names a saved query had before; `notary-gate decisions --query` still accepts them. */
export const RENAMED_QUERIES: Readonly<Record<string, string>> = { 'notary-errors': 'origin-errors' };

const isAdmission = `${F.event} = "${F.eventValue}"`;
/** Both real denials and what audit mode would have denied. */
const isDenial = `${F.decision} in ["deny", "audit-deny"]`;
const codesMatch = (codes: readonly string[]) => `${F.deniedCodes} like /${codes.join('|')}/`;
/** Image records are an array, which Logs Insights does not index; the raw JSON line is matched instead. */
const staleImage = `@message like /"${I.source}":\\s*"stale"/`;

const lines = (...parts: string[]) => parts.join('\n| ');

export const DECISION_QUERIES: readonly DecisionQuery[] = [
  {
    name: 'recent-decisions',
    description: 'The latest admissions, allowed or not.',
    text: lines(
      `fields @timestamp, ${F.decision}, ${F.operation}, ${F.kind}, ${F.namespace}, ${F.name}, ${F.user}, ${F.deniedCodes}`,
      `filter ${isAdmission}`,
      'sort @timestamp desc',
      'limit 100',
    ),
  },
  {
    name: 'denials',
    description: 'Denied admissions (and audit-mode would-be denials) with the images and the reason.',
    text: lines(
      `fields @timestamp, ${F.decision}, ${F.namespace}, ${F.kind}, ${F.name}, ${F.user}, ${F.deniedCodes}, ${F.deniedImages}, ${F.reason}`,
      `filter ${isAdmission} and ${isDenial}`,
      'sort @timestamp desc',
      'limit 100',
    ),
  },
  {
    name: 'decisions-by-namespace-and-user',
    description: 'How many admissions each namespace and user had, by decision.',
    text: lines(
      `filter ${isAdmission}`,
      `stats count(*) as admissions by ${F.namespace}, ${F.user}, ${F.decision}`,
      'sort admissions desc',
      'limit 200',
    ),
  },
  {
    name: 'unverifiable-images',
    description:
      'Images denied because no valid signature covers them: unsigned, wrong digest, bad or expired trust data.',
    text: lines(
      `filter ${isAdmission} and ${codesMatch(UNVERIFIABLE_CODES)}`,
      `stats count(*) as admissions, latest(${F.reason}) as lastReason, latest(${F.namespace}) as lastNamespace by ${F.deniedImages}, ${F.deniedCodes}`,
      'sort admissions desc',
      'limit 100',
    ),
  },
  {
    name: 'slow-admissions',
    description: 'Admission latency (p50, p99, max) in 5-minute bins; the apiserver gives up at the webhook timeout.',
    text: lines(
      `filter ${isAdmission}`,
      `stats pct(${F.durationMs}, 50) as p50Ms, pct(${F.durationMs}, 99) as p99Ms, max(${F.durationMs}) as maxMs, count(*) as admissions by bin(5m) as window`,
      'sort window desc',
    ),
  },
  {
    name: 'origin-errors',
    description:
      'Admissions denied because a signature source (Notary server, registry, revocation responder, the remembered ' +
      'trust state) could not be reached or answered wrongly. Formerly notary-errors.',
    text: lines(
      `fields @timestamp, ${F.decision}, ${F.namespace}, ${F.name}, ${F.deniedCodes}, ${F.deniedImages}, ${F.reason}`,
      `filter ${isAdmission} and ${codesMatch(ORIGIN_FAILURE_CODES)}`,
      'sort @timestamp desc',
      'limit 100',
    ),
  },
  {
    name: 'stale-cache-use',
    description: 'Admissions decided on cached trust data past its fresh TTL because its signature source failed.',
    text: lines(
      `fields @timestamp, ${F.decision}, ${F.namespace}, ${F.kind}, ${F.name}`,
      `filter ${isAdmission} and ${staleImage}`,
      'sort @timestamp desc',
      'limit 100',
    ),
  },
  {
    name: 'pinned-images',
    description: 'What was pinned: /mutate admissions that rewrote tag-only images to their verified digests.',
    text: lines(
      `fields @timestamp, ${F.operation}, ${F.kind}, ${F.namespace}, ${F.name}, ${F.user}, ${M.pinnedCount}, ${M.pinnedImages}`,
      `filter ${F.event} = "${M.eventValue}" and ${M.pinnedCount} > 0`,
      'sort @timestamp desc',
      'limit 100',
    ),
  },
  {
    name: 'break-glass',
    description:
      'Objects labelled notary-gate.io/break-glass=true, as the mutating webhook saw them (the validating one does not, ' +
      'with the break-glass objectSelector on): who, what, and the images that went in unverified.',
    text: lines(
      `fields @timestamp, ${F.operation}, ${F.kind}, ${F.namespace}, ${F.name}, ${F.user}, ${F.dryRun}, ${M.breakGlassImages}`,
      `filter ${F.event} = "${M.eventValue}" and ispresent(${M.breakGlassLabel})`,
      'sort @timestamp desc',
      'limit 100',
    ),
  },
];

/** The saved query of that name (or of a name it had before, see RENAMED_QUERIES). */
export function findDecisionQuery(name: string): DecisionQuery | undefined {
  const current = Object.hasOwn(RENAMED_QUERIES, name) ? RENAMED_QUERIES[name] : name;
  return DECISION_QUERIES.find((query) => query.name === current);
}
