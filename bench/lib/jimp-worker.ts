/**
 * jimp-worker is the pure-JS baseline's worker thread: for each job it fetches the image from the
 * origin, reads it with jimp, resizes it to the requested width (jimp's default filter, height
 * keeping the aspect ratio) and encodes a JPEG, just as a naive jimp-based proxy would.
 */
import { parentPort } from 'node:worker_threads';
import { Jimp } from 'jimp';
import { get, throwUnlessOk } from './client.js';

/** JimpJob is one request for the worker. */
export interface JimpJob {
  id: number;
  url: string;
  width: number;
  quality: number;
}

/** JimpReply is the worker's answer: output bytes or an error message. */
export interface JimpReply {
  id: number;
  bytes?: Uint8Array;
  error?: string;
}

async function handle(job: JimpJob): Promise<Uint8Array> {
  const res = throwUnlessOk(await get(job.url), job.url);
  const image = await Jimp.read(res.body);
  if (job.width < image.bitmap.width) image.resize({ w: job.width });
  return await image.getBuffer('image/jpeg', { quality: job.quality });
}

parentPort?.on('message', (job: JimpJob) => {
  handle(job).then(
    (bytes) => parentPort!.postMessage({ id: job.id, bytes } satisfies JimpReply),
    (err: unknown) => parentPort!.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) } satisfies JimpReply),
  );
});
