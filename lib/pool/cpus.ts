/**
 * CPU count for the default number of transform workers: the CPUs the process may use, which in
 * a container is its cgroup CPU quota (Kubernetes `resources.limits.cpu`, `docker --cpus`), not
 * the host's cores. Node 20's os.availableParallelism() honours CPU affinity but not quotas, so a
 * pod limited to 2 CPUs on a 64-core node would start 64 workers and be throttled.
 *
 * The parsers are pure; cgroupCpuLimit reads through a function it is given, and defaultWorkers
 * reads the real files once per process.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** CGROUP_ROOT is where the cgroup file systems are mounted on Linux. */
export const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * parseCpuMax reads cgroup v2's `cpu.max` ("QUOTA PERIOD" in microseconds, QUOTA `max` when
 * unlimited) and returns the CPUs it allows (may be fractional), or undefined when unlimited or
 * malformed.
 */
export function parseCpuMax(text: string): number | undefined {
  const m = /^\s*(max|\d+)(?:\s+(\d+))?\s*$/.exec(text);
  if (!m || m[1] === 'max') return undefined;
  // The period is optional when written and defaults to 100 ms.
  return ratio(Number(m[1]), m[2] === undefined ? 100_000 : Number(m[2]));
}

/**
 * parseCfsQuota reads cgroup v1's `cpu.cfs_quota_us` and `cpu.cfs_period_us` and returns the
 * CPUs they allow, or undefined when unlimited (quota -1) or malformed.
 */
export function parseCfsQuota(quotaText: string, periodText: string): number | undefined {
  const quota = /^\s*(-?\d+)\s*$/.exec(quotaText)?.[1];
  const period = /^\s*(\d+)\s*$/.exec(periodText)?.[1];
  if (quota === undefined || period === undefined) return undefined;
  return ratio(Number(quota), Number(period));
}

function ratio(quota: number, period: number): number | undefined {
  if (!(quota > 0) || !(period > 0) || !Number.isSafeInteger(quota) || !Number.isSafeInteger(period)) return undefined;
  return quota / period;
}

/** CgroupPaths are the process's cgroups as /proc/self/cgroup names them. */
export interface CgroupPaths {
  /** Path in the unified (v2) hierarchy, from the `0::PATH` line. */
  unified?: string;
  /** Path in the v1 hierarchy that has the cpu controller, and that hierarchy's controller list. */
  cpu?: { controllers: string; path: string };
}

/** parseProcCgroup reads /proc/self/cgroup ("ID:CONTROLLERS:PATH" per line). */
export function parseProcCgroup(text: string): CgroupPaths {
  const out: CgroupPaths = {};
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(\/.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') out.unified = m[3];
    else if (m[2].split(',').includes('cpu')) out.cpu = { controllers: m[2], path: m[3] };
  }
  return out;
}

/** ancestors lists a cgroup path and each of its parents up to the root: /a/b, /a, /. */
function ancestors(p: string): string[] {
  const parts = p.split('/').filter((s) => s !== '');
  const out: string[] = [];
  for (let i = parts.length; i >= 0; i--) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

const join = (dir: string, cgroup: string, file: string): string => `${dir}${cgroup === '/' ? '' : cgroup}/${file}`;

function smallest(values: Array<number | undefined>): number | undefined {
  const found = values.filter((v): v is number => v !== undefined);
  return found.length === 0 ? undefined : Math.min(...found);
}

/**
 * cgroupCpuLimit returns the CPUs the process's cgroup quota allows (the tightest along its cgroup
 * and their parents; fractional), or undefined when there is no quota or no cgroup. `read`
 * returns a file's text, or undefined when it cannot be read.
 *
 * For cgroup v1 inside a container, /proc/self/cgroup names the host's path while the container
 * sees its own cgroup at the mount's root, so the root is read as well.
 */
export function cgroupCpuLimit(read: (path: string) => string | undefined): number | undefined {
  const self = read('/proc/self/cgroup');
  if (self === undefined) return undefined;
  const paths = parseProcCgroup(self);
  if (paths.unified !== undefined) {
    const v2 = smallest(ancestors(paths.unified).map((p) => {
      const text = read(join(CGROUP_ROOT, p, 'cpu.max'));
      return text === undefined ? undefined : parseCpuMax(text);
    }));
    if (v2 !== undefined) return v2;
  }
  if (paths.cpu === undefined) return undefined;
  // Debian and most distributions mount v1 "cpu,cpuacct" (with links named cpu and cpuacct).
  const dirs = [`${CGROUP_ROOT}/${paths.cpu.controllers}`, `${CGROUP_ROOT}/cpu`];
  return smallest(dirs.flatMap((dir) => ancestors(paths.cpu!.path).map((p) => {
    const quota = read(join(dir, p, 'cpu.cfs_quota_us'));
    const period = read(join(dir, p, 'cpu.cfs_period_us'));
    return quota === undefined || period === undefined ? undefined : parseCfsQuota(quota, period);
  })));
}

/**
 * workersFor is the default worker count for `parallelism` usable cores and a cgroup limit: the
 * limit rounded down (a fraction of a CPU cannot run another thread without being throttled),
 * never more than the cores, never less than 1.
 */
export function workersFor(parallelism: number, limit: number | undefined): number {
  const cores = Math.max(1, Math.floor(parallelism));
  return limit === undefined ? cores : Math.max(1, Math.min(cores, Math.floor(limit)));
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

let cached: number | undefined;

/**
 * defaultWorkers is the number of transform workers `-workers 0` means: the usable cores
 * (os.availableParallelism) capped by the cgroup CPU quota. The cgroup files are read on the
 * first call only (a few small reads at start-up; none exist off Linux, which means no quota);
 * later calls return the same number.
 */
export function defaultWorkers(): number {
  cached ??= workersFor(os.availableParallelism(), cgroupCpuLimit(readText));
  return cached;
}
