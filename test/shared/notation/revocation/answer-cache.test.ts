import { AnswerCache, type CachedAnswer } from '../../../../shared/notation/revocation/answer-cache';

const NOW = 1_000_000;

/** A download that answers when released and, like the fetcher, fails when the signal it was given aborts. */
function heldDownload() {
  const signals: AbortSignal[] = [];
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const load = async (signal: AbortSignal): Promise<CachedAnswer<string>> => {
    signals.push(signal);
    await new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('download aborted')), { once: true });
      void released.then(resolve);
    });
    return { value: 'good', validFromMs: NOW - 1, expiresAtMs: NOW + 60_000 };
  };
  const started = async () => {
    for (let turn = 0; turn < 100 && signals.length === 0; turn++) await new Promise(setImmediate);
    expect(signals).toHaveLength(1);
  };
  return { load, signals, started, release: () => release() };
}

describe('revocation answer cache', () => {
  describe('when lookups with different deadlines share one download', () => {
    it('gives the later lookup the answer after the first has passed its own deadline', async () => {
      const cache = new AnswerCache<string>(10);
      const download = heldDownload();
      const short = new AbortController();
      const long = new AbortController();
      const first = cache.get('cert', NOW, download.load, short.signal);
      const second = cache.get('cert', NOW, download.load, long.signal);
      await download.started();
      short.abort(new Error('first admission deadline'));
      await expect(first).rejects.toThrow('the download was abandoned: the deadline passed');
      // The download runs with a signal of its own, not the first lookup's: it goes on for the second.
      expect(download.signals[0]!.aborted).toBe(false);
      download.release();
      await expect(second).resolves.toBe('good');
      expect(download.signals).toHaveLength(1);
      // Stored once it answered: the next lookup needs no download.
      await expect(cache.get('cert', NOW, download.load)).resolves.toBe('good');
      expect(download.signals).toHaveLength(1);
    });

    it('aborts the download once every lookup has stopped waiting, and stores nothing', async () => {
      const cache = new AnswerCache<string>(10);
      const download = heldDownload();
      const callers = [new AbortController(), new AbortController()];
      const waits = callers.map((caller) => cache.get('cert', NOW, download.load, caller.signal));
      await download.started();
      callers[0]!.abort(new Error('deadline 1'));
      await expect(waits[0]).rejects.toThrow(/deadline passed/);
      expect(download.signals[0]!.aborted).toBe(false);
      callers[1]!.abort(new Error('deadline 2'));
      await expect(waits[1]).rejects.toThrow(/deadline passed/);
      expect(download.signals[0]!.aborted).toBe(true);
      expect(cache.size).toBe(0);
    });
  });
});
