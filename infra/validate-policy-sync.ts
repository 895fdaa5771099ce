import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { InvalidPolicyError } from '../shared/errors';
import type { DeployablePolicy } from './validate-policy';

/** Set by the package's build (scripts/bundle-cdk.mjs): the validator is a compiled file next to the library. */
declare const NOTARY_GATE_PACKAGED: boolean | undefined;

/** A policy is a few KB; the loader reads it and its key files, nothing from the network. */
const VALIDATION_TIMEOUT_MS = 60_000;

/**
 * `validatePolicyFile`, synchronously: in a child process running the same loader (infra/validate-policy-main.ts,
 * through tsx in a checkout, compiled in the package), because a construct's constructor cannot await.
 */
export function validatePolicyFileSync(file: string, label: string): DeployablePolicy {
  const packaged = typeof NOTARY_GATE_PACKAGED !== 'undefined' && NOTARY_GATE_PACKAGED;
  // In a checkout, through tsx's loader for both require() and import(): format modules import their heavier
  // halves lazily (the Notation module's settings), which tsx's CommonJS hook alone cannot load.
  const args = packaged
    ? [join(__dirname, 'validate-policy.js'), resolve(file), label]
    : ['--import', 'tsx', join(__dirname, 'validate-policy-main.ts'), resolve(file), label];
  const result = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: VALIDATION_TIMEOUT_MS,
    // `--import tsx` resolves from here: the project's own node_modules.
    cwd: join(__dirname, '..'),
  });
  if (result.status === 0) return JSON.parse(result.stdout) as DeployablePolicy;
  throw new InvalidPolicyError(
    result.stderr.trim() || `cannot validate ${label}: ${result.error?.message ?? `exit ${result.status}`}`,
  );
}
