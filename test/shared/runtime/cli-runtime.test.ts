import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { cliRuntime, parseInstant } from '../../../shared/runtime/cli-runtime';
import { resolveCliPolicy } from '../../../shared/runtime/policy-source';
import { createRuntime } from '../../../shared/runtime/runtime';
import { streamTelemetry } from '../../../shared/runtime/stream-telemetry';

describe('CLI runtime', () => {
  describe('--at', () => {
    it('accepts RFC 3339 instants with an offset', () => {
      expect(parseInstant('2026-01-31T12:00:00Z')).toBe(Date.UTC(2026, 0, 31, 12));
      expect(parseInstant('2026-01-31T13:00:00.500+01:00')).toBe(Date.UTC(2026, 0, 31, 12, 0, 0, 500));
    });

    it.each(['2026-01-31', '2026-01-31T12:00:00', 'yesterday', '2026-13-01T00:00:00Z'])('refuses %s', (text) => {
      expect(() => parseInstant(text)).toThrow(/RFC 3339/);
    });

    it('fixes the evaluation clock of the runtime', async () => {
      const runtime = await cliRuntime({ at: '2030-05-01T00:00:00Z', env: {} });
      expect(runtime.clock()).toBe(Date.UTC(2030, 4, 1));
    });
  });

  describe('policy resolution', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-policy-source-'));
      await writeFile(path.join(dir, 'policy.yaml'), 'mode: audit\n');
      await writeFile(path.join(dir, 'other.yaml'), 'defaultAction: allow\n');
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('takes --policy first', async () => {
      const policy = await resolveCliPolicy({ file: 'other.yaml', env: { POLICY: 'mode: audit' }, cwd: dir });
      expect(policy).toMatchObject({ mode: 'enforce', defaultAction: 'allow' });
    });

    it('then POLICY from the environment, as the Lambda reads it', async () => {
      const policy = await resolveCliPolicy({ env: { POLICY: 'defaultAction: allow' }, cwd: dir });
      expect(policy).toMatchObject({ mode: 'enforce', defaultAction: 'allow' });
    });

    it('then ./policy.yaml when present', async () => {
      await expect(resolveCliPolicy({ env: {}, cwd: dir })).resolves.toMatchObject({ mode: 'audit' });
    });

    it('else the built-in default, which denies what no rule allows', async () => {
      await expect(resolveCliPolicy({ env: {}, cwd: tmpdir() })).resolves.toMatchObject({
        mode: 'enforce',
        defaultAction: 'deny',
        rules: [],
      });
    });
  });
});

describe('runtime flush', () => {
  it('stops waiting for cache writes after the budget, and waits for them without one', async () => {
    let release: () => void = () => {};
    const pending = new Promise<void>((resolve) => {
      release = resolve;
    });
    let flushed = false;
    const runtime = createRuntime({
      policy: DEFAULT_POLICY,
      verifiers: [],
      telemetry: streamTelemetry(),
      flushCache: () =>
        pending.then(() => {
          flushed = true;
        }),
    });
    await runtime.flush({ budgetMs: 0 });
    expect(flushed).toBe(false);
    const full = runtime.flush();
    release();
    await full;
    expect(flushed).toBe(true);
  });
});
