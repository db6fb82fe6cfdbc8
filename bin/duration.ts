/**
 * Go-compatible duration and size parsing for command-line flags.
 */

/** Nanoseconds per unit of Go's time.ParseDuration (summed in ns, so 100ns is exactly 0.0001 ms). */
const UNITS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12,
};

const COMPONENT = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * parseDuration parses a duration the way Go's time.ParseDuration does ("30s", "1m30s", "500ms",
 * "1.5h", "-2s", "0") and returns milliseconds, or undefined when the string is not a duration.
 */
export function parseDuration(input: string): number | undefined {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  while (s !== '') {
    const m = COMPONENT.exec(s);
    // Every component needs digits (before or after the point) and a unit.
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return Number.isFinite(total) ? (sign * total) / 1e6 : undefined;
}

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
