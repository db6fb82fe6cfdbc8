/**
 * Fuzz worker: a transform-pool worker (same protocol as lib/transform/worker.ts) that runs every
 * fuzz target on its input and answers with an InputReport as JSON.
 *
 * Running inputs in pool workers gives the fuzzer a per-input time limit, a heap limit, and
 * recovery from crashes for free.
 */
import { isMainThread } from 'node:worker_threads';
import { serveTransforms } from '../../lib/pool/worker.js';
import { runTargets, type FuzzLimits } from './targets.js';

if (!isMainThread) {
  serveTransforms(async (bytes, options, limits) => {
    const report = await runTargets(bytes, options, limits as FuzzLimits);
    return { bytes: new TextEncoder().encode(JSON.stringify(report)), contentType: 'application/json' };
  });
}
