/**
 * Go-compatible duration and size parsing for command-line flags.
 */
import { goParseDuration } from '../lib/request/goformat.js';

/** parseDuration is goParseDuration (lib/request/goformat.ts): a Go duration in milliseconds, or undefined. */
export const parseDuration = goParseDuration;

/** Bytes per size suffix; sizes are binary (1 KB = 1024 bytes), as the 50 MB default is. */
const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/**
 * parseSize parses a byte count with an optional KB/MB/GB suffix (case-insensitive, 1 KB = 1024
 * bytes; K/KiB, M/MiB, G/GiB and B also accepted) and returns whole bytes, or undefined.
 */
export function parseSize(input: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$/.exec(input);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return undefined;
  const v = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(v) ? v : undefined;
}
