/**
 * Outcomes as data (notation-go's VerificationOutcome): one result per check with the action the level gives it.
 * A failed `enforce` check ends verification with its code; a failed `log` check becomes a warning; `skip` checks
 * are not run.
 */
import type { TargetArtifact } from '../payload';
import type { CheckAction, CheckActions, CheckType } from '../policy/levels';
import type { NotationErrorCode, SigningScheme } from '../types';

export interface CheckResult {
  readonly check: CheckType;
  readonly action: CheckAction;
  /** Present when the check failed. */
  readonly code?: NotationErrorCode;
  readonly reason?: string;
}

export interface Warning {
  readonly check: CheckType;
  readonly code: NotationErrorCode;
  readonly reason: string;
}

/** Who signed: for the decision log. */
export interface SignerInfo {
  /** Leaf subject, RFC 4514 style. */
  readonly subject: string;
  /** Lowercase hex SHA-256 of each chain certificate, leaf first (notation's thumbprint list). */
  readonly chainSha256: readonly string[];
  readonly signingScheme: SigningScheme;
  readonly signingTimeMs?: number;
  readonly authenticSigningTimeMs?: number;
  /** genTime of a verified RFC 3161 timestamp. */
  readonly timestampMs?: number;
  readonly plugin?: string;
}

export type SignatureOutcome =
  | {
      readonly verified: true;
      readonly results: readonly CheckResult[];
      readonly warnings: readonly Warning[];
      readonly signer: SignerInfo;
      readonly target: TargetArtifact;
      /**
       * Until when this verdict stands on its own terms (epoch ms): the signature's expiry, and the chain's end when
       * its validity was checked at the evaluation instant. Undefined: nothing in the signature ends it.
       */
      readonly validUntilMs?: number;
    }
  | {
      readonly verified: false;
      readonly code: NotationErrorCode;
      readonly reason: string;
      /** The check that failed with `enforce`. */
      readonly check: CheckType;
      readonly results: readonly CheckResult[];
      readonly signer?: SignerInfo;
      readonly target?: TargetArtifact;
    };

/** Ends a run: thrown by `fail` when the check is enforced, caught by the runner. */
export class EnforcedFailure extends Error {
  constructor(
    readonly check: CheckType,
    readonly code: NotationErrorCode,
    reason: string,
  ) {
    super(reason);
  }
}

/** Collects results; `fail` throws EnforcedFailure for enforced checks (integrity is always enforced). */
export class OutcomeRecorder {
  readonly results: CheckResult[] = [];
  constructor(private readonly actions: CheckActions) {}

  action(check: CheckType): CheckAction {
    return check === 'integrity' ? 'enforce' : this.actions[check];
  }

  pass(check: CheckType): void {
    this.results.push({ check, action: this.action(check) });
  }

  fail(check: CheckType, code: NotationErrorCode, reason: string): void {
    const action = this.action(check);
    this.results.push({ check, action, code, reason });
    if (action === 'enforce') throw new EnforcedFailure(check, code, reason);
  }

  warnings(): Warning[] {
    return this.results
      .filter((r) => r.code !== undefined && r.action === 'log')
      .map((r) => ({ check: r.check, code: r.code!, reason: r.reason! }));
  }
}
