/**
 * Property tests (fast-check) for the request language: the option grammar, the request parser
 * and the signature check, the parts of the proxy that see raw attacker-chosen strings.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { formatOptions, parseOptions, type Options } from '../../lib/request/options.js';
import { cacheKey, parseRequest, type ProxyRequest } from '../../lib/request/request.js';
import { signURL, verifySignature } from '../../lib/request/signature.js';
import { BadRequestError } from '../../lib/errors.js';

/** PropertyResult is the outcome of one property check. */
export interface PropertyResult {
  name: string;
  failed: boolean;
  numRuns: number;
  /** fast-check's report (counterexample, seed, path) when the property failed. */
  message?: string;
}

/** A finite double, with -0 folded into 0 (formatOptions leaves zero-valued fields out). */
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v));

/** size covers pixels, fractions and the odd values Go's %v prints in exponent form. */
const size = fc.oneof(
  fc.integer({ min: -100, max: 100_000 }),
  fc.double({ min: 0, max: 1, noNaN: true }),
  finite,
  fc.constantFrom(1e6, 1e21, 1e-5, 123456789, 0.1, -0),
);

/** signature is what a real signature looks like: 43 base64url characters, padding optional. */
const signature = fc.stringMatching(/^[A-Za-z0-9_-]{43}=?$/);

/** optionsArb generates any Options value the grammar can express. */
export const optionsArb: fc.Arbitrary<Options> = fc.record({
  width: size,
  height: size,
  fit: fc.boolean(),
  rotate: fc.maxSafeInteger(),
  flipVertical: fc.boolean(),
  flipHorizontal: fc.boolean(),
  quality: fc.maxSafeInteger(),
  signature: fc.oneof(fc.constant(''), signature),
  scaleUp: fc.boolean(),
  format: fc.constantFrom('' as const, 'jpeg' as const, 'png' as const, 'tiff' as const),
  cropX: finite,
  cropY: finite,
  cropWidth: finite,
  cropHeight: finite,
  smartCrop: fc.boolean(),
  trim: fc.boolean(),
  validUntil: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
}).map((o) => ({ ...o })); // fc.record builds null-prototype objects; parseOptions does not

/** token generates option tokens: real ones, real prefixes with odd values, and junk. */
const token = fc.oneof(
  fc.constantFrom('fit', 'fv', 'fh', 'scaleUp', 'jpeg', 'png', 'tiff', 'sc', 'trim', 'x', '0', 'webp', 's', 'r', 'q', 'vu'),
  fc.tuple(
    fc.constantFrom('', 'r', 'q', 's', 'cx', 'cy', 'cw', 'ch', 'vu', 'x', '1x'),
    fc.stringMatching(/^[-+0-9.eExX]{0,12}$/),
  ).map(([p, v]) => p + v),
  fc.string({ maxLength: 12 }).filter((s) => !s.includes(',')),
);

/** optionString generates comma-separated option lists. */
const optionString = fc.array(token, { maxLength: 8 }).map((t) => t.join(','));

/** remoteURL generates remote URLs in every form the proxy accepts, and broken ones. */
const remoteURL = fc.oneof(
  fc.webUrl({ withQueryParameters: true }),
  fc.webUrl().map((u) => Buffer.from(u).toString('base64url')),
  fc.webUrl().map((u) => encodeURIComponent(u)),
  fc.webUrl().map((u) => u.replace('://', ':/')),
  fc.constantFrom('https://example.com/a.jpg', 'http://[::1]/x', 'http://a@b@c/', 'http://%41/', 'https:///a', '//host/a', 'images/a.png', '/a.png', 'HTTP://EXAMPLE.COM', 'https://example.com:99999/'),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** requestPath generates request paths: well-formed shapes with hostile parts, and pure noise. */
const requestPath = fc.oneof(
  fc.tuple(optionString, remoteURL).map(([o, r]) => `/${o}/${r}`),
  remoteURL.map((r) => `/${r}`),
  remoteURL.map((r) => `//${r}`),
  fc.tuple(optionString, remoteURL, fc.string({ maxLength: 20 })).map(([o, r, q]) => `/${o}/${r}?${q}`),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }).map((s) => `/${s}`),
);

const baseURL = fc.option(fc.constantFrom(new URL('https://base.example/images/'), new URL('http://127.0.0.1:8080/')), { nil: undefined });

/** key generates HMAC keys, including the empty key (which must never verify). */
const key = fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b));

/** anySignature generates hostile signature strings. */
const anySignature = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.stringMatching(/^[A-Za-z0-9_=+/-]{0,50}$/),
  fc.uint8Array({ minLength: 31, maxLength: 33 }).map((b) => Buffer.from(b).toString('base64url')),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64')),
  signature,
);

