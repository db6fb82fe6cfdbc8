/**
 * Work done once across a fleet: when the cache has a Redis tier, a miss for an original or a
 * variant first takes a lease in Redis (FleetLeases), so one instance fetches or transforms while
 * the others that miss on the same key wait for its entry and serve it as a hit. This sits inside
 * the in-process single flights, so each instance has at most one caller per key here; and it
 * cannot fail a request: Redis down, slow or the holder gone means the instance works alone.
 */
import type { ProxyConfig } from '../config.js';
import { leaseStoreOf } from '../cache/lease-store.js';
import { FleetLeases } from '../flow/lease.js';
import type { CachedResponse } from '../cache/cache.js';
import { hitOf } from './store.js';
import type { RequestContext } from './context.js';
import type { Outcome } from './types.js';

/** FleetEntry names what a lease is for, as the metric's `entry` label says it. */
export type FleetEntry = 'original' | 'variant';

/**
 * createFleet makes the core's fleet leases: on the first Redis tier of config.cache (single,
 * Cluster or Sentinel, alone or among other tiers) unless config.fleetLeases is off; undefined
 * when there is no such tier, so a proxy without Redis never waits for anyone.
 */
export function createFleet(config: ProxyConfig): FleetLeases | undefined {
  if (!config.fleetLeases) return undefined;
  const store = leaseStoreOf(config.cache);
  return store && new FleetLeases(store, { leaseTimeMs: config.leaseTimeMs });
}

/**
 * fleetLoad produces the outcome for `key`, which just missed (or was stale) in this instance's
 * cache, running `work` at most once across the fleet where it can: with a lease it runs work;
 * while another instance holds the lease it waits for the entry, and `lookup` serves it; without
 * fleet leases it just runs work. `work` must have stored the entry before it resolves (store()
 * does); `lookup` returns only an entry that may be served now. `signal` is the flight's: when it
 * aborts, waiting stops.
 */
export async function fleetLoad(
  ctx: RequestContext,
  entry: FleetEntry,
  key: string,
  lookup: () => Promise<Outcome | undefined>,
  work: () => Promise<Outcome>,
  signal: AbortSignal,
): Promise<Outcome> {
  const { fleet, metrics } = ctx.core;
  if (!fleet) return work();
  const onDecision = (outcome: string, reason?: string): void => {
    metrics.fleetLeases.inc(reason ? { entry, outcome, reason } : { entry, outcome });
  };
  return (await fleet.coalesce(key, lookup, work, { signal, onDecision })).value;
}

/**
 * freshHit is the lookup of a follower: the entry under key as a HIT when the cache has it fresh
 * and `servable` accepts it (the original's content-type check), else undefined.
 */
export async function freshHit(
  ctx: RequestContext,
  key: string,
  servable?: (entry: CachedResponse) => boolean,
): Promise<Outcome | undefined> {
  return hitOf(await ctx.core.responses?.get(key), servable);
}
