/**
 * A policy folder for a harness notary-server, as a user would write one: the server's CA as `caFile`, each pinned
 * repository's root certificate as a file in `rootKeys`, and one `verify` rule per repository.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NotaryHarness } from './notary-harness';

export interface PolicyFolderRule {
  /** The repository (GUN) the rule matches. */
  readonly gun: string;
  /** Pin the repository's root certificate (default true); false: trust on first use. */
  readonly pinRoot?: boolean;
  /** Another URL for the server (e.g. a relay in front of it); default the harness's. */
  readonly server?: string;
  /** More lines of the rule's `notary:` section, e.g. `auth: { secretArn: "…" }`. */
  readonly notaryLines?: readonly string[];
  /** More lines of the rule itself, e.g. `mutateDigest: false`. */
  readonly ruleLines?: readonly string[];
}

export interface PolicyFolder {
  readonly dir: string;
  readonly policyFile: string;
}

export async function writePolicyFolder(
  notary: NotaryHarness,
  rules: readonly PolicyFolderRule[],
  prefix = 'notary-gate-policy-',
): Promise<PolicyFolder> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFile(path.join(dir, 'notary-ca.pem'), notary.caPem);
  const lines = ['mode: enforce', 'defaultAction: deny', 'rules:'];
  for (const [index, rule] of rules.entries()) {
    lines.push(
      `  - match: ["${rule.gun}"]`,
      ...(rule.ruleLines ?? []).map((line) => `    ${line}`),
      '    notary:',
      `      server: ${rule.server ?? notary.url}`,
      '      caFile: ./notary-ca.pem',
    );
    if (rule.pinRoot ?? true) {
      await writeFile(path.join(dir, `root-${index}.crt`), await notary.rootCertPem(rule.gun));
      lines.push(`      rootKeys: ["./root-${index}.crt"]`);
    }
    lines.push(...(rule.notaryLines ?? []).map((line) => `      ${line}`));
  }
  const policyFile = path.join(dir, 'policy.yaml');
  await writeFile(policyFile, `${lines.join('\n')}\n`);
  return { dir, policyFile };
}
