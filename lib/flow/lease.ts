/**
 * Fleet leases: a cache miss shared by several proxy instances is worked on by one of them. The
 * first instance to miss takes a short lease on the key in a shared store (Redis: `SET NX PX`);
 * the others wait for the entry to appear in the cache instead of fetching and transforming it
 * themselves, for at most the lease time, then go on alone. Nothing here can make a request
 * fail: a store that is down, slow or confused means "no lease", and the caller works alone.
 *
 * Waiting is bounded polling of the lease (a few small reads per waiting instance), not a
 * notification. Keyspace notifications are off by default and often cannot be switched on in a
 * managed Redis; pub/sub needs a dedicated connection per instance, is broadcast to every node
 * of a Redis Cluster, and loses messages across a failover. Polling works the same on a single
 * server, a Cluster and Sentinel, and its cost is at most LEASE_POLL_MAX_MS of extra latency.
 *
 * The request core (lib/core/fleet.ts) puts one FleetLeases per core behind its in-process
 * single flights, for the misses of originals and of variants.
 */
import { DEFAULT_LEASE_TIME_MS } from '../config.js';

/** LEASE_DONE is the value a finished holder leaves on the lease (tokens are UUIDs, so never equal to it). */
export const LEASE_DONE = 'done';
/** LEASE_POLL_FIRST_MS is the first pause between two looks at a held lease (25 ms; doubled after each look). */
export const LEASE_POLL_FIRST_MS = 25;
/** LEASE_POLL_MAX_MS caps that pause (250 ms): the most a waiter learns late that the entry is there. */
export const LEASE_POLL_MAX_MS = 250;
/**
 * LEASE_DONE_MARK_MS is how long the done mark stays (2 s): it covers the gap between another
 * instance's cache miss and its lease attempt, and a waiter's last pause, so neither starts the
 * work again just after it was done.
 */
export const LEASE_DONE_MARK_MS = 2_000;
/** LEASE_OP_TIMEOUT_MS bounds one lease command (1 s): a store that hangs costs a miss at most this before it goes on alone. */
export const LEASE_OP_TIMEOUT_MS = 1_000;

/**
 * LeaseStore keeps leases where every instance sees them (RedisLeaseStore). Expiry is the
 * store's own clock (Redis `PX`), so the instances' clocks never matter. Any method may reject;
 * the caller treats that as "no lease".
 */
