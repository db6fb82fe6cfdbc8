/**
 * Paths of the repository, for tests that read fixtures or start the CLI.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** ROOT is the repository root (tests run from dist/test/..., two levels below it). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** FIXTURES is the fixtures/ folder. */
export const FIXTURES = path.join(ROOT, 'fixtures');
/** DIST is the compiled output folder. */
export const DIST = path.join(ROOT, 'dist');
