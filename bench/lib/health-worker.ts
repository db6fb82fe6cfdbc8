/**
 * health-worker polls `/health-check` on its own thread, so the load generator's busy event loop
 * does not inflate the latencies it records. Each probe opens a new connection, as an
 * orchestrator's liveness probe would.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

/** HealthConfig is the worker's input. */
export interface HealthConfig {
  url: string;
  intervalMs: number;
  timeoutMs: number;
}

/** HealthReport is what the worker posts back when told to stop. */
export interface HealthReport {
  /** Latency of each successful (200) probe, ms. */
  latencies: number[];
  /** Probes that failed, by reason (status code, "timeout" or error code). */
  failures: Record<string, number>;
}

const cfg = workerData as HealthConfig;
const report: HealthReport = { latencies: [], failures: {} };
let stopping = false;

function probe(): Promise<void> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const fail = (why: string) => {
      report.failures[why] = (report.failures[why] ?? 0) + 1;
      resolve();
    };
    const req = http.get(`${cfg.url}/health-check`, { agent: false, timeout: cfg.timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) report.latencies.push(performance.now() - t0);
        else fail(String(res.statusCode));
        resolve();
      });
      res.on('error', () => fail('body error'));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
  });
}

async function loop(): Promise<void> {
  while (!stopping) {
    const t0 = performance.now();
    await probe();
    const wait = cfg.intervalMs - (performance.now() - t0);
    if (wait > 0 && !stopping) await new Promise((r) => setTimeout(r, wait));
  }
  parentPort!.postMessage(report);
}

parentPort!.on('message', (msg: string) => {
  if (msg === 'stop') stopping = true;
});
void loop();