export interface LeaseStore {
  /** acquire sets key's lease to token for ttlMs unless a lease or done mark is there; true when taken. */
  acquire(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** peek returns what is on key's lease now: a holder's token, LEASE_DONE, or undefined when free. */
  peek(key: string): Promise<string | undefined>;
  /** finish replaces key's lease by LEASE_DONE for markMs if token still holds it; true when it did. */
  finish(key: string, token: string, markMs: number): Promise<boolean>;
}

/**
 * CoalesceOutcome says how coalesce got its value: `led` (took the lease and ran work), `followed`
 * (another instance did the work; lookup found the entry), `alone` (ran work without a lease).
 */
export type CoalesceOutcome = 'led' | 'followed' | 'alone';

/**
 * AloneReason says why work ran without a lease: the store failed or timed out (`unavailable`),
 * the holder kept the lease for the whole lease time (`timeout`), or the holder finished but
 * lookup still found nothing, e.g. an uncacheable response or a failed origin (`unfinished`).
 */
export type AloneReason = 'unavailable' | 'timeout' | 'unfinished';

/** Coalesced is coalesce's answer: the value and how it was obtained. */
export interface Coalesced<T> {
  /** What work produced, here or on the instance that held the lease. */
  value: T;
  /** How the value was obtained. */
  outcome: CoalesceOutcome;
  /** Why work ran without a lease (outcome `alone` only). */
  reason?: AloneReason;
  /** Milliseconds spent waiting for another instance (0 when none was waited for). */
  waitedMs: number;
}

/** CoalesceOptions are the per-call settings of coalesce. */
export interface CoalesceOptions {
  /** Stops waiting (rejecting with the signal's reason) when it aborts; work gets no signal from here. */
  signal?: AbortSignal;
  /**
   * Called once per call as soon as the outcome is decided (before work runs, so a failing work is
   * counted too), e.g. to count outcomes in metrics; what it throws is ignored.
   */
  onDecision?: (outcome: CoalesceOutcome, reason?: AloneReason) => void;
}

/** Decide records one decision: the stats and the caller's onDecision. */
type Decide = (outcome: CoalesceOutcome, reason?: AloneReason) => void;

/** FleetLeasesOptions configure FleetLeases; every field has a default. */
export interface FleetLeasesOptions {
  /** Lease lifetime and the most a waiter waits; DEFAULT_LEASE_TIME_MS by default. */
  leaseTimeMs?: number;
  /** First pause between looks at a held lease; LEASE_POLL_FIRST_MS. */
  pollFirstMs?: number;
  /** Longest pause between looks; LEASE_POLL_MAX_MS. */
  pollMaxMs?: number;
  /** Lifetime of the done mark; LEASE_DONE_MARK_MS. */
  doneMarkMs?: number;
  /** Time limit of one store command; LEASE_OP_TIMEOUT_MS. */
  opTimeoutMs?: number;
  /** Monotonic clock in ms, for tests; performance.now by default (never the wall clock). */
  now?: () => number;
  /** Makes a lease token; crypto.randomUUID by default. */
  token?: () => string;
}

/** FleetLeaseStats count coalesce's decisions since construction (work that then failed included), for metrics and tests. */
export interface FleetLeaseStats {
  led: number;
  followed: number;
  alone: number;
  /** Store commands that failed or timed out. */
  storeFailures: number;
}

class LeaseOpTimeout extends Error {
  constructor(ms: number) {
    super(`lease command took longer than ${ms} ms`);
    this.name = 'LeaseOpTimeout';
  }
}

function abortable(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * FleetLeases coalesces cache misses across proxy instances that share a LeaseStore. Put it
 * behind the in-process single flight, so each instance has at most one caller per key here.
 */
export class FleetLeases {
  /** Outcome counters. */
  readonly stats: FleetLeaseStats = { led: 0, followed: 0, alone: 0, storeFailures: 0 };
  /** Lease lifetime and the most a waiter waits, in ms. */
  readonly leaseTimeMs: number;
  private readonly pollFirstMs: number;
  private readonly pollMaxMs: number;
  private readonly doneMarkMs: number;
  private readonly opTimeoutMs: number;
  private readonly now: () => number;
  private readonly token: () => string;

  constructor(
    /** Where the leases live. */
    readonly store: LeaseStore,
    opts: FleetLeasesOptions = {},
  ) {
    this.leaseTimeMs = Math.max(1, Math.ceil(opts.leaseTimeMs ?? DEFAULT_LEASE_TIME_MS));
    this.pollFirstMs = opts.pollFirstMs ?? LEASE_POLL_FIRST_MS;
    this.pollMaxMs = opts.pollMaxMs ?? LEASE_POLL_MAX_MS;
    this.doneMarkMs = opts.doneMarkMs ?? LEASE_DONE_MARK_MS;
    this.opTimeoutMs = opts.opTimeoutMs ?? LEASE_OP_TIMEOUT_MS;
    this.now = opts.now ?? (() => performance.now());
    this.token = opts.token ?? (() => globalThis.crypto.randomUUID());
  }

  /**
   * coalesce produces the value for a key that just missed in the cache, doing `work` at most
   * once across the fleet where it can.
   *
   * Call it after your own lookup missed. It tries to take the key's lease: on success it runs
   * `work` and marks the lease done (`led`). Otherwise another instance is working; it looks at
   * the lease now and then, and when the holder is done it calls `lookup` once and returns what
   * it found (`followed`). It runs `work` itself, without a lease (`alone`), when the store
   * fails, when lookup finds nothing after the holder is done, or when the lease time has passed
   * since the call began. A lease that expires under a waiter (its holder died) is taken over,
   * and lookup is tried once more first.
   *
   * Contract for the caller:
   * - `work` must have stored the entry (so that `lookup` on another instance finds it) before
   *   its promise settles; a rejection of `work` is passed on, after the lease is marked done
   *   so the waiters go on at once.
   * - `lookup` returns the entry only when it can be served (fresh); a rejection counts as a miss.
   * - `key` is the cache key of the entry, as given to the Cache (hashed by the store).
   *
   * Guarantees: work runs at most once per call; a waiting caller is delayed by at most the
   * lease time (plus one store command and one lookup); the store failing never rejects; the
   * lease is only ever finished by its holder's token, so a slow holder whose lease expired
   * cannot end a newer holder's lease. Rejects only with work's error or the signal's reason.
   */
  async coalesce<T>(
    key: string,
    lookup: () => Promise<T | undefined>,
    work: () => Promise<T>,
    opts: CoalesceOptions = {},
  ): Promise<Coalesced<T>> {
    const { signal } = opts;
    if (signal?.aborted) throw signal.reason;
    const decide: Decide = (outcome, reason) => {
      this.stats[outcome]++;
      try {
        opts.onDecision?.(outcome, reason);
      } catch {
        // A broken counter must not change what the request gets.
      }
    };
    const started = this.now();
    const token = this.token();
    // An acquire that timed out may still land later; finishing it then ends the stray lease
    // (on one connection, the finish runs after the acquire).
    const taken = await this.tryStore(() => this.store.acquire(key, token, this.leaseTimeMs), () => {
      void this.tryStore(() => this.store.finish(key, token, this.doneMarkMs));
    });
    if (taken === null) return this.alone(work, 'unavailable', 0, decide);
    if (taken) return this.lead(key, token, work, 0, decide);
    return this.follow(key, token, lookup, work, started, signal, decide);
  }

  /** follow waits for the holder of key's lease; see coalesce. */
  private async follow<T>(
    key: string,
    token: string,
    lookup: () => Promise<T | undefined>,
    work: () => Promise<T>,
    started: number,
    signal: AbortSignal | undefined,
    decide: Decide,
  ): Promise<Coalesced<T>> {
    const deadline = started + this.leaseTimeMs;
    let pause = this.pollFirstMs;
    for (;;) {
      const seen = await this.tryStore(() => this.store.peek(key));
      if (signal?.aborted) throw signal.reason;
      const waited = (): number => Math.max(0, this.now() - started);
      if (seen === null) return this.alone(work, 'unavailable', waited(), decide);
      if (seen === LEASE_DONE) {
        const found = await this.look(lookup);
        if (found !== undefined) return this.followed(found, waited(), decide);
        return this.alone(work, 'unfinished', waited(), decide);
      }
      if (seen === undefined) {
        // Free again: the holder's lease expired, or the done mark lapsed before we looked.
        const taken = await this.tryStore(() => this.store.acquire(key, token, this.leaseTimeMs));
        if (taken === null) return this.alone(work, 'unavailable', waited(), decide);
        if (taken) {
          const found = await this.look(lookup);
          if (found === undefined) return this.lead(key, token, work, waited(), decide);
          await this.tryStore(() => this.store.finish(key, token, this.doneMarkMs));
          return this.followed(found, waited(), decide);
        }
        // Another waiter took it first: wait for that one, within the same deadline.
      }
      const left = deadline - this.now();
      if (left <= 0) return this.alone(work, 'timeout', waited(), decide);
      await abortable(Math.min(pause, left), signal);
      pause = Math.min(pause * 2, this.pollMaxMs);
    }
  }

  /** lead runs work under the lease and marks the lease done, whatever work did. */
  private async lead<T>(key: string, token: string, work: () => Promise<T>, waitedMs: number, decide: Decide): Promise<Coalesced<T>> {
    decide('led');
    try {
      return { value: await work(), outcome: 'led', waitedMs };
    } finally {
      await this.tryStore(() => this.store.finish(key, token, this.doneMarkMs));
    }
  }

  private async alone<T>(work: () => Promise<T>, reason: AloneReason, waitedMs: number, decide: Decide): Promise<Coalesced<T>> {
    decide('alone', reason);
    return { value: await work(), outcome: 'alone', reason, waitedMs };
  }

  private followed<T>(value: T, waitedMs: number, decide: Decide): Coalesced<T> {
    decide('followed');
    return { value, outcome: 'followed', waitedMs };
  }

  private async look<T>(lookup: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await lookup();
    } catch {
      return undefined;
    }
  }

  /**
   * tryStore runs one store command within the op time limit; it resolves with the command's
   * result, or with null when the command failed or took too long (then onTimeout runs too).
   */
  private async tryStore<R>(op: () => Promise<R>, onTimeout?: () => void): Promise<R | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const p = Promise.resolve().then(op);
      p.catch(() => {});
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new LeaseOpTimeout(this.opTimeoutMs)), this.opTimeoutMs);
        }),
      ]);
    } catch (err) {
      this.stats.storeFailures++;
      if (err instanceof LeaseOpTimeout) onTimeout?.();
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
