/**
 * Single flight: concurrent callers asking for the same key share one piece of work, and the
 * work is cancelled once every caller has stopped waiting.
 */

/** One shared piece of work and the callers waiting for it. */
interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/** AbandonedError is the abort reason of work whose every waiter went away. */
export class AbandonedError extends Error {
  constructor() {
    super('Every caller stopped waiting.');
    this.name = 'AbandonedError';
  }
}

/**
 * SingleFlight deduplicates concurrent work by key: while a flight for a key is running, further
 * calls for that key wait for its result instead of starting their own.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** size is the number of flights running now. */
  get size(): number {
    return this.flights.size;
  }

  /**
   * do runs `fn` for `key` unless a flight for `key` is already running, and resolves with the
   * shared result. When `signal` aborts, this caller stops waiting (rejecting with the signal's
   * reason); when the last waiter stops, the flight's own signal aborts with an AbandonedError
   * and the key is free for a fresh flight.
   */
  do(key: string, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const f: Flight<T> = { controller, waiters: 0, promise: undefined as unknown as Promise<T> };
      f.promise = Promise.resolve()
        .then(() => fn(controller.signal))
        .finally(() => {
          if (this.flights.get(key) === f) this.flights.delete(key);
        });
      // Once every waiter has gone, nobody observes the result; keep it from being unhandled.
      f.promise.catch(() => undefined);
      this.flights.set(key, f);
      flight = f;
    }
    const f = flight;
    f.waiters++;
    if (!signal) return f.promise;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const onAbort = (): void => {
        if (done) return;
        done = true;
        reject(signal.reason);
        this.leave(key, f);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        (v) => {
          if (done) return;
          done = true;
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (err: unknown) => {
          if (done) return;
          done = true;
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }

  /** leave drops one waiter and cancels the flight when it was the last. */
  private leave(key: string, f: Flight<T>): void {
    f.waiters--;
    if (f.waiters > 0) return;
    if (this.flights.get(key) === f) this.flights.delete(key);
    f.controller.abort(new AbandonedError());
  }
}
