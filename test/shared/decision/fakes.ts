import type { AdmissionRequest } from '../../../shared/admission/types';
import { TrustError } from '../../../shared/errors';
import type { ImageReference } from '../../../shared/image/types';
import type { NotarySettings, Policy, Rule } from '../../../shared/policy/types';
import type { Telemetry } from '../../../shared/runtime/telemetry';
import type { ImageVerdict, SignatureVerifier, VerifyContext } from '../../../shared/verify/types';

/** A digest that the fake verifier treats as signed. */
export const SIGNED_DIGEST = `sha256:${'a'.repeat(64)}`;
export const UNSIGNED_DIGEST = `sha256:${'b'.repeat(64)}`;

export const NOTARY: NotarySettings = {
  server: 'https://notary.example.com',
  ca: undefined,
  rootKeys: [],
  delegations: undefined,
  auth: undefined,
};

export function rule(match: string[], overrides: Partial<Rule> = {}): Rule {
  return { match, action: 'verify', requireDigest: true, mode: undefined, notary: NOTARY, ...overrides };
}

export function policy(overrides: Partial<Policy> = {}): Policy {
  return {
    mode: 'enforce',
    defaultAction: 'deny',
    rules: [],
    exemptNamespaces: [],
    skipUnchangedImages: false,
    cache: { freshTtlSeconds: 300, maxStaleSeconds: 3600 },
    ...overrides,
  };
}

/**
 * A signature verifier at the engine's boundary: digests equal to SIGNED_DIGEST are signed; repositories named
 * in `behaviour` hang until aborted, throw a TrustError, or throw an unexpected error. It records calls.
 */
export class FakeVerifier implements SignatureVerifier {
  readonly format = 'fake-v1';
  readonly unreachableCode = 'NOTARY_UNREACHABLE';
  readonly calls: { reference: string; nowMs: number }[] = [];
  constructor(private readonly behaviour: Record<string, 'hang' | 'unreachable' | 'crash'> = {}) {}

  supports(rule: Rule): boolean {
    return rule.notary !== undefined;
  }

  async verify(ref: ImageReference, _rule: Rule, ctx: VerifyContext): Promise<ImageVerdict> {
    this.calls.push({ reference: ref.reference, nowMs: ctx.nowMs });
    const behaviour = this.behaviour[ref.name];
    if (behaviour === 'hang') {
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(new TrustError('NOTARY_UNREACHABLE', 'aborted')));
      });
    }
    if (behaviour === 'unreachable')
      throw new TrustError('NOTARY_UNREACHABLE', `cannot reach the notary server of ${ref.name}`);
    if (behaviour === 'crash') throw new TypeError('cannot read properties of undefined');
    if (ref.digest === undefined) {
      return {
        allowed: false,
        code: 'DIGEST_REQUIRED',
        reason: `pin ${ref.name}@${SIGNED_DIGEST}`,
        signedDigest: SIGNED_DIGEST,
        format: this.format,
        source: 'origin',
      };
    }
    return ref.digest === SIGNED_DIGEST
      ? { allowed: true, code: 'SIGNED', reason: `${ref.digest} is signed`, format: this.format, source: 'memory' }
      : {
          allowed: false,
          code: 'NOT_SIGNED',
          reason: `${ref.digest} is not signed`,
          format: this.format,
          source: 'origin',
        };
  }
}

/** A Pod AdmissionRequest with the given container images (and optional overrides). */
export function podRequest(images: string[], overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    apiVersion: 'admission.k8s.io/v1',
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    subResource: undefined,
    operation: 'CREATE',
    namespace: 'default',
    name: 'web',
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    dryRun: false,
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default' },
      spec: { containers: images.map((image, index) => ({ name: `c${index}`, image })) },
    },
    oldObject: undefined,
    ...overrides,
  };
}

/** Telemetry that records what a runtime reports, for assertions. */
export function recordingTelemetry() {
  const recorded = {
    decisions: [] as Record<string, unknown>[],
    errors: [] as { message: string; fields?: Record<string, unknown> }[],
    warnings: [] as string[],
    counts: [] as { metric: string; value: number; dimension?: { name: string; value: string } }[],
    flushes: 0,
  };
  const telemetry: Telemetry = {
    observer: {
      count: (metric, value = 1, dimension) =>
        recorded.counts.push({ metric, value, ...(dimension ? { dimension } : {}) }),
      warn: (message) => recorded.warnings.push(message),
      debug() {},
    },
    logDecision: (record) => recorded.decisions.push(record),
    error: (message, fields) => recorded.errors.push({ message, ...(fields ? { fields } : {}) }),
    flush: () => {
      recorded.flushes += 1;
    },
  };
  return { telemetry, recorded };
}
