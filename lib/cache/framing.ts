/**
 * Entry framing: how a CachedResponse is laid out as bytes in a cache backend, with lengths and a
 * checksum so that a truncated or corrupted entry is detected and never served.
 *
 * Layout (big-endian):
 *   0  4  magic "IPXC"
 *   4  1  format version (1)
 *   5  3  reserved, zero
 *   8  4  header length H (UTF-8 JSON: status, headers, storedAt, expiresAt)
 *  12  4  body length B
 *  16  4  CRC-32 (IEEE) of the H + B bytes that follow
 *  20  H  header JSON
 *  20+H B body
 */
import * as zlib from 'node:zlib';
import type { CachedResponse } from './cache.js';

/** FRAME_MAGIC starts every entry, so foreign bytes (e.g. another program's key) are rejected. */
export const FRAME_MAGIC = Buffer.from('IPXC', 'latin1');
/** FRAME_VERSION changes whenever the layout does; other versions are treated as corrupt. */
export const FRAME_VERSION = 1;
/** FRAME_HEADER_BYTES is the size of the fixed prefix before the header JSON. */
export const FRAME_HEADER_BYTES = 20;
/** MAX_FRAME_HEADER_JSON_BYTES bounds the header JSON (1 MB), so a corrupt length cannot make us parse garbage for long. */
export const MAX_FRAME_HEADER_JSON_BYTES = 1 << 20;

/** CorruptEntryError is a stored entry that failed its length, version or checksum check. */
export class CorruptEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptEntryError';
  }
}

let table: Int32Array | undefined;

function crc32Table(): Int32Array {
  if (table) return table;
  table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

/** crc32Js computes CRC-32 (IEEE) in JavaScript, for Node versions before zlib.crc32 (20.15). */
export function crc32Js(data: Uint8Array, initial = 0): number {
  const t = crc32Table();
  let c = ~initial;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** crc32 computes CRC-32 (IEEE) with node:zlib when available, else in JavaScript. */
export function crc32(data: Uint8Array, initial = 0): number {
  return nativeCrc32 ? nativeCrc32(data, initial) >>> 0 : crc32Js(data, initial);
}

/** encodeEntry lays out entry as framed bytes. */
export function encodeEntry(entry: CachedResponse): Buffer {
  const header = Buffer.from(
    JSON.stringify({ status: entry.status, headers: entry.headers, storedAt: entry.storedAt, expiresAt: entry.expiresAt }),
    'utf8',
  );
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + header.length + entry.body.length);
  FRAME_MAGIC.copy(out, 0);
  out.writeUInt8(FRAME_VERSION, 4);
  out.fill(0, 5, 8);
  out.writeUInt32BE(header.length, 8);
  out.writeUInt32BE(entry.body.length, 12);
  header.copy(out, FRAME_HEADER_BYTES);
  entry.body.copy(out, FRAME_HEADER_BYTES + header.length);
  out.writeUInt32BE(crc32(out.subarray(FRAME_HEADER_BYTES)), 16);
  return out;
}

function isHeaderRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/**
 * decodeEntry parses framed bytes back into a CachedResponse, throwing CorruptEntryError when
 * the magic, version, lengths, checksum or header fields are wrong. The body is a view into buf.
 */
export function decodeEntry(buf: Buffer): CachedResponse {
  if (buf.length < FRAME_HEADER_BYTES) throw new CorruptEntryError(`entry is ${buf.length} bytes, shorter than its frame header`);
  if (!buf.subarray(0, 4).equals(FRAME_MAGIC)) throw new CorruptEntryError('entry does not start with the frame magic');
  const version = buf.readUInt8(4);
  if (version !== FRAME_VERSION) throw new CorruptEntryError(`entry has frame version ${version}, want ${FRAME_VERSION}`);
  const headerLen = buf.readUInt32BE(8);
  const bodyLen = buf.readUInt32BE(12);
  if (headerLen > MAX_FRAME_HEADER_JSON_BYTES) throw new CorruptEntryError(`entry header length ${headerLen} is too large`);
  const want = FRAME_HEADER_BYTES + headerLen + bodyLen;
  if (buf.length !== want) throw new CorruptEntryError(`entry is ${buf.length} bytes, its frame says ${want}`);
  const sum = crc32(buf.subarray(FRAME_HEADER_BYTES));
  if (sum !== buf.readUInt32BE(16)) throw new CorruptEntryError('entry checksum does not match');
  let meta: unknown;
  try {
    meta = JSON.parse(buf.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + headerLen).toString('utf8'));
  } catch {
    throw new CorruptEntryError('entry header is not valid JSON');
  }
  const m = meta as Record<string, unknown>;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.status !== 'number' ||
    typeof m.storedAt !== 'number' ||
    typeof m.expiresAt !== 'number' ||
    !isHeaderRecord(m.headers)
  ) {
    throw new CorruptEntryError('entry header lacks status, headers, storedAt or expiresAt');
  }
  return {
    status: m.status,
    headers: m.headers,
    storedAt: m.storedAt,
    expiresAt: m.expiresAt,
    body: buf.subarray(FRAME_HEADER_BYTES + headerLen),
  };
}
