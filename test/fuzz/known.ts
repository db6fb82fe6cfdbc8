/**
 * Known open bugs: recognisers for inputs that trigger a bug already reported and saved under
 * fixtures/fuzz/open/, so that fuzz runs report new problems instead of the same one over again.
 *
 * Remove an entry once its bug is fixed (and move its fixtures up to fixtures/fuzz/).
 */

/** KnownBug is one open bug and how to recognise an input that triggers it. */
export interface KnownBug {
  /** Short stable name, used in reports. */
  id: string;
  /** What goes wrong, and where. */
  summary: string;
  /** Whether bytes trigger this bug. */
  matches(bytes: Uint8Array): boolean;
}

/** KNOWN_BUGS are the open bugs, each with a fixture in fixtures/fuzz/open/. */
export const KNOWN_BUGS: readonly KnownBug[] = [
  // utif2-ccitt-quadratic (TIFF compression 2, 3, 4) was fixed by lib/codecs/ccitt.ts; its findings
  // are now regressions in fixtures/fuzz/.
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
