/**
 * Go-compatible number parsing and printing.
 *
 * The canonical option string is what gets signed and what keys the cache, so it must be
 * byte-identical to what the Go server prints; these helpers mirror strconv and fmt's `%v`.
 */

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_INT = /^[+-]?\d+$/;

/**
 * goParseFloat parses a decimal float the way strconv.ParseFloat accepts it.
 *
 * Returns undefined where Go would report a syntax error; infinities and NaN are treated as
 * errors too, because no option value can meaningfully be infinite.
 */
export function goParseFloat(s: string): number | undefined {
  if (!DECIMAL_FLOAT.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * goAtoi parses a base-10 integer the way strconv.Atoi accepts it.
 *
 * Returns undefined on a syntax error or a value outside the safe-integer range.
 */
export function goAtoi(s: string): number | undefined {
  if (!DECIMAL_INT.test(s)) return undefined;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : undefined;
}

/**
 * goFormatFloat prints a float64 as Go's fmt `%v` does.
 *
 * `%v` is `%g` with the shortest round-trip digits, and Go switches `%g` to exponent form
 * (with at least two exponent digits) when the decimal exponent is below -4 or at least 6:
 * 100000 prints as `100000`, 1000000 as `1e+06`, 0.00001 as `1e-05`.
 */
export function goFormatFloat(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  // toExponential() without an argument gives the shortest round-trip digits.
  const [mant, expStr] = v.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const abs = Math.abs(exp);
    return `${mant}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  const neg = v < 0;
  const digits = mant.replace('-', '').replace('.', '');
  let out: string;
  if (exp >= 0) {
    const intLen = exp + 1;
    out = digits.length <= intLen
      ? digits + '0'.repeat(intLen - digits.length)
      : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  } else {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return neg ? `-${out}` : out;
}

/** Nanoseconds per unit of Go's time.ParseDuration (sums are kept in ns, so 100ns is exactly 0.0001 ms). */
const DURATION_UNITS_NS: Readonly<Record<string, number>> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12,
};
const DURATION_COMPONENT = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
/** MAX_DURATION_NS is the largest time.Duration (an int64 of nanoseconds, about 292 years). */
const MAX_DURATION_NS = 2 ** 63;

/**
 * goParseDuration parses a duration the way Go's time.ParseDuration does ("30s", "1m30s", "500ms",
 * "1.5h", "-2s", "0") and returns milliseconds, or undefined where Go reports an error: no unit,
 * an unknown unit, a component without digits, anything else in the string, or a value outside
 * time.Duration's range.
 */
export function goParseDuration(input: string): number | undefined {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let ns = 0;
  while (s !== '') {
    const m = DURATION_COMPONENT.exec(s);
    // Every component needs digits (before or after the point) and a unit.
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    ns += Number(m[1]) * DURATION_UNITS_NS[m[2]];
    s = s.slice(m[0].length);
  }
  if (!(ns <= MAX_DURATION_NS)) return undefined;
  return (sign * ns) / 1e6;
}
