/**
 * Types for the parts of autocannon 8 the benchmark uses (the package ships none).
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  /** Histogram is an hdr-histogram summary; latency values are milliseconds. */
  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
  }

  /** Result is a finished run's aggregate (requests.total counts completed responses). */
  export interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram & { sent: number };
    throughput: Histogram;
  }

  /** RequestSpec is one entry of the request sequence; setupRequest may rewrite it per request. */
  export interface RequestSpec {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    setupRequest?: (request: { path: string; [k: string]: unknown }, context: Record<string, unknown>) => unknown;
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
  }

  /** Options configures a run; duration and timeout are in seconds. */
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    pipelining?: number;
    requests?: RequestSpec[];
    /** setupClient is called with each connection's client (an EventEmitter of 'headers' and 'response'). */
    setupClient?: (client: EventEmitter & { requestIterator?: { context?: Record<string, unknown> } }) => void;
    headers?: Record<string, string>;
  }

  /** Instance is a running benchmark: await it for the Result, or stop() it early. */
  export interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void;
  }

  /** autocannon starts a run. */
  function autocannon(opts: Options): Instance;
  export default autocannon;
}
