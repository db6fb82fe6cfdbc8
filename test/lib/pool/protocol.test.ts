import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as errors from '../../../lib/errors.js';
import * as codecTypes from '../../../lib/codecs/types.js';
import { ERROR_KINDS, reviveError, serializeError } from '../../../lib/pool/protocol.js';

/** ErrorClass is any exported error constructor. */
type ErrorClass = abstract new (...args: never[]) => Error;

/** exportedErrorClasses lists every error class a module exports, by export name. */
function exportedErrorClasses(mod: Record<string, unknown>): Array<[string, ErrorClass]> {
  return Object.entries(mod).filter((e): e is [string, ErrorClass] =>
    typeof e[1] === 'function' && (e[1] === Error || e[1].prototype instanceof Error));
}

const withDetail = <E extends errors.ProxyError>(e: E, detail: string): E => {
  e.detail = detail;
  return e;
};

/**
 * SAMPLES holds one instance of each exported error class, unusual fields included. A class
 * added to lib/errors.ts or lib/codecs/types.ts without a sample here fails the first test; one
 * with a sample but not listed in ERROR_KINDS fails the round trip.
 */
const SAMPLES: Record<string, errors.ProxyError> = {
  ProxyError: new errors.ProxyError(418, 'teapot', 'I am a teapot.', { 'X-Tea': 'green' }),
  BadRequestError: new errors.BadRequestError('The width is invalid.', 'bad_option'),
  ForbiddenError: withDetail(new errors.ForbiddenError('The signature is wrong.', 'bad_signature'), 'hmac mismatch'),
  NotFoundError: new errors.NotFoundError(),
  TooLargeError: new errors.TooLargeError('The remote image is too large.'),
  UnsupportedMediaError: new errors.UnsupportedMediaError('The content type text/html is not allowed.', 'content_type_refused'),
  UnprocessableImageError: withDetail(new errors.UnprocessableImageError('The PNG image is corrupt.'), 'invalid stored block lengths'),
  NotTransformableError: new codecTypes.NotTransformableError(),
  BadGatewayError: new errors.BadGatewayError('The remote server reset the connection.', 'origin_reset'),
  OverloadedError: new errors.OverloadedError('The server is shutting down.', 7),
  GatewayTimeoutError: new errors.GatewayTimeoutError(),
  OriginStatusError: new errors.OriginStatusError(410),
  WorkerStartError: withDetail(new errors.WorkerStartError(), 'SyntaxError: Unexpected token'),
};

const ALL_CLASSES = [...exportedErrorClasses(errors), ...exportedErrorClasses(codecTypes)];

test('every exported error class has a round-trip sample', () => {
  for (const [name, cls] of ALL_CLASSES) {
    const sample = SAMPLES[name];
    assert.ok(sample !== undefined, `SAMPLES[${name}] = undefined, want an instance (and an ERROR_KINDS entry in lib/pool/protocol.ts)`);
    assert.equal(Object.getPrototypeOf(sample), cls.prototype, `SAMPLES[${name}] is a ${sample.constructor.name}, want a ${name}`);
  }
});

test('reviveError(serializeError(e)) is the same class with the same fields, for every error class', () => {
  for (const [name, cls] of ALL_CLASSES) {
    const sample = SAMPLES[name];
    if (sample === undefined) continue; // reported by the test above
    // structuredClone is what postMessage does to the serialized form.
    const got = reviveError(structuredClone(serializeError(sample)));
    const fields = (e: errors.ProxyError) => JSON.stringify({
      name: e.name, status: e.status, code: e.code, message: e.message, headers: e.headers, detail: e.detail,
    });
    assert.equal(Object.getPrototypeOf(got), cls.prototype, `reviveError(serializeError(${name})) is a ${got.constructor.name}, want a ${name}`);
    assert.equal(fields(got), fields(sample), `reviveError(serializeError(${name})) = ${fields(got)}, want ${fields(sample)}`);
    assert.ok(typeof got.stack === 'string', `reviveError(serializeError(${name})).stack = ${got.stack}, want a stack`);
  }
});

test('ERROR_KINDS names each class under its own stable name', () => {
  for (const [kind, { cls }] of Object.entries(ERROR_KINDS)) {
    assert.equal(cls.name, kind, `ERROR_KINDS.${kind}.cls = ${cls.name}, want ${kind}`);
  }
});

test('reviveError of a plain or unknown error picks the class by status', () => {
  const cases: Array<{ name: string; kind?: string; status: number; want: ErrorClass; wantStatus: number }> = [
    { name: 'no kind, 504', status: 504, want: errors.GatewayTimeoutError, wantStatus: 504 },
    { name: 'plain ProxyError, 415', kind: 'ProxyError', status: 415, want: errors.UnsupportedMediaError, wantStatus: 415 },
    { name: 'unknown kind, 502', kind: 'NoSuchError', status: 502, want: errors.BadGatewayError, wantStatus: 502 },
    { name: 'plain ProxyError, 418', kind: 'ProxyError', status: 418, want: errors.ProxyError, wantStatus: 418 },
    { name: 'plain ProxyError, 200', kind: 'ProxyError', status: 200, want: errors.UnprocessableImageError, wantStatus: 422 },
  ];
  for (const c of cases) {
    const got = reviveError({ kind: c.kind, status: c.status, code: 'x', message: 'X.', headers: {} });
    assert.equal(Object.getPrototypeOf(got), c.want.prototype, `reviveError(${c.name}) is a ${got.constructor.name}, want a ${c.want.name}`);
    assert.equal(got.status, c.wantStatus, `reviveError(${c.name}).status = ${got.status}, want ${c.wantStatus}`);
  }
});
