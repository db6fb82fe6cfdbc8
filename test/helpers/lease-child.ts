/**
 * One instance of a fleet for the lease tests, as a process of its own: it connects to the Redis
 * cache named on its command line and, for every JSON line on stdin, looks a key up and on a miss
 * coalesces it through FleetLeases the way the request core does. It reports on stdout, one JSON
 * line each: `ready`, `working` (its work began), `result`. Closing stdin ends it.
 *
 * Usage: node lease-child.js CACHE_URL LEASE_TIME_MS
 */
import readline from 'node:readline';
import { createCache, leaseStoreOf } from '../../lib/cache/index.js';
import { FleetLeases } from '../../lib/flow/lease.js';

/** LeaseChildCommand asks the child for one key; its work takes workMs and stores `made by PID`. */
export interface LeaseChildCommand {
  id: string;
  key: string;
  workMs: number;
}

/** LeaseChildEvent is one line the child prints. */
export type LeaseChildEvent =
  | { event: 'ready'; pid: number }
  | { event: 'working'; id: string; pid: number }
  | { event: 'result'; id: string; pid: number; outcome: string; reason?: string; waitedMs: number; value: string; ms: number };

const say = (e: LeaseChildEvent): void => {
  process.stdout.write(`${JSON.stringify(e)}\n`);
};

async function main(): Promise<void> {
  const [url, leaseTime] = process.argv.slice(2);
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const cache = await createCache([url], quiet, { timeoutMs: 3000 });
  const store = leaseStoreOf(cache);
  if (!cache || !store) throw new Error(`${url} gave no Redis tier`);
  // createCache waits at most 1 s for Redis; on a busy machine a cluster client may need longer,
  // and a child that is not connected yet would (rightly) go on alone. Tests want connected ones.
  for (const deadline = Date.now() + 20_000; ;) {
    try {
      await store.peek('ready-probe');
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const leases = new FleetLeases(store, { leaseTimeMs: Number(leaseTime) });
  const serve = async (cmd: LeaseChildCommand): Promise<void> => {
    const t0 = performance.now();
    const hit = await cache.get(cmd.key);
    if (hit) {
      say({ event: 'result', id: cmd.id, pid: process.pid, outcome: 'hit', waitedMs: 0, value: hit.toString(), ms: performance.now() - t0 });
      return;
    }
    const got = await leases.coalesce(cmd.key, () => cache.get(cmd.key), async () => {
      say({ event: 'working', id: cmd.id, pid: process.pid });
      await new Promise((r) => setTimeout(r, cmd.workMs));
      const v = Buffer.from(`made by ${process.pid}`);
      await cache.set(cmd.key, v);
      return v;
    });
    say({ event: 'result', id: cmd.id, pid: process.pid, outcome: got.outcome, reason: got.reason, waitedMs: got.waitedMs, value: got.value.toString(), ms: performance.now() - t0 });
  };
  const lines = readline.createInterface({ input: process.stdin });
  const pending = new Set<Promise<void>>();
  lines.on('line', (line) => {
    const p = serve(JSON.parse(line) as LeaseChildCommand);
    pending.add(p);
    void p.finally(() => pending.delete(p));
  });
  lines.on('close', () => {
    void Promise.all(pending).finally(async () => {
      await cache.close?.();
      process.exit(0);
    });
  });
  say({ event: 'ready', pid: process.pid });
}

main().catch((err: unknown) => {
  process.stderr.write(`lease-child: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
