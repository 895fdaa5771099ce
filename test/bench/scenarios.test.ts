/**
 * The bench's registry and Notation scenarios run and measure what they claim, in a few iterations: requests and
 * waves counted from the recording transport, verdicts, and the bundled Lambda answering the Notary Pod, the
 * Notation Pod and the /mutate tag Pod interleaved. No timing is asserted: speed is `npm run bench`'s job.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../bench/lib/bundle';
import { type BenchFixture, startFixture } from '../../bench/lib/fixture';
import { type NotationFixture, startNotationFixture, writeCombinedPolicy } from '../../bench/lib/notation-fixture';
import { runEnvelopeCpu } from '../../bench/scenarios/envelope-cpu';
import { runNotationCold } from '../../bench/scenarios/notation-cold';
import { runRegistry } from '../../bench/scenarios/registry';
import { runWarm } from '../../bench/scenarios/warm';
import { envelopeCpuRows, notationColdRows, pairedWarmRows, registryRows } from '../../bench/summary-oci';
import { loadPolicy } from '../../shared/policy/load';
import { describeWithNotary } from '../harness/availability';

const run = promisify(execFile);

describe('the registry and Notation scenarios of the bench', () => {
  let dir: string;
  let notation: NotationFixture;
  let policyFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-bench-test-'));
    notation = await startNotationFixture(dir);
    policyFile = path.join(dir, 'policy.yaml');
    await writeCombinedPolicy('mode: enforce\ndefaultAction: deny\nrules:\n', notation, policyFile);
  });
  afterAll(async () => {
    await notation?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts a cold resolution as a challenged HEAD, one token and one HEAD after auth, by digest and by tag', async () => {
    const result = await runRegistry(notation, 2);
    for (const count of [result.digest, result.tag]) {
      expect(count).toMatchObject({
        requests: 3,
        tokenRequests: 1,
        challenges: 1,
        wavesAfterAuth: 1,
        allAnswered: true,
      });
      expect(count.sequence).toBe('HEAD manifest (401) > token > HEAD manifest');
      expect(count.latency.samples).toBe(2);
    }
    expect(registryRows(result).filter((r) => r.met !== undefined)).toHaveLength(2);
  });

  it('verifies the Notation image cold: SIGNED, the referrers, the signature manifest and the envelope fetched', async () => {
    const result = await runNotationCold(notation, await loadPolicy({ file: policyFile }), 2);
    expect(result).toMatchObject({ code: 'SIGNED', allAnswered: true, tokenRequests: 1 });
    expect(result.sequence).toMatch(/referrers.*> manifest > blob$/);
    expect(result.wavesAfterAuth).toBeGreaterThanOrEqual(3);
    expect(notationColdRows(result)[1]!.target).toBe('<= 3');
  });

  it('verifies each envelope in the CPU loop and measures its floor', async () => {
    // RSA 2048 here: the bench's RSA 3072 keys take seconds to generate on a loaded machine.
    const { rows } = await runEnvelopeCpu(10, [
      ['p256', 'ES256'],
      ['rsa2048', 'PS256'],
    ]);
    expect(rows.map((r) => [r.alg, r.allVerified])).toEqual([
      ['ES256', true],
      ['PS256', true],
    ]);
    for (const measured of rows) {
      expect(measured.cpuMs).toBeGreaterThan(0);
      expect(measured.floorCpuMs).toBeGreaterThan(0);
    }
    expect(envelopeCpuRows({ rows })).toHaveLength(4);
  }, 60_000);
});

describeWithNotary('the warm scenario of the bench, Notary, Notation and /mutate interleaved', () => {
  let fixture: BenchFixture;
  let notation: NotationFixture;
  let buildDir: string;

  beforeAll(async () => {
    fixture = await startFixture();
    notation = await startNotationFixture(fixture.dir);
    buildDir = await mkdtemp(path.join(tmpdir(), 'notary-gate-bench-test-bundle-'));
  }, 120_000);
  afterAll(async () => {
    await notation?.stop();
    await fixture?.stop();
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
  });

  it('admits both Pods and pins the tags through the bundled Lambda, every round', async () => {
    const policyFile = path.join(fixture.dir, 'policy-with-notation.yaml');
    await writeCombinedPolicy(await readFile(fixture.policyFile, 'utf8'), notation, policyFile);
    // The project's build script in a process of its own (jest cannot import the .mjs the bench imports).
    await run(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs'), '--outdir', buildDir], {
      cwd: ROOT,
      timeout: 120_000,
    });
    const file = path.join(buildDir, 'index.mjs');
    const bundle = { file, bytes: statSync(file).size, initBytes: statSync(file).size };
    const warm = await runWarm(fixture, bundle, {
      iterations: 20,
      warmup: 5,
      notation: { fixture: notation, policyFile },
    });
    expect(warm.allAdmitted).toBe(true);
    expect(warm.notation).toMatchObject({ images: 3, allOk: true, latency: expect.objectContaining({ samples: 20 }) });
    expect(warm.mutate).toMatchObject({ images: 3, allOk: true, latency: expect.objectContaining({ samples: 20 }) });
    expect(pairedWarmRows(warm).map((r) => r.scenario)).toEqual([
      'warm Notation',
      'warm Notation',
      'warm Notation',
      'warm /mutate',
      'warm /mutate',
      'warm /mutate',
    ]);
  }, 120_000);
});
