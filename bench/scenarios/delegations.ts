/**
 * Hostile repositories (issue 10 item 5): a repository at the delegation bound (MAX_DELEGATED_ROLES roles, each
 * signed, each fetched and verified) and one far past it (2,000 roles, refused). Trust data is generated and
 * signed here and served by a local fake Notary (the real `notary` client would take minutes to publish 64
 * delegations); each iteration is a cold NotaryVerifier (memory store, nothing cached, a new transport), so every
 * role is fetched and verified. The admission deadline is 10 s minus the 750 ms margin; the target is the 3 s a
 * Notary request may take on its own.
 */
import { MemoryStore } from '../../shared/cache/memory-store';
import { TieredTrustCache } from '../../shared/cache/trust-cache';
import { parseReference } from '../../shared/image/reference';
import { MAX_DELEGATED_ROLES } from '../../shared/notary/tuf/trusted-metadata';
import { NotaryVerifier } from '../../shared/notary/verifier';
import { NodeHttpTransport } from '../../shared/registry/http';
import { type FakeServer, startFakeServer } from '../../test/harness/fake-server';
import { notaryRule } from '../../test/harness/verifier-kit';
import { makeKey } from '../../test/shared/notary/tuf/support/keys';
import type { RepositoryFiles } from '../../test/shared/notary/tuf/support/repository';
import { instantFor, standardKeys, standardRepository } from '../../test/shared/notary/tuf/support/standard-repository';
import { elapsedMs, type LatencySummary, summarize } from '../lib/stats';

const GUN = 'registry.example.com/bench/delegated';
const DIGEST = 'd'.repeat(64);
/** The admission deadline the webhook answers within by default (10 s apiserver timeout minus the margin). */
export const DELEGATIONS_DEADLINE_MS = 3_000;

export interface DelegationsResult {
  readonly atBound: { readonly roles: number; readonly latency: LatencySummary; readonly code: string };
  readonly pastBound: { readonly roles: number; readonly latency: LatencySummary; readonly code: string };
}

export async function runDelegations(iterations = 10): Promise<DelegationsResult> {
  const keys = standardKeys(GUN);
  const nowMs = instantFor(keys);
  const signer = makeKey('ecdsa');
  const build = (roles: number): RepositoryFiles => {
    const repo = standardRepository(keys, GUN);
    repo.targets.targets = {};
    // The signed digest sits in the last role, so the verdict needs every one of them.
    for (let i = 0; i < roles; i++) {
      repo.delegate(`targets/signer${i}`, [signer], i === roles - 1 ? { v1: DIGEST } : {});
    }
    return repo.publish();
  };
  const atBound = await measure(build(MAX_DELEGATED_ROLES), nowMs, iterations);
  const pastBound = await measure(build(2_000), nowMs, iterations);
  return {
    atBound: { roles: MAX_DELEGATED_ROLES, ...atBound },
    pastBound: { roles: 2_000, ...pastBound },
  };
}

async function measure(files: RepositoryFiles, nowMs: number, iterations: number) {
  const server = await serve(files);
  try {
    const samples: number[] = [];
    let code = '';
    for (let i = 0; i < iterations; i++) {
      const http = new NodeHttpTransport();
      const store = new MemoryStore();
      const verifier = new NotaryVerifier({ cache: new TieredTrustCache({ store }), store, http });
      const started = process.hrtime.bigint();
      const verdict = await verifier.verify(
        parseReference(`${GUN}@sha256:${DIGEST}`),
        notaryRule({ server: server.url, delegations: [`targets/signer${MAX_DELEGATED_ROLES - 1}`] }),
        { nowMs, signal: AbortSignal.timeout(10_000) },
      );
      samples.push(elapsedMs(started));
      code = verdict.code;
      http.close();
    }
    return { latency: summarize(samples), code };
  } finally {
    await server.close();
  }
}

function serve(files: RepositoryFiles): Promise<FakeServer> {
  return startFakeServer((req, res) => {
    const role = /\/_trust\/tuf\/(.+?)(\.[0-9a-f]{64})?\.json$/.exec(req.url ?? '')?.[1] ?? '';
    const top = (files as unknown as Record<string, Buffer | undefined>)[role];
    const body = role === 'delegated' ? undefined : (top ?? files.delegated[role]);
    if (body) res.end(body);
    else res.writeHead(404).end();
  });
}
