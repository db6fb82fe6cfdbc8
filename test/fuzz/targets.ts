/**
 * Fuzz targets: every decoder entry point, run on one input with the properties each must keep.
 *
 * A target may reject an input only with a 4xx ProxyError; any other throw, or a result that
 * breaks an invariant (wrong buffer size, orientation out of range, output over the limits), is
 * a finding. This module runs inside the fuzz worker (test/fuzz/fuzz-worker.ts).
 */
import { decode, detectFormat, probe, readOrientation } from '../../lib/codecs/index.js';
import { transform } from '../../lib/transform/transform.js';
import { isProxyError } from '../../lib/errors.js';
import { isTransform, type Options } from '../../lib/request/options.js';
import type { Limits } from '../../lib/config.js';
import { converterFor, planColour } from '../../lib/color/index.js';

/** TARGETS names every fuzz target, in the order they run on each input. */
export const TARGETS = ['detectFormat', 'readOrientation', 'probe', 'decode', 'transform', 'colour'] as const;

/** TargetName is one of TARGETS. */
export type TargetName = (typeof TARGETS)[number];

/** FuzzLimits are the transform limits plus what the fuzzer passes along to the worker. */
export interface FuzzLimits extends Limits {
  /** Shrink factor handed to decode (1 = none). */
  shrink: number;
}

/** TargetOutcome is how one target fared on one input. */
export interface TargetOutcome {
  target: TargetName;
  /** ok: returned; rejected: threw a 4xx ProxyError; finding: anything else. */
  result: 'ok' | 'rejected' | 'finding';
  /** Error code of a rejection (e.g. `bad_image`). */
  code?: string;
  /** What went wrong, for findings. */
  detail?: string;
  ms: number;
}

/** InputReport is what the fuzz worker answers for one input. */
export interface InputReport {
  outcomes: TargetOutcome[];
  /** The worker's JS heap after the input, in MB. */
  heapUsedMb: number;
}

/** describe renders a thrown value with the top of its stack, for a finding. */
function describe(err: unknown): string {
  if (isProxyError(err)) return `${err.name} ${err.status} ${err.code}: ${err.message}`;
  if (err instanceof Error) {
    const top = (err.stack ?? '').split('\n').slice(1, 5).map((l) => l.trim()).join(' | ');
    return `${err.name}: ${err.message} @ ${top}`;
  }
  return `non-Error thrown: ${String(err)}`;
}

/** invariant throws a finding when cond is false. */
class InvariantError extends Error {}
function invariant(cond: boolean, msg: string): void {
  if (!cond) throw new InvariantError(msg);
}

const FORMATS = new Set(['jpeg', 'png', 'gif', 'tiff', 'bmp', 'webp', 'svg']);

async function runOne(target: TargetName, bytes: Uint8Array, options: Options, limits: FuzzLimits): Promise<void> {
  switch (target) {
    case 'detectFormat': {
      const f = detectFormat(bytes);
      invariant(f === undefined || FORMATS.has(f), `detectFormat returned ${String(f)}`);
      return;
    }
    case 'readOrientation': {
      const o = readOrientation(bytes);
      invariant(Number.isInteger(o) && o >= 1 && o <= 8, `readOrientation returned ${o}`);
      return;
    }
    case 'probe': {
      const p = probe(bytes);
      invariant(FORMATS.has(p.format), `probe format ${p.format}`);
      invariant(p.width > 0 && p.height > 0 && Number.isInteger(p.width) && Number.isInteger(p.height), `probe size ${p.width}x${p.height}`);
      invariant(p.frames >= 1 && Number.isFinite(p.pixels) && p.pixels > 0, `probe frames ${p.frames}, pixels ${p.pixels}`);
      return;
    }
    case 'decode': {
      const d = await decode(bytes, limits.shrink > 1 ? { maxPixels: limits.maxPixels, shrink: limits.shrink } : { maxPixels: limits.maxPixels });
      invariant(d.frames.length >= 1, 'decode returned no frames');
      invariant(Number.isInteger(d.orientation) && d.orientation >= 1 && d.orientation <= 8, `decode orientation ${d.orientation}`);
      let pixels = 0;
      for (const [i, f] of d.frames.entries()) {
        const { width: w, height: h, data } = f.bitmap;
        invariant(w > 0 && h > 0 && Number.isInteger(w) && Number.isInteger(h), `frame ${i} size ${w}x${h}`);
        invariant(data.length === w * h * 4, `frame ${i} is ${w}x${h} but has ${data.length} bytes`);
        pixels += w * h;
      }
      invariant(pixels <= limits.maxPixels * Math.max(1, d.frames.length), `decoded ${pixels} pixels, limit ${limits.maxPixels}`);
      return;
    }
    case 'colour': {
      // The colour readers and the profile parser never throw and never give non-finite colours,
      // whether the input is an image carrying a (mutated) profile or taken as a profile itself.
      const format = detectFormat(bytes);
      if (format) planColour(bytes, format, { maxProfileBytes: 1 << 20 });
      const c = converterFor(bytes);
      if (typeof c !== 'string') {
        const out = new Float64Array(3);
        for (let i = 0; i < 16; i++) {
          c.evaluate([i / 15, (15 - i) / 15, (i % 4) / 3, (i % 2)], out);
          invariant(out.every((v) => Number.isFinite(v) && v >= 0 && v <= 255), `converter gave ${Array.from(out)}`);
        }
      }
      return;
    }
    case 'transform': {
      const r = await transform(bytes, options, limits);
      invariant(r.bytes.length > 0, 'transform returned no bytes');
      invariant(/^[a-z]+\/[a-z0-9.+-]+$/.test(r.contentType), `transform content type ${r.contentType}`);
      if (isTransform(options) && r.bytes !== bytes && detectFormat(bytes) !== 'svg') {
        const p = probe(r.bytes);
        invariant(p.width <= limits.maxOutputSide && p.height <= limits.maxOutputSide, `output ${p.width}x${p.height} over ${limits.maxOutputSide}`);
      }
      return;
    }
  }
}

/**
 * runTargets runs every target on bytes and reports each outcome; it never throws, so a pool
 * rejection of the task always means a crash, a hang or a heap blow-up.
 */
export async function runTargets(bytes: Uint8Array, options: Options, limits: FuzzLimits): Promise<InputReport> {
  const outcomes: TargetOutcome[] = [];
  for (const target of TARGETS) {
    const t0 = performance.now();
    let outcome: TargetOutcome;
    try {
      // Each target gets its own copy: a decoder that writes into its input must not affect the next.
      await runOne(target, bytes.slice(), options, limits);
      outcome = { target, result: 'ok', ms: 0 };
    } catch (err) {
      if (isProxyError(err) && err.status >= 400 && err.status < 500) outcome = { target, result: 'rejected', code: err.code, ms: 0 };
      else outcome = { target, result: 'finding', detail: describe(err), ms: 0 };
    }
    outcome.ms = performance.now() - t0;
    outcomes.push(outcome);
  }
  return { outcomes, heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 };
}
