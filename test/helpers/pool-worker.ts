/**
 * Test worker for the transform pool: speaks the real worker protocol (serveTransforms) but runs
 * scripted commands instead of transform(), so pool tests do not depend on image codecs.
 *
 * The input bytes are a JSON PoolCommand; every result carries the tags this worker has seen, so
 * a test can prove that a task never reached a worker.
 */
import { isMainThread } from 'node:worker_threads';
import { serveTransforms } from '../../lib/pool/worker.js';
import { ProxyError } from '../../lib/errors.js';

/** PoolCommand tells the test worker what to do with one task. */
export type PoolCommand =
  | { op: 'mix'; tag: string; rounds: number }
  | { op: 'busy'; tag: string; ms: number }
  | { op: 'proxyError'; tag: string; status: number; code: string; message: string }
  | { op: 'throw'; tag: string; value: 'error' | 'string' }
  | { op: 'exit'; tag: string }
  | { op: 'oom'; tag: string }
  | { op: 'garbage'; tag: string; mb: number };

/** PoolReply is the JSON a successful command answers with. */
export interface PoolReply {
  tag: string;
  value: number;
  seen: string[];
}

/** mix is deterministic CPU work: `rounds` steps of xorshift32 seeded from the tag. */
export function mix(tag: string, rounds: number): number {
  let x = 2166136261;
  for (let i = 0; i < tag.length; i++) x = Math.imul(x ^ tag.charCodeAt(i), 16777619) >>> 0;
  x ||= 1;
  for (let i = 0; i < rounds; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
  }
  return x;
}

/** command encodes a PoolCommand as task input bytes. */
export function command(c: PoolCommand): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(c));
}

/** reply decodes a result's bytes. */
export function reply(bytes: Uint8Array): PoolReply {
  return JSON.parse(new TextDecoder().decode(bytes)) as PoolReply;
}

/** TEST_CONTENT_TYPE is the content type of every test worker result. */
export const TEST_CONTENT_TYPE = 'application/x-pool-test';

const seen: string[] = [];
let held: Uint8Array[] = [];

async function run(bytes: Uint8Array): Promise<{ bytes: Uint8Array; contentType: string }> {
  const c = JSON.parse(new TextDecoder().decode(bytes)) as PoolCommand;
  seen.push(c.tag);
  held = [];
  let value = 0;
  switch (c.op) {
    case 'mix':
      value = mix(c.tag, c.rounds);
      break;
    case 'busy': {
      const end = Date.now() + c.ms;
      while (Date.now() < end) value = mix(c.tag, 1000 + (value & 1));
      value = 0;
      break;
    }
    case 'proxyError':
      throw new ProxyError(c.status, c.code, c.message);
    case 'throw':
      if (c.value === 'error') throw new RangeError('offset out of bounds');
      throw 'a plain string';
    case 'exit':
      process.exit(3);
      break;
    case 'garbage': {
      // Buffers held until the next task, so the worker's check after the reply (RECLAIM_BYTES) sees them.
      held = Array.from({ length: c.mb }, (_, i) => new Uint8Array(1 << 20).fill(i & 255));
      break;
    }
    case 'oom': {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array<number>(100_000).fill(hoard.length + 0.5));
    }
  }
  // Answer with a view into a larger buffer, to check the worker copies before transferring.
  const body = new TextEncoder().encode(JSON.stringify({ tag: c.tag, value, seen } satisfies PoolReply));
  const big = new Uint8Array(body.length + 16);
  big.set(body, 8);
  return { bytes: big.subarray(8, 8 + body.length), contentType: TEST_CONTENT_TYPE };
}

// The deep warm-up (sent only to pools made with deepWarmUp: true) leaves its mark in the history.
if (!isMainThread) serveTransforms(run, undefined, async () => void seen.push('deep-warm'));
