/**
 * Known open bugs: recognisers for inputs that trigger a bug already reported and saved under
 * fixtures/fuzz/open/, so that fuzz runs report new problems instead of the same one over again.
 *
 * Remove an entry once its bug is fixed (and move its fixtures up to fixtures/fuzz/).
 */
import { lengthFields } from './mutate.js';

/** KnownBug is one open bug and how to recognise an input that triggers it. */
export interface KnownBug {
  /** Short stable name, used in reports. */
  id: string;
  /** What goes wrong, and where. */
  summary: string;
  /** Whether bytes trigger this bug. */
  matches(bytes: Uint8Array): boolean;
}

/** tiffCompression reads the Compression tag (259) of the first IFD, or undefined. */
function tiffCompression(b: Uint8Array): number | undefined {
  const fields = lengthFields(b);
  const f = fields.find((x) => x.what === 'tiff tag 259 short value') ?? fields.find((x) => x.what === 'tiff tag 259 value');
  if (f === undefined) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return f.size === 2 ? v.getUint16(f.offset, f.little) : v.getUint32(f.offset, f.little);
}

/** KNOWN_BUGS are the open bugs, each with a fixture in fixtures/fuzz/open/. */
export const KNOWN_BUGS: readonly KnownBug[] = [
  {
    id: 'utif2-ccitt-quadratic',
    summary: 'utif2 CCITT decoding (TIFF compression 2, 3, 4) costs the square of the strip length on corrupt data (lib/codecs/tiff.ts)',
    matches: (b) => [2, 3, 4].includes(tiffCompression(b) ?? 0),
  },
];

/** knownBug returns the open bug bytes trigger, if any. */
export function knownBug(bytes: Uint8Array): KnownBug | undefined {
  return KNOWN_BUGS.find((k) => {
    try {
      return k.matches(bytes);
    } catch {
      return false;
    }
  });
}
