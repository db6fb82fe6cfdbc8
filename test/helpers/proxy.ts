/**
 * Running imageproxy() in tests with transforms on the calling thread: no worker pool to start,
 * the very transform() the workers run.
 */
import { imageproxy, type HandlerOptions } from '../../lib/handler.js';
import { transform } from '../../lib/transform/transform.js';
import type { Transformer } from '../../lib/transform/types.js';
import { serveHandler } from './serve.js';

/** inlineTransformer runs transform() in-process. */
export const inlineTransformer: Transformer = { run: (bytes, options, limits) => transform(bytes, options, limits), close: async () => undefined };

/** quietLogger drops every line. */
export const quietLogger = { info: (): void => undefined, warn: (): void => undefined, error: (): void => undefined };

/**
 * withProxy serves imageproxy(opts) (private networks allowed, inline transforms, quiet, with the
 * standalone server's health check and metrics) on loopback for the duration of f, which gets its base URL.
 */
export async function withProxy<T>(opts: HandlerOptions, f: (url: string) => Promise<T>): Promise<T> {
  const served = await serveHandler(imageproxy({ allowPrivateNetworks: true, transformer: inlineTransformer, logger: quietLogger, healthCheck: true, metricsEndpoint: true, ...opts }));
  try {
    return await f(served.url);
  } finally {
    await served.close();
  }
}
