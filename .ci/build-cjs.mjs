// Builds the CommonJS entry (dist/cjs) from the ESM build (dist/lib): `require('imageproxy')`.
//
// dist/lib/index.js and every module it reaches by relative import are bundled into one CommonJS
// file, so `require` loads one copy of each class (an error thrown by a lazily imported cache
// backend is still `instanceof` the CacheConfigError the caller imported). Packages stay external
// and are `require`d, except the ones that ship only as ES modules (fast-png, @jsquash's meta
// files): those are bundled in, with what they import, so the entry does not depend on Node's require(esm), which Node
// 20 before 20.19 lacks and which warns when used from node_modules.
//
// What a CommonJS file cannot do, the bundle hands to the ESM build beside it:
// - `import.meta.url` in a module becomes the URL of that module's ESM twin in dist/lib, so
//   whatever is resolved relative to it (a worker entry, createRequire) finds the same file the
//   ESM build finds;
// - a dynamic import of a module that imports nothing (the embedded wasm bytes, megabytes each)
//   loads that module from dist/lib when first needed, instead of a second copy in the bundle;
// - dynamic imports of packages stay `import()` (the codec glue, the optional cloud SDKs).
// The declarations are dist/lib's, copied under dist/cjs, whose package.json says "commonjs" so
// TypeScript reads them as CommonJS types.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const esm = path.join(root, 'dist/lib');
const out = path.join(root, 'dist/cjs');
const requireFromLib = createRequire(path.join(esm, 'index.js'));

/** esmOnly reports whether a package specifier cannot be loaded by require() without require(esm). */
function esmOnly(spec) {
  let file;
  try {
    file = requireFromLib.resolve(spec);
  } catch {
    // No "require" condition in its exports map (fast-png), or nothing there at all.
    return true;
  }
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) return JSON.parse(readFileSync(pj, 'utf8')).type === 'module';
  }
  return false;
}

/** importsNothing reports whether a module has no import or re-export of its own. */
function importsNothing(file) {
  return !/\b(?:import|from)\s*[('"{*]/.test(readFileSync(file, 'utf8'));
}

/** relativeToOut is a specifier from dist/cjs/index.js to an absolute file. */
function relativeToOut(file) {
  const rel = path.relative(out, file).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** BASE names the bundle's own URL, set by the banner before any module can shadow `require`. */
const BASE = '__imageproxyCjsUrl';

const handOff = {
  name: 'hand-off-to-esm',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const relative = args.path.startsWith('.') || path.isAbsolute(args.path);
      if (relative) {
        const file = path.resolve(args.resolveDir, args.path);
        if (args.kind === 'dynamic-import' && file.startsWith(esm + path.sep) && importsNothing(file)) {
          return { path: relativeToOut(file), external: true };
        }
        return undefined;
      }
      if (args.path.startsWith('node:')) return { external: true };
      if (args.kind === 'dynamic-import') return { external: true };
      // What a bundled package imports is its dependency, not ours: it may not be reachable from here.
      if (!args.importer.startsWith(esm + path.sep)) return undefined;
      return esmOnly(args.path) ? undefined : { external: true };
    });
    b.onLoad({ filter: /\.m?js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      if (!src.includes('import.meta')) return undefined;
      if (!args.path.startsWith(esm + path.sep)) {
        // A bundled package's own file has no fixed place relative to dist/cjs once installed.
        throw new Error(`${args.path} uses import.meta; it cannot be bundled into the CommonJS entry`);
      }
      const url = JSON.stringify(relativeToOut(args.path));
      const meta = `{ url: new URL(${url}, ${BASE}).href }`;
      return { contents: src.replaceAll('import.meta.url', `${meta}.url`).replaceAll('import.meta', meta), loader: 'js' };
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(esm, 'index.js')],
  outfile: path.join(out, 'index.js'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  banner: { js: `var ${BASE} = require("node:url").pathToFileURL(__filename);` },
  plugins: [handOff],
});
cpSync(esm, out, { recursive: true, filter: (src) => !src.endsWith('.js') && !src.endsWith('.map') || src.endsWith('.d.ts') });
writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
console.log(`wrote ${path.relative(root, out)}/index.js (CommonJS) and its declarations`);
