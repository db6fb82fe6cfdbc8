/**
 * Output format negotiation (-autoFormat): choosing WebP or AVIF from a request's Accept header
 * when its URL names no format, and what an answer that could have been negotiated must carry
 * (Vary: Accept, an ETag of its own per format).
 *
 * Only a media type the client names itself opts in: `image/*` and `*\/*` are sent by browsers
 * that cannot decode WebP or AVIF (Safari before 14 sends `image/*;q=0.8`), so a wildcard never
 * selects a modern format. `q=0` on the exact type refuses it, as RFC 9110 section 12.4.2 says.
 * The negotiated format is never part of a signature (a header cannot be signed) and a format
 * token in the URL always wins.
 */
import { probe } from '../codecs/probe.js';
import type { NegotiableFormat } from '../config.js';
import type { Options } from '../request/options.js';

/** MEDIA_TYPES are the media types a client names to accept each negotiable format. */
export const MEDIA_TYPES: Readonly<Record<NegotiableFormat, string>> = { webp: 'image/webp', avif: 'image/avif' };

/**
 * acceptedQuality is the quality (0..1) the Accept header gives the exact media type `type`
 * (lower case), or undefined when the header does not name it. Several entries for the type:
 * the lowest wins, so a refusal is never outvoted. A malformed q counts as 1, as a missing one.
 */
export function acceptedQuality(accept: string, type: string): number | undefined {
  let found: number | undefined;
  // One linear pass: the runtime's header size limit (16 KB in node:http) bounds the work.
  for (const range of accept.split(',')) {
    const [media, ...params] = range.split(';');
    if (media.trim().toLowerCase() !== type) continue;
    let q = 1;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const v = p.slice(eq + 1).trim();
      // RFC 9110 qvalue: 0, 1, or 0.xxx / 1.000.
      if (/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(v)) q = Number(v);
    }
    found = found === undefined ? q : Math.min(found, q);
  }
  return found;
}

/** accepts reports whether the Accept header names format's media type with a quality above 0. */
export function accepts(accept: string | undefined, format: NegotiableFormat): boolean {
  if (accept === undefined) return false;
  const q = acceptedQuality(accept, MEDIA_TYPES[format]);
  return q !== undefined && q > 0;
}

/**
 * negotiateFormat returns the first format of `preferences` (the server's order) that the
 * Accept header accepts and `exclude` does not rule out, or '' for none: the format the
 * request would have had without negotiation.
 */
export function negotiateFormat(
  accept: string | undefined, preferences: readonly NegotiableFormat[], exclude?: NegotiableFormat,
): NegotiableFormat | '' {
  for (const f of preferences) {
    if (f !== exclude && accepts(accept, f)) return f;
  }
  return '';
}

/** Negotiation is what negotiating a request's format decided. */
export interface Negotiation {
  /** The request's Accept header, kept for choosing again (an animation is never AVIF). */
  readonly accept: string | undefined;
  /** The server's preferences (-autoFormat). */
  readonly preferences: readonly NegotiableFormat[];
  /** The chosen format; '' when the client accepts none of the preferences. */
  readonly format: NegotiableFormat | '';
}

/**
 * negotiate decides the output format of a request from its Accept header, or returns undefined
 * when negotiation is not possible: -autoFormat is empty, the URL names a format, or the request
 * is not a transform (an untransformed original is passed through as is, as in the Go server).
 */
export function negotiate(
  preferences: readonly NegotiableFormat[], options: Options, transform: boolean, accept: string | undefined,
): Negotiation | undefined {
  if (preferences.length === 0 || options.format !== '' || !transform) return undefined;
  return { accept, preferences, format: negotiateFormat(accept, preferences) };
}

/**
 * animationFallback returns the format to use instead when n chose AVIF for an animated source
 * (AVIF output keeps one frame, so an animation is answered in the next accepted format, or as
 * it would have been), or undefined when n's choice stands.
 */
export function animationFallback(n: Negotiation | undefined, source: Uint8Array): NegotiableFormat | '' | undefined {
  if (n?.format !== 'avif' || !isAnimated(source)) return undefined;
  return negotiateFormat(n.accept, n.preferences, 'avif');
}

/** isAnimated reports whether a source's header says it has more than one frame; unreadable is not. */
function isAnimated(source: Uint8Array): boolean {
  try {
    return probe(source).frames > 1;
  } catch {
    // The transform refuses it with its own 422.
    return false;
  }
}

/**
 * formatETag is the ETag of one negotiated format's variant: the stored one with the answer's
 * media subtype added inside the quotes (`"abc"` -> `"abc.webp"`, weakness kept), so that a
 * client or CDN holding another format's bytes never gets a 304 for these.
 */
export function formatETag(etag: string, contentType: string | undefined): string {
  const subtype = (contentType ?? '').split(';')[0].split('/')[1]?.trim().toLowerCase().replace(/[^a-z0-9.+-]/g, '') || 'bin';
  return etag.endsWith('"') && etag.length >= 2 ? `${etag.slice(0, -1)}.${subtype}"` : `"${etag}.${subtype}"`;
}

/** withVary adds Accept to an answer's Vary header (merging with one already there). */
export function withVary(headers: Record<string, string>): void {
  const name = Object.keys(headers).find((k) => k.toLowerCase() === 'vary');
  if (name === undefined) {
    headers.Vary = 'Accept';
    return;
  }
  const values = headers[name].split(',').map((v) => v.trim().toLowerCase());
  if (!values.includes('accept') && !values.includes('*')) headers[name] = `${headers[name]}, Accept`;
}
