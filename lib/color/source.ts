/**
 * What the colour step does for one source: read its colour metadata, pick the converter to
 * sRGB (embedded profile, PNG gAMA/cHRM, or the default CMYK profile for a CMYK JPEG without
 * one), or decide that nothing needs converting (untagged, sRGB-tagged, or a profile we will not
 * use, which is ignored with a warning for the log).
 *
 * Converters are kept per profile (a small cache in each worker), so a site whose photos all
 * carry one camera or phone profile parses and tabulates it once.
 */
import type { ImageFormat } from '../codecs/types.js';
import { buildConverter, isNearSrgb, matrixConverterOf, type Converter } from './convert.js';
import { defaultCmykProfile } from './default-cmyk.js';
import { curveOfPower } from './curves.js';
import { IccError, parseIcc } from './icc.js';
import { adaptation, D50, mul, primariesToXyz, XYZ_D50_TO_SRGB, type Mat3 } from './pcs.js';
import { DEFAULT_MAX_COLOR_PROFILE_SIZE } from '../config.js';
import { readColourSource, type PngColour } from './read.js';

/** ColourPlan is the colour step for one source. */
export interface ColourPlan {
  /** The conversion to sRGB; absent when the pixels are (or are taken as) sRGB already. */
  converter?: Converter;
  /** The source profile, to write into the output instead of converting (keep mode). */
  keep?: Uint8Array;
  /** Set once the conversion has been carried out (by a decoder that needed it at full depth). */
  applied?: boolean;
  /** What was ignored and why, one log line each. */
  warnings: string[];
}

/** ColourOptions are the server's colour settings. */
export interface ColourOptions {
  /** Keep the source's RGB profile in the output (pixels untouched) instead of converting. */
  keepProfile?: boolean;
  /** Largest embedded profile read (DEFAULT_MAX_COLOR_PROFILE_SIZE when absent). */
  maxProfileBytes?: number;
  /** Channels the decoded source has (1 gray, 3 RGB, 4 CMYK), when the caller knows it. */
  channels?: number;
}

/** CONVERTER_CACHE_SIZE bounds the converters a worker keeps: each costs up to ~1 MB of tables. */
const CONVERTER_CACHE_SIZE = 16;

/**
 * PROFILE_COPY_BYTES bounds the profiles the cache keeps (with a copy, to compare byte for byte
 * on a hit: the fingerprint is not collision-resistant, so a profile crafted to the length and
 * fingerprint of a common one could otherwise hand its converter to other images). Camera and
 * display profiles are 0.5-4 KB; a larger one (a printer LUT) is built for each image and never
 * cached, so that a run of them cannot pin 16 x 4 MB of copies nor be matched by fingerprint.
 */
const PROFILE_COPY_BYTES = 64 * 1024;

/** CacheEntry is a profile's converter (or the reason it is not used) and the profile. */
interface CacheEntry {
  made: Converter | string;
  bytes: Uint8Array;
}

/** cache maps a profile's fingerprint to its entry; oldest first. */
const cache = new Map<string, CacheEntry>();

/** fingerprint is a 64-bit FNV-1a of the profile's bytes with its length: the cache key. */
function fingerprint(b: Uint8Array): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ b.length;
  for (let i = 0; i < b.length; i++) {
    h1 = Math.imul(h1 ^ b[i], 0x01000193);
    h2 = Math.imul(h2 ^ b[i], 0x5bd1e995);
  }
  return `${b.length}:${(h1 >>> 0).toString(16)}:${(h2 >>> 0).toString(16)}`;
}

/** sameBytes reports whether a and b hold the same bytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * converterFor returns the cached converter of profile bytes, or the reason it cannot be used.
 * key is the cache key, the profile's fingerprint (tests pass one to stand for a collision).
 */
