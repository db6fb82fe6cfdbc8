/**
 * The separate metrics listener (`-metricsAddr`): a port that serves only `/metrics`, so the
 * scrape endpoint can stay on an internal interface while the image port faces the world. It is
 * a hardened server (listener.ts) with the same time limits as the main one.
 */
import type http from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from './config.js';
import { createHardenedServer, type ServerLimits } from './listener.js';

/** METRICS_PATH is the one path the metrics listener serves. */
export const METRICS_PATH = '/metrics';

/**
 * createMetricsListener returns a hardened http.Server (not yet listening) that answers GET and
 * HEAD `/metrics` with registry's exposition, 405 for other methods there and 404 elsewhere.
 */
export function createMetricsListener(registry: Registry, limits: ServerLimits, logger: Logger): http.Server {
  return createHardenedServer(async (req, res) => {
    const q = (req.url ?? '/').indexOf('?');
    const path = q < 0 ? req.url : req.url?.slice(0, q);
    if (path !== METRICS_PATH) return text(req, res, 404, 'Not found: this listener serves only /metrics.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return text(req, res, 405, 'Only GET and HEAD are supported.\n');
    }
    const body = await registry.metrics();
    return text(req, res, 200, body, registry.contentType);
  }, { limits, logger });
}

/** text answers with a plain-text body (none for HEAD); a scrape is never cached. */
function text(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
