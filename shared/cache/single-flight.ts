/**
 * One run of `work` per key for all concurrent callers, where each caller waits only as long as its own signal
 * allows. The run gets a signal of its own, not any caller's: one admission's deadline passing must not fail
 * another admission waiting on the same run while its own deadline has not. The run is aborted only when every
 * caller that joined it has stopped waiting (nobody is left to use the answer); a caller without a signal keeps
 * it alive to the end. A settled run's signal aborts too, releasing what it left running. The run's own bounds
 * (request timeouts, byte ceilings) stay with `work`.
 */

interface Flight<V> {
  readonly promise: Promise<V>;
  readonly controller: AbortController;
  waiters: number;
}

export class SingleFlight<K, V> {
  readonly #flights = new Map<K, Flight<V>>();

  /** Joins the run for `key`, starting it when none is running. Rejects with the signal's reason when it aborts. */
  run(key: K, work: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal): Promise<V> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    let flight = this.#flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const promise = Promise.resolve().then(() => work(controller.signal));
      const started: Flight<V> = { controller, waiters: 0, promise };
      // Settled, the run's signal aborts too: work it left behind (a request raced by one that failed) stops, as
      // the admission's own signal used to stop it, instead of running on for nobody.
      const settle = () => {
        this.#forget(key, started);
        controller.abort(new Error('the shared load has settled'));
      };
      void promise.then(settle, settle); // a run abandoned by every caller may reject with nobody awaiting it
      this.#flights.set(key, started);
      flight = started;
    }
    return this.#wait(key, flight, signal);
  }

  /** How many runs are in flight (tests, diagnostics). */
  get size(): number {
    return this.#flights.size;
  }

  #wait(key: K, flight: Flight<V>, signal: AbortSignal | undefined): Promise<V> {
    flight.waiters++;
    if (!signal) return flight.promise;
    return new Promise<V>((resolve, reject) => {
      const onAbort = () => {
        reject(abortReason(signal));
        this.#leave(key, flight);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  #forget(key: K, flight: Flight<V>): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key);
  }

  #leave(key: K, flight: Flight<V>): void {
    flight.waiters--;
    if (flight.waiters > 0) return;
    // Forget it first, so that a caller arriving now starts a fresh run instead of joining an aborted one.
    this.#forget(key, flight);
    flight.controller.abort(new Error('every caller waiting on this load has stopped waiting'));
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
