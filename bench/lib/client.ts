/**
 * The benchmark's HTTP client: single GETs with timing, and a closed-loop driver that keeps a
 * fixed number of requests in flight for a fixed time.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** Fetched is one response, fully read. */
export interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Milliseconds from sending the request to the last body byte. */
  ms: number;
}

/** REQUEST_TIMEOUT_MS bounds one benchmark request; a 4000 px resize in pure JS takes ~1 s. */
export const REQUEST_TIMEOUT_MS = 120_000;

/** newAgent returns a keep-alive agent for up to maxSockets parallel connections. */
export function newAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

/**
 * get fetches url (http only) and reads the whole body; it rejects on network errors and timeouts.
 * A request that fails on a reused keep-alive socket before any response is retried once on a
 * new one, since the server may have closed the idle socket just as we sent (Node's advice).
 */
export async function get(url: string, agent?: http.Agent, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Fetched> {
  try {
    return await getOnce(url, agent, timeoutMs);
  } catch (err) {
    if ((err as { reusedSocket?: boolean }).reusedSocket) return await getOnce(url, agent, timeoutMs);
    throw err;
  }
}

function getOnce(url: string, agent: http.Agent | undefined, timeoutMs: number): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let responded = false;
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - t0 }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const retriable = !responded && req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up');
      reject(Object.assign(err, { reusedSocket: retriable }));
    });
  });
}

/** LoopResult is what a closed loop achieved. */
export interface LoopResult {
  /** Requests that completed successfully. */
  ok: number;
  /** Requests that failed (the task threw). */
  failed: number;
  /** First failure message, for the report. */
  firstError?: string;
  /** Wall-clock seconds from start until the last in-flight request finished. */
  seconds: number;
  /** Successful requests per second. */
  rps: number;
  /** Latency of each successful request, ms. */
  latencies: number[];
}

/**
 * closedLoop runs task(i) with `concurrency` calls in flight, starting a new one as each finishes,
 * until `seconds` have passed; then it waits for the in-flight calls and divides by the total
 * time. task resolves when its request succeeded and rejects when it failed.
 */
export async function closedLoop(concurrency: number, seconds: number, task: (i: number) => Promise<void>): Promise<LoopResult> {
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  async function lane(): Promise<void> {
    while (performance.now() < deadline) {
      const i = next++;
      const s = performance.now();
      try {
        await task(i);
        ok++;
        latencies.push(performance.now() - s);
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
        // A failing target answers fast; pausing keeps a broken run from spinning.
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const total = (performance.now() - t0) / 1000;
  return { ok, failed, firstError, seconds: total, rps: ok / total, latencies };
}

/** mergeLoops adds up closed-loop runs against one target into one result. */
export function mergeLoops(parts: LoopResult[]): LoopResult {
  const ok = parts.reduce((n, p) => n + p.ok, 0);
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  return {
    ok,
    failed: parts.reduce((n, p) => n + p.failed, 0),
    firstError: parts.find((p) => p.firstError)?.firstError,
    seconds,
    rps: seconds > 0 ? ok / seconds : NaN,
    latencies: parts.flatMap((p) => p.latencies),
  };
}

/** throwUnlessOk rejects a response whose status is not 200, quoting the start of its body. */
export function throwUnlessOk(r: Fetched, url: string): Fetched {
  if (r.status !== 200) {
    throw new Error(`GET ${url} -> ${r.status}: ${r.body.subarray(0, 200).toString('utf8').trim()}`);
  }
  return r;
}
