import type { Clock } from '../clock';

/**
 * Runs `work` for each key concurrently and returns what settled before the deadline. At the deadline the
 * signal aborts (verifiers stop their network calls) and the keys still pending are reported as such: the
 * caller never awaits past the deadline, whatever a verifier does with the signal.
 */
export async function settleBefore<K, V>(
  keys: readonly K[],
  work: (key: K, signal: AbortSignal) => Promise<V>,
  options: { deadlineAtMs: number | undefined; wallClock: Clock },
): Promise<{ results: Map<K, V>; pending: K[] }> {
  const controller = new AbortController();
  const results = new Map<K, V>();
  const all = Promise.all(
    keys.map(async (key) => {
      const value = await work(key, controller.signal);
      if (!controller.signal.aborted) results.set(key, value);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    if (options.deadlineAtMs === undefined) {
      await all;
    } else {
      const remainingMs = Math.max(0, options.deadlineAtMs - options.wallClock());
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, remainingMs);
      });
      await Promise.race([all, deadline]);
    }
  } finally {
    if (timer) clearTimeout(timer);
    // Aborting also after a normal finish is harmless and releases any listener a verifier left behind.
    controller.abort(new Error('admission deadline reached'));
  }
  return { results, pending: keys.filter((key) => !results.has(key)) };
}
