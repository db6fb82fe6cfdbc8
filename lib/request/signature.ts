/**
 * HMAC-SHA256 request signatures, compatible with the Go server and its imageproxy-sign tool.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Options } from './options.js';
import { remoteWithOptions, type ProxyRequest } from './request.js';

/** SIGNATURE_BYTES is the length of an HMAC-SHA256 digest. */
const SIGNATURE_BYTES = 32;
/** A 32-byte digest is 43 base64 characters plus one '=' of padding. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}=?$/;

function hmac(key: Buffer | string, message: string): Buffer {
  return createHmac('sha256', key).update(message, 'utf8').digest();
}

/**
 * signURL returns the base64url (with padding, as Go's base64.URLEncoding) HMAC-SHA256 of
 * remoteString, or of remoteWithOptions(remoteString, options) when options are given.
 *
 * remoteString must be the Go form of the remote URL (ProxyRequest.remoteString, or remoteBase when
 * options are given and the remote URL has a fragment of its own).
 */
export function signURL(key: Buffer | string, remoteString: string, options?: Options): string {
  const message = options ? remoteWithOptions(remoteString, options) : remoteString;
  return hmac(key, message).toString('base64url') + '=';
}

/** decodeSignature decodes a base64url signature with optional padding, or returns undefined. */
function decodeSignature(sig: string): Buffer | undefined {
  if (!SIGNATURE.test(sig)) return undefined;
  const bytes = Buffer.from(sig.replace(/=$/, ''), 'base64url');
  // The 43rd character carries only 4 bits; Go accepts any value for the 2 unused bits, so do we.
  return bytes.length === SIGNATURE_BYTES ? bytes : undefined;
}

/**
 * verifySignature reports whether req.options.signature is valid for any key: over the remote URL
 * alone or over `remote#canonical options`.
 *
 * Padding is optional; the comparison is constant-time; a malformed, empty, short, overlong or
 * non-base64 signature is simply invalid (never throws).
 */
export function verifySignature(keys: Buffer[], req: ProxyRequest): boolean {
  const got = decodeSignature(req.options.signature);
  if (got === undefined) return false;
  const messages = [req.remoteString, remoteWithOptions(req.remoteBase, req.options)];
  let ok = false;
  for (const key of keys) {
    if (key.length === 0) continue;
    for (const m of messages) {
      // Check every combination, so the time taken does not reveal which one matched.
      if (timingSafeEqual(got, hmac(key, m))) ok = true;
    }
  }
  return ok;
}
