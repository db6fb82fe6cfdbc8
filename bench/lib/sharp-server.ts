/**
 * The libvips reference: a tiny node:http server around sharp, run as its own process so it is
 * measured like the proxy and the Go reference (request in, fetch from the origin, transform,
 * answer). `GET /{W}x,q{Q}/{origin-url}` fetches the image and resizes it to W px wide with sharp's
 * defaults (Lanczos3), keeping the input's format as the proxy does: JPEG at quality Q, PNG, or an
 * animated GIF (every frame). Only the bench uses sharp; lib/ never imports it.
 *
 * Usage: `node dist/bench/lib/sharp-server.js 127.0.0.1:PORT`; `/health-check` answers 200.
 */
import http from 'node:http';
import sharp from 'sharp';
import { get, throwUnlessOk } from './client.js';

/** PATH_RE reads `/500x,q95/http://host/file` (the quality part is optional; default 95). */
const PATH_RE = /^\/(\d+)x(?:,q(\d+))?\/(https?:\/.*)$/;

/** transformWithSharp resizes bytes to width in their own format (JPEG, PNG or animated GIF). */
export async function transformWithSharp(bytes: Buffer, width: number, quality: number): Promise<{ body: Buffer; type: string }> {
  const meta = await sharp(bytes).metadata();
  const animated = meta.format === 'gif';
  const img = sharp(bytes, { animated }).resize({ width, withoutEnlargement: true });
  if (meta.format === 'png') return { body: await img.png().toBuffer(), type: 'image/png' };
  if (animated) return { body: await img.gif().toBuffer(), type: 'image/gif' };
  return { body: await img.jpeg({ quality }).toBuffer(), type: 'image/jpeg' };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.url === '/health-check') {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
    return;
  }
  const m = PATH_RE.exec(req.url ?? '');
  if (!m) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('want /{W}x,q{Q}/{url}');
    return;
  }
  const remote = m[3].replace(/^(https?):\/(?!\/)/, '$1://');
  const src = throwUnlessOk(await get(remote), remote);
  const out = await transformWithSharp(src.body, Number(m[1]), Number(m[2] ?? 95));
  res.writeHead(200, { 'Content-Type': out.type, 'Content-Length': out.body.length }).end(out.body);
}

const addr = process.argv[2] ?? '127.0.0.1:0';
const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  handle(req, res).catch((err: unknown) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(err instanceof Error ? err.message : String(err));
  });
});
server.listen(port, host, () => process.stderr.write(`sharp reference listening on ${addr}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
