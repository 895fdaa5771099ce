/**
 * What every scenario runs against: a real notary-server on 127.0.0.1 with docker-style token auth (the test
 * harness's), three repositories whose trust data the real `notary` client published, and a policy folder
 * (policy.yaml, the server's CA, each repository's pinned root certificate) as a user would write it.
 */
import { rm } from 'node:fs/promises';
import { type NotaryHarness, startNotary } from '../../test/harness/notary-harness';
import { writePolicyFolder } from '../../test/harness/policy-folder';

/** The repositories of the benchmark pod; each signs one tag, `v1`, for the digest below. */
export const REPOSITORIES = [
  'bench.example.com/shop/web',
  'bench.example.com/shop/api',
  'bench.example.com/shop/worker',
];

export interface BenchFixture {
  readonly notary: NotaryHarness;
  readonly dir: string;
  readonly policyFile: string;
  /** `repository@sha256:<signed digest>`, one per repository. */
  readonly images: readonly string[];
  stop(): Promise<void>;
}

/** A digest per repository, stable across runs so that results files compare. */
export function signedHex(repository: string): string {
  const index = REPOSITORIES.indexOf(repository);
  return ['a', 'b', 'c'][index]!.repeat(64);
}

export async function startFixture(): Promise<BenchFixture> {
  const notary = await startNotary({ tokenAuth: {} });
  try {
    for (const repository of REPOSITORIES) await notary.seed(repository, { v1: signedHex(repository) });
    const { dir, policyFile } = await writePolicyFolder(
      notary,
      REPOSITORIES.map((gun) => ({ gun })),
      'notary-gate-bench-',
    );
    return {
      notary,
      dir,
      policyFile,
      images: REPOSITORIES.map((repository) => `${repository}@sha256:${signedHex(repository)}`),
      async stop() {
        await notary.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await notary.stop();
    throw error;
  }
}
