/**
 * A stand-in for prom-client where its Node.js internals cannot load (Cloudflare Workers: it reads
 * process.uptime, node:fs and node:perf_hooks at start-up): the same classes, recording nothing.
 * A Workers build aliases `prom-client` to this module; `/metrics` then says that nothing is
 * collected, since one isolate's numbers would describe only itself among many.
 */

/** NOTHING is what the stand-in registry prints at /metrics. */
const NOTHING = '# imageproxy: metrics are not collected on this runtime\n';

/** MetricOptions are the prom-client constructor options the stand-in accepts and ignores, bar the name. */
interface MetricOptions {
  name: string;
  help?: string;
}

/** Metric is every prom-client metric's API, doing nothing. */
class Metric {
  readonly name: string;
  readonly help: string;

  constructor(opts: MetricOptions) {
    this.name = opts.name;
    this.help = opts.help ?? '';
  }

  inc(): void {}
  dec(): void {}
  set(): void {}
  observe(): void {}
  reset(): void {}
  zero(): void {}
  remove(): void {}
  /** startTimer returns the function that ends the timer, which records nothing and returns 0 seconds. */
  startTimer(): () => number {
    return () => 0;
  }
  labels(): this {
    return this;
  }
  async get(): Promise<{ name: string; help: string; type: string; values: never[]; aggregator: string }> {
    return { name: this.name, help: this.help, type: 'untyped', values: [], aggregator: 'sum' };
  }
}

/** Counter is prom-client's Counter, recording nothing. */
export class Counter extends Metric {}
/** Gauge is prom-client's Gauge, recording nothing. */
export class Gauge extends Metric {}
/** Histogram is prom-client's Histogram, recording nothing. */
export class Histogram extends Metric {}
/** Summary is prom-client's Summary, recording nothing. */
export class Summary extends Metric {}

/** Registry is prom-client's Registry, holding nothing. */
export class Registry {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  async metrics(): Promise<string> {
    return NOTHING;
  }
  registerMetric(): void {}
  getSingleMetric(): undefined {
    return undefined;
  }
  async getMetricsAsJSON(): Promise<never[]> {
    return [];
  }
  clear(): void {}
  resetMetrics(): void {}
  setDefaultLabels(): void {}
  removeSingleMetric(): void {}
}

/** register is prom-client's global registry, holding nothing. */
export const register = new Registry();

/** collectDefaultMetrics collects nothing: the process and Node.js metrics do not exist here. */
export function collectDefaultMetrics(): void {}

export default { Counter, Gauge, Histogram, Summary, Registry, register, collectDefaultMetrics };
