/**
 * imageproxy as a Cloudflare Worker: the fetch handler of the `imageproxy/fetch` entry, with an
 * in-memory cache per isolate. Settings come from the Worker's environment (wrangler.toml
 * `[vars]`, secrets for the signature key). test/runtimes/workerd.test.ts bundles this very file
 * with esbuild and runs it under workerd.
 */
import { createFetchHandler, MemoryCache, type ImageProxyFetchHandler } from 'imageproxy/fetch';

/** Env is the Worker's configuration. */
interface Env {
  /** Comma-separated hosts the proxy may fetch from (strongly advised on Workers; see docs/SECURITY.md). */
  ALLOW_HOSTS?: string;
  /** HMAC key for signed URLs. */
  SIGNATURE_KEY?: string;
  /** "true" admits loopback and private origins (tests only). */
  ALLOW_PRIVATE_NETWORKS?: string;
}

/** CACHE_BYTES bounds the per-isolate memory cache (64 MB, half a Worker's 128 MB). */
const CACHE_BYTES = 64 * 1024 * 1024;

let handler: ImageProxyFetchHandler | undefined;

/** list splits a comma-separated setting. */
const list = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    // Made on the first request: Workers allow no timers or I/O at start-up, and env arrives here.
    handler ??= createFetchHandler({
      allowHosts: list(env.ALLOW_HOSTS),
      signatureKeys: env.SIGNATURE_KEY ? [Buffer.from(env.SIGNATURE_KEY)] : [],
      allowPrivateNetworks: env.ALLOW_PRIVATE_NETWORKS === 'true',
      cache: new MemoryCache({ maxBytes: CACHE_BYTES, maxAgeMs: 0 }),
      // The Worker is the whole server: `/` and `/health-check` answer OK, `/metrics` says nothing is collected.
      healthCheck: true,
      metricsEndpoint: true,
    });
    return handler(request);
  },
};