const SIGNED_REQUESTS = ['/https://example.com/a.jpg', '/100x200,fit/https://example.com/a.jpg?x=1', '/r90/aHR0cHM6Ly9leGFtcGxlLmNvbS9hLmpwZz95PTI'];

function withSignature(req: ProxyRequest, sig: string): ProxyRequest {
  return { ...req, options: { ...req.options, signature: sig } };
}

/** PROPERTIES are the checks, each a fast-check property. */
export const PROPERTIES: ReadonlyArray<[name: string, prop: () => fc.IProperty<unknown[]>]> = [
  ['parseOptions(formatOptions(o)) round-trips', () => fc.property(optionsArb, (o) => {
    const s = formatOptions(o);
    const back = parseOptions(s);
    if (!isDeepStrictEqual(back, o)) {
      throw new Error(`parseOptions(${JSON.stringify(s)}) = ${JSON.stringify(back)}, want ${JSON.stringify(o)}`);
    }
  }) as fc.IProperty<unknown[]>],
  ['formatOptions(parseOptions(s)) is canonical for any option string', () => fc.property(optionString, (s) => {
    const once = formatOptions(parseOptions(s));
    const twice = formatOptions(parseOptions(once));
    if (once !== twice) throw new Error(`formatOptions(parseOptions(${JSON.stringify(s)})) = ${once}, but once more gives ${twice}`);
  }) as fc.IProperty<unknown[]>],
  ['parseRequest throws only BadRequestError, and accepts only http(s) URLs with a host', () => fc.property(requestPath, baseURL, (p, base) => {
    let req: ProxyRequest;
    try {
      req = parseRequest(p, base);
    } catch (err) {
      if (err instanceof BadRequestError && err.status === 400) return;
      throw new Error(`parseRequest(${JSON.stringify(p)}, ${base?.href}) threw ${String(err)}, want BadRequestError`);
    }
    if (!['http:', 'https:'].includes(req.remote.protocol) || req.remote.hostname === '') {
      throw new Error(`parseRequest(${JSON.stringify(p)}).remote = ${req.remote.href}, want an http(s) URL with a host`);
    }
    cacheKey(req);
    verifySignature([Buffer.from('k')], req);
  }) as fc.IProperty<unknown[]>],
  ['parseRequest keeps the options of /{formatOptions(o)}/{url}', () => fc.property(optionsArb, fc.webUrl({ withQueryParameters: true }), (o, url) => {
    const p = `/${formatOptions(o)}/${url}`;
    let req: ProxyRequest;
    try {
      req = parseRequest(p);
    } catch (err) {
      if (err instanceof BadRequestError) return; // a URL the proxy refuses, not this property's concern
      throw err;
    }
    if (formatOptions(req.options) !== formatOptions(o)) {
      throw new Error(`parseRequest(${JSON.stringify(p)}).options = ${formatOptions(req.options)}, want ${formatOptions(o)}`);
    }
  }) as fc.IProperty<unknown[]>],
  ['verifySignature never throws on any signature or key', () => fc.property(fc.constantFrom(...SIGNED_REQUESTS), anySignature, fc.array(key, { maxLength: 3 }), (p, sig, keys) => {
    const ok = verifySignature(keys, withSignature(parseRequest(p), sig));
    if (typeof ok !== 'boolean') throw new Error(`verifySignature returned ${String(ok)}`);
    if (ok && keys.every((k) => k.length === 0)) throw new Error(`verifySignature(empty keys, ${JSON.stringify(sig)}) = true`);
  }) as fc.IProperty<unknown[]>],
  ['verifySignature accepts exactly the signatures made with one of its keys', () => fc.property(
    fc.constantFrom(...SIGNED_REQUESTS), key.filter((k) => k.length > 0), key.filter((k) => k.length > 0), fc.boolean(), fc.boolean(),
    (p, k1, k2, withOptions, padded) => {
      const req = parseRequest(p);
      let sig = withOptions ? signURL(k1, req.remoteBase, req.options) : signURL(k1, req.remoteString);
      if (!padded) sig = sig.replace(/=$/, '');
      const signed = withSignature(req, sig);
      if (!verifySignature([k2, k1], signed)) throw new Error(`verifySignature([k2, k1], ${p} signed by k1) = false`);
      if (!k1.equals(k2) && verifySignature([k2], signed)) throw new Error(`verifySignature([k2], ${p} signed by k1) = true`);
    },
  ) as fc.IProperty<unknown[]>],
];

/** checkProperties runs every property with numRuns cases from seed and reports each outcome. */
export function checkProperties(seed: number, numRuns: number): PropertyResult[] {
  return PROPERTIES.map(([name, prop]) => {
    const details = fc.check(prop(), { seed, numRuns });
    return { name, failed: details.failed, numRuns: details.numRuns, message: details.failed ? fc.defaultReportMessage(details) : undefined };
  });
}
