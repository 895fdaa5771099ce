// A namespace import, not `{ z }`: esbuild then keeps only the zod parts used (without it, every locale: +360 KiB).
import * as z from 'zod';
import { InvalidAdmissionReviewError } from '../errors';
import { formatPath } from './field-path';
import type { AdmissionRequest } from './types';

/**
 * Reads an AdmissionReview as the apiserver sends it (`admission.k8s.io/v1` or `v1beta1`; the request has the same
 * shape in both) into the normalized AdmissionRequest. Required is only what the decision needs, and there strict
 * where a mistake would let an object through unchecked (apiVersion, uid, operation, `kind.kind`, an object on
 * CREATE/UPDATE); tolerant where real payloads vary (oldObject null, {}, "" or a string; dryRun or userInfo fields
 * missing; unknown fields). `resource` and `kind.version` may be missing: captures from older clusters and tools
 * (kubectl-era test payloads, some policy tools' replays) lack them, and nothing decides on them; the pod spec is
 * found from `kind.kind` (extract.ts). A field that is present must still have its documented shape.
 */

export const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;

const nonEmptyString = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });
/** `group` is "" for the core API group; a missing group is read as "" too. */
const groupField = z.string({ error: 'must be a string' }).default('');
const optionalText = z
  .string({ error: 'must be a string' })
  .nullish()
  .transform((value) => (value ? value : undefined));

const requestSchema = z.object(
  {
    uid: nonEmptyString,
    kind: z.object(
      { group: groupField, version: optionalText, kind: nonEmptyString },
      { error: 'must be an object with group, version and kind' },
    ),
    resource: z
      .object(
        { group: groupField, version: optionalText, resource: nonEmptyString },
        { error: 'must be an object with group, version and resource' },
      )
      .nullish()
      .transform((value) => value ?? undefined),
    subResource: optionalText,
    operation: z.enum(OPERATIONS, { error: `must be one of ${OPERATIONS.join(', ')}` }),
    namespace: optionalText,
    name: optionalText,
    userInfo: z
      .object({
        username: optionalText,
        groups: z.array(z.string(), { error: 'must be a list of strings' }).nullish(),
      })
      .nullish(),
    dryRun: z.boolean({ error: 'must be true or false' }).nullish(),
    object: z.unknown().optional(),
    oldObject: z.unknown().optional(),
  },
  { error: 'is missing or not an object' },
);

const reviewSchema = z.object(
  {
    apiVersion: z.enum(ADMISSION_API_VERSIONS, {
      error: `must be ${ADMISSION_API_VERSIONS.join(' or ')}`,
    }),
    kind: z.literal('AdmissionReview', { error: 'must be AdmissionReview' }),
    request: requestSchema,
  },
  { error: 'the body must be a JSON object' },
);

/** Parses an AdmissionReview body (already JSON-decoded); throws InvalidAdmissionReviewError naming the field. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  const result = reviewSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
    throw new InvalidAdmissionReviewError(`not a valid AdmissionReview: ${where}${issue?.message ?? 'invalid'}`, {
      cause: result.error,
    });
  }
  const { apiVersion, request } = result.data;
  const object = asObject(request.object);
  // Fail closed: an admission that creates or changes something must carry the object, or nothing would be checked.
  if ((request.operation === 'CREATE' || request.operation === 'UPDATE') && object === undefined) {
    throw new InvalidAdmissionReviewError(
      `not a valid AdmissionReview: request.object: must be an object on ${request.operation}`,
    );
  }
  return {
    apiVersion,
    uid: request.uid,
    kind: { group: request.kind.group, version: request.kind.version ?? '', kind: request.kind.kind },
    resource: request.resource && { ...request.resource, version: request.resource.version ?? '' },
    subResource: request.subResource,
    operation: request.operation,
    namespace: request.namespace,
    name: request.name,
    userInfo: { username: request.userInfo?.username, groups: request.userInfo?.groups ?? [] },
    dryRun: request.dryRun ?? false,
    object: request.operation === 'DELETE' ? undefined : object,
    oldObject: asObject(request.oldObject),
  };
}

/** A JSON object with at least one field, or undefined: null, {}, "", strings and arrays all mean "none". */
function asObject(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.keys(value).length > 0 ? (value as Record<string, unknown>) : undefined;
}