export function converterFor(icc: Uint8Array, key = fingerprint(icc)): Converter | string {
  if (icc.length > PROFILE_COPY_BYTES) return buildOrReason(icc);
  const hit = cache.get(key);
  cache.delete(key);
  if (hit !== undefined && sameBytes(hit.bytes, icc)) {
    cache.set(key, hit);
    return hit.made;
  }
  // Built from a copy, as a cached converter may keep views of its profile, and icc may be a
  // view into the source file, whose memory the pool lends again to later tasks (slabs.ts).
  const bytes = icc.slice();
  const made = buildOrReason(bytes);
  cache.set(key, { made, bytes });
  if (cache.size > CONVERTER_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return made;
}

/** buildOrReason builds icc's converter, or returns why the profile cannot be used. */
function buildOrReason(icc: Uint8Array): Converter | string {
  try {
    return buildConverter(parseIcc(icc));
  } catch (err) {
    if (!(err instanceof IccError)) throw err;
    return err.message;
  }
}

/** NEAR_SRGB remembers isNearSrgb per (cached) converter: it costs a few hundred evaluations. */
const NEAR_SRGB = new WeakMap<Converter, boolean>();

/** nearSrgb is isNearSrgb(c), computed once per converter. */
function nearSrgb(c: Converter): boolean {
  let v = NEAR_SRGB.get(c);
  if (v === undefined) NEAR_SRGB.set(c, (v = isNearSrgb(c)));
  return v;
}

/** IDENTITY is the 3x3 identity matrix. */
const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/**
 * chrmMatrix is the device-linear to linear-sRGB matrix a PNG cHRM chunk describes, or
 * undefined (with a warning) when its chromaticities do not make one.
 */
function chrmMatrix(chrm: number[], warnings: string[]): Mat3 | undefined {
  const [wx, wy, ...prim] = chrm;
  const sane = chrm.every((v) => v > 0 && v <= 1) && wx + wy < 1;
  const toXyz = sane ? primariesToXyz(prim, [wx, wy]) : undefined;
  const m = toXyz && mul(XYZ_D50_TO_SRGB, mul(adaptation([wx / wy, 1, (1 - wx - wy) / wy], D50), toXyz));
  if (m && m.every(Number.isFinite)) return m;
  warnings.push('PNG cHRM ignored: its chromaticities do not define a colour space');
  return undefined;
}

/** chunkConverters keeps the converters of recent gAMA/cHRM pairs (sites reuse one), oldest first. */
const chunkConverters = new Map<string, Converter>();

/** pngChunkConverter is the converter a PNG's gAMA (and cHRM) chunks describe. */
function pngChunkConverter(png: PngColour, warnings: string[]): Converter | undefined {
  if (png.gamma === undefined) return undefined;
  const m = (png.chrm && chrmMatrix(png.chrm, warnings)) ?? IDENTITY;
  const key = `${png.gamma}:${m.join(',')}`;
  let c = chunkConverters.get(key);
  if (!c) {
    const curve = curveOfPower(1 / png.gamma);
    c = matrixConverterOf([curve, curve, curve], m);
    chunkConverters.set(key, c);
    if (chunkConverters.size > CONVERTER_CACHE_SIZE) chunkConverters.delete(chunkConverters.keys().next().value as string);
  }
  return c;
}

/** ignored is the warning for a profile we do not use. */
function ignored(reason: string): string {
  return `colour profile ignored (pixels taken as sRGB): ${reason}`;
}

/**
 * planColour decides the colour step for bytes in `format`: convert to sRGB (the default),
 * keep the profile (keepProfile, RGB profiles only), or nothing. It never throws for a bad
 * profile: that becomes a warning and the pixels are taken as sRGB.
 */
export function planColour(bytes: Uint8Array, format: ImageFormat, opts: ColourOptions = {}): ColourPlan {
  const src = readColourSource(bytes, format, opts.maxProfileBytes ?? DEFAULT_MAX_COLOR_PROFILE_SIZE);
  const warnings = src.warnings;
  const channels = opts.channels ?? src.channels;
  if (src.icc) {
    const c = converterFor(src.icc);
    if (typeof c === 'string') warnings.push(ignored(c));
    else if (channels !== undefined && c.channels !== channels) {
      warnings.push(ignored(`a ${c.channels}-channel profile does not fit a ${channels}-channel image`));
    } else if (c.channels === 3 && opts.keepProfile) return { keep: src.icc, warnings };
    else if (c.channels === 3 && nearSrgb(c)) return { warnings };
    else return { converter: c, warnings };
  }
  if (channels === 4 && (format === 'jpeg' || format === 'tiff')) {
    const c = converterFor(defaultCmykProfile());
    if (typeof c !== 'string') return { converter: c, warnings };
  }
  if (src.png && !src.png.srgb && !src.icc) {
    const c = pngChunkConverter(src.png, warnings);
    if (c && !nearSrgb(c)) return { converter: c, warnings };
  }
  return { warnings };
}
