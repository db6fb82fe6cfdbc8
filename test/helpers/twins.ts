/**
 * Running a WebAssembly twin and its JavaScript one on the same input, for the tests that check
 * they agree.
 */

/**
 * bothWays runs fn with the module's switch on, then off, and gives both results; the switch is
 * left on whatever fn throws.
 */
export function bothWays<T>(setWasm: (on: boolean) => void, fn: () => T): { wasm: T; js: T } {
  try {
    setWasm(true);
    const wasm = fn();
    setWasm(false);
    return { wasm, js: fn() };
  } finally {
    setWasm(true);
  }
}
