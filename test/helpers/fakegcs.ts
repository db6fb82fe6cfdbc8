/**
 * A small fake of the Google Cloud Storage JSON API on 127.0.0.1, enough for the real
 * @google-cloud/storage SDK to download, upload (multipart, non-resumable) and delete objects.
 *
 * Covered API parts: GET  [/storage/v1]/b/{bucket}/o/{object}?alt=media (download, with
 * x-goog-hash crc32c+md5 so the SDK's validation runs), GET [/storage/v1]/b/{bucket}/o/{object}
 * (metadata), POST /upload/storage/v1/b/{bucket}/o?uploadType=multipart|media&name=...,
 * DELETE [/storage/v1]/b/{bucket}/o/{object}. The `/storage/v1` prefix is optional because the
 * SDK drops it when STORAGE_EMULATOR_HOST is set. Not covered: resumable uploads, listing,
 * ACLs, preconditions, buckets.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let castagnoli: Uint32Array | undefined;

/** crc32c computes CRC-32C (Castagnoli), the checksum GCS reports. */
export function crc32c(data: Uint8Array): number {
  if (!castagnoli) {
    castagnoli = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      castagnoli[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = castagnoli[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function hashes(body: Buffer): { crc32c: string; md5Hash: string } {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32c(body));
  return { crc32c: b.toString('base64'), md5Hash: createHash('md5').update(body).digest('base64') };
}

/** FakeGcs is a running fake GCS server. */
export interface FakeGcs {
  /** Base URL, e.g. http://127.0.0.1:12345 (use as STORAGE_EMULATOR_HOST or apiEndpoint). */
  url: string;
  /** Stored objects by `bucket/name`. */
  objects: Map<string, Buffer>;
  /** Count of requests by `METHOD kind`, for tests that check which API parts were used. */
  calls: Map<string, number>;
  /** close stops the server. */
  close(): Promise<void>;
}

function parseMultipart(body: Buffer, contentType: string): { meta: Record<string, unknown>; media: Buffer } {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!m) throw new Error('multipart body without boundary');
  const delim = Buffer.from(`--${m[1]}`);
  const parts: Buffer[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    parts.push(body.subarray(start + 2, next - 2));
    pos = next;
  }
  const content = (p: Buffer) => p.subarray(p.indexOf('\r\n\r\n') + 4);
  if (parts.length < 2) throw new Error(`multipart body with ${parts.length} parts`);
  return { meta: JSON.parse(content(parts[0]).toString('utf8')), media: content(parts[1]) };
}

/** startFakeGcs starts a fake GCS server on 127.0.0.1 with an ephemeral port. */
export async function startFakeGcs(): Promise<FakeGcs> {
  const objects = new Map<string, Buffer>();
  const calls = new Map<string, number>();
  const count = (k: string) => calls.set(k, (calls.get(k) ?? 0) + 1);
  const json = (res: http.ServerResponse, status: number, v: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(v));
  };
  const notFound = (res: http.ServerResponse) => json(res, 404, { error: { code: 404, message: 'No such object.', errors: [{ reason: 'notFound' }] } });
  const metadata = (bucket: string, name: string, body: Buffer) => ({
    kind: 'storage#object',
    id: `${bucket}/${name}/1`,
    name,
    bucket,
    generation: '1',
    size: String(body.length),
    contentType: 'application/octet-stream',
    ...hashes(body),
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = Buffer.concat(chunks);
        const u = new URL(req.url ?? '/', 'http://x');
        const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(u.pathname);
        if (upload && req.method === 'POST') {
          const bucket = decodeURIComponent(upload[1]);
          const type = u.searchParams.get('uploadType');
          let name = u.searchParams.get('name') ?? '';
          let media: Buffer = body;
          if (type === 'multipart') {
            const mp = parseMultipart(body, req.headers['content-type'] ?? '');
            media = mp.media;
            if (typeof mp.meta.name === 'string' && mp.meta.name) name = mp.meta.name;
          } else if (type !== 'media') {
            count(`POST upload-${type}`);
            json(res, 501, { error: { code: 501, message: `uploadType ${type} is not supported by the fake` } });
            return;
          }
          count(`POST upload-${type}`);
          objects.set(`${bucket}/${name}`, Buffer.from(media));
          json(res, 200, metadata(bucket, name, media));
          return;
        }
        const obj = /^(?:\/storage\/v1)?\/b\/([^/]+)\/o\/(.+)$/.exec(u.pathname);
        if (obj) {
          const bucket = decodeURIComponent(obj[1]);
          const name = decodeURIComponent(obj[2]);
          const stored = objects.get(`${bucket}/${name}`);
          if (req.method === 'GET' && u.searchParams.get('alt') === 'media') {
            count('GET media');
            if (!stored) return notFound(res);
            const h = hashes(stored);
            res.writeHead(200, {
              'content-type': 'application/octet-stream',
              'content-length': String(stored.length),
              'x-goog-hash': `crc32c=${h.crc32c},md5=${h.md5Hash}`,
              'x-goog-stored-content-encoding': 'identity',
              'x-goog-generation': '1',
            });
            res.end(stored);
            return;
          }
          if (req.method === 'GET') {
            count('GET metadata');
            if (!stored) return notFound(res);
            return json(res, 200, metadata(bucket, name, stored));
          }
          if (req.method === 'DELETE') {
            count('DELETE object');
            if (!objects.delete(`${bucket}/${name}`)) return notFound(res);
            res.writeHead(204);
            res.end();
            return;
          }
        }
        count(`${req.method} unknown`);
        json(res, 501, { error: { code: 501, message: `${req.method} ${u.pathname} is not supported by the fake` } });
      } catch (err) {
        json(res, 400, { error: { code: 400, message: (err as Error).message } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
