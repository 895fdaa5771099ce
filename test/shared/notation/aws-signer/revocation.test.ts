import {
  MAX_REVOCATION_CACHE_ENTRIES,
  REVOCATION_CACHE_TTL_MS,
  SignerRevocation,
} from '../../../../shared/notation/aws-signer/revocation';
import type { RevocationQuery, SignerRevocationApi } from '../../../../shared/notation/aws-signer/signer-api';

const QUERY: RevocationQuery = {
  region: 'us-west-2',
  signatureTimestampMs: Date.parse('2026-11-01T01:00:00Z'),
  platformId: 'Notation-OCI-SHA384-ECDSA',
  profileVersionArn: 'arn:aws:signer:us-west-2:123456789012:/signing-profiles/p/V1',
  jobArn: 'arn:aws:signer:us-west-2:123456789012:/signing-jobs/j1',
  certificateHashes: ['a'.repeat(192), 'b'.repeat(192)],
};

class ScriptedApi implements SignerRevocationApi {
  calls = 0;
  answer: (query: RevocationQuery, signal: AbortSignal) => Promise<readonly string[]> = async () => [];
  getRevocationStatus(query: RevocationQuery, signal: AbortSignal): Promise<readonly string[]> {
    this.calls++;
    return this.answer(query, signal);
  }
}

const live = () => new AbortController().signal;

describe('AWS Signer revocation answers', () => {
  let api: ScriptedApi;
  let nowMs: number;
  let revocation: SignerRevocation;
  beforeEach(() => {
    api = new ScriptedApi();
    nowMs = 1_000_000;
    revocation = new SignerRevocation({ api, clock: () => nowMs });
  });

  /** An API that answers when released and, like the SDK, rejects when the signal it was given aborts. */
  function heldApi() {
    const signals: AbortSignal[] = [];
    let release: (entities: readonly string[]) => void = () => undefined;
    const answered = new Promise<readonly string[]>((resolve) => {
      release = resolve;
    });
    api.answer = (_query, signal) => {
      signals.push(signal);
      return new Promise((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new Error('AbortError')), { once: true });
        void answered.then(resolve);
      });
    };
    const started = async () => {
      for (let turn = 0; turn < 100 && signals.length === 0; turn++) await new Promise(setImmediate);
      expect(signals).toHaveLength(1);
    };
    return { signals, started, release: (entities: readonly string[]) => release(entities) };
  }

  describe('are cached per signature for a bounded time', () => {
    it('asks once within the TTL, and again once it has passed', async () => {
      await revocation.check(QUERY, live());
      nowMs += REVOCATION_CACHE_TTL_MS - 1;
      await revocation.check(QUERY, live());
      expect(api.calls).toBe(1);
      nowMs += 1;
      await revocation.check(QUERY, live());
      expect(api.calls).toBe(2);
    });

    it('keeps a revoked answer as such', async () => {
      api.answer = async () => [QUERY.profileVersionArn];
      await revocation.check(QUERY, live());
      api.answer = async () => [];
      expect(await revocation.check(QUERY, live())).toMatchObject({ ok: false, code: 'REVOKED' });
      expect(api.calls).toBe(1);
    });

    it('never keeps a failure: the next admission asks again', async () => {
      api.answer = async () => {
        throw new Error('boom');
      };
      expect(await revocation.check(QUERY, live())).toMatchObject({ code: 'REVOCATION_UNAVAILABLE' });
      api.answer = async () => [];
      expect(await revocation.check(QUERY, live())).toEqual({ ok: true });
      expect(api.calls).toBe(2);
    });

    it('keys by everything asked: another job, chain, time or region is another question', async () => {
      await revocation.check(QUERY, live());
      await revocation.check({ ...QUERY, jobArn: `${QUERY.jobArn}x` }, live());
      await revocation.check({ ...QUERY, certificateHashes: ['c'.repeat(192)] }, live());
      await revocation.check({ ...QUERY, signatureTimestampMs: QUERY.signatureTimestampMs + 1000 }, live());
      await revocation.check({ ...QUERY, region: 'us-east-1' }, live());
      expect(api.calls).toBe(5);
    });

    it('shares one call among concurrent checks of one signature', async () => {
      const held = heldApi();
      const both = Promise.all([revocation.check(QUERY, live()), revocation.check(QUERY, live())]);
      await held.started();
      held.release([]);
      expect(await both).toEqual([{ ok: true }, { ok: true }]);
      expect(api.calls).toBe(1);
    });

    it(`remembers at most ${MAX_REVOCATION_CACHE_ENTRIES} signatures (tested at a bound of 2 and one past)`, async () => {
      revocation = new SignerRevocation({ api, clock: () => nowMs, maxEntries: 2 });
      const q = (n: number) => ({ ...QUERY, jobArn: `${QUERY.jobArn}-${n}` });
      await revocation.check(q(1), live());
      await revocation.check(q(2), live());
      await revocation.check(q(1), live());
      await revocation.check(q(2), live());
      expect(api.calls).toBe(2); // at the bound: both kept
      await revocation.check(q(3), live()); // one past: the oldest goes
      await revocation.check(q(2), live());
      await revocation.check(q(3), live());
      expect(api.calls).toBe(3);
      await revocation.check(q(1), live());
      expect(api.calls).toBe(4);
    });
  });

  describe('are bounded by the admission deadline', () => {
    it('does not call at all when the deadline has passed', async () => {
      const controller = new AbortController();
      controller.abort();
      expect(await revocation.check(QUERY, controller.signal)).toEqual({
        ok: false,
        code: 'REVOCATION_UNAVAILABLE',
        reason: 'AWS Signer GetRevocationStatus in us-west-2 failed: the admission deadline passed before AWS answered',
      });
      expect(api.calls).toBe(0);
    });

    it('stops waiting when the deadline passes mid-call, and the call it alone waited on is aborted', async () => {
      const held = heldApi();
      const controller = new AbortController();
      const pending = revocation.check(QUERY, controller.signal);
      await held.started();
      controller.abort();
      expect(await pending).toMatchObject({ ok: false, code: 'REVOCATION_UNAVAILABLE' });
      expect(held.signals[0]!.aborted).toBe(true);
    });

    it('gives a later check the answer after the first has passed its own deadline', async () => {
      const held = heldApi();
      const short = new AbortController();
      const long = new AbortController();
      const first = revocation.check(QUERY, short.signal);
      const second = revocation.check(QUERY, long.signal);
      await held.started();
      short.abort(new Error('first admission deadline'));
      expect(await first).toEqual({
        ok: false,
        code: 'REVOCATION_UNAVAILABLE',
        reason: 'AWS Signer GetRevocationStatus in us-west-2 failed: the admission deadline passed before AWS answered',
      });
      // The call did not run under the first admission's signal: it goes on for the second.
      expect(held.signals[0]!.aborted).toBe(false);
      held.release([QUERY.profileVersionArn]);
      expect(await second).toMatchObject({ ok: false, code: 'REVOKED' });
      expect(api.calls).toBe(1);
    });
  });
});
