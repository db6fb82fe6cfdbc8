import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkContentType, contentTypeAllowed, notAnImage, parseMediaType } from '../../../lib/origin/contenttype.js';
import { ForbiddenError, UnsupportedMediaError } from '../../../lib/errors.js';

const PARSE: Array<{ input: string; want: string | { code: string } }> = [
  { input: 'image/png', want: 'image/png' },
  { input: 'IMAGE/PNG', want: 'image/png' },
  { input: ' image/svg+xml ; charset=utf-8', want: 'image/svg+xml' },
  { input: 'image/jpeg; q="a;b,c"', want: 'image/jpeg' },
  { input: 'image/png;', want: 'image/png' },
  { input: 'image/png, text/html', want: { code: 'content_type_multiple' } },
  { input: 'image/png;charset=x, text/html', want: { code: 'content_type_multiple' } },
  { input: 'image', want: { code: 'content_type_malformed' } },
  { input: 'image/', want: { code: 'content_type_malformed' } },
  { input: '/png', want: { code: 'content_type_malformed' } },
  { input: 'image/png text/html', want: { code: 'content_type_malformed' } },
  { input: 'image/png; charset', want: { code: 'content_type_malformed' } },
  { input: 'image/png; a="unterminated', want: { code: 'content_type_malformed' } },
  { input: '', want: { code: 'content_type_malformed' } },
];

test('parseMediaType table', () => {
  for (const { input, want } of PARSE) {
    let got: string | { code: string };
    try {
      got = parseMediaType(input).type;
    } catch (err) {
      assert.ok(err instanceof UnsupportedMediaError, `parseMediaType(${JSON.stringify(input)}) threw ${String(err)}`);
      assert.equal(err.status, 415);
      got = { code: err.code };
    }
    assert.deepEqual(got, want, `parseMediaType(${JSON.stringify(input)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

test('parseMediaType keeps parameters', () => {
  const got = parseMediaType('image/svg+xml; Charset="utf-8"; x=y').params;
  assert.deepEqual(got, { charset: 'utf-8', x: 'y' }, `params = ${JSON.stringify(got)}`);
});

const ALLOWED: Array<{ type: string; patterns: string[]; want: boolean }> = [
  { type: 'image/png', patterns: ['image/*'], want: true },
  { type: 'image/svg+xml', patterns: ['image/*'], want: true },
  { type: 'text/html', patterns: ['image/*'], want: false },
  { type: 'image/png', patterns: [], want: true },
  { type: 'text/html', patterns: [], want: true },
  { type: 'image/png', patterns: ['image/jpeg', 'image/png'], want: true },
  { type: 'image/gif', patterns: ['image/jpeg', 'image/png'], want: false },
  { type: 'image/png', patterns: ['IMAGE/PNG'], want: true },
  { type: 'image/png', patterns: ['*/*'], want: true },
  { type: 'image/png', patterns: ['*'], want: false },
  { type: 'image/png', patterns: ['image/p?g'], want: true },
  { type: 'image/png', patterns: ['image.png'], want: false },
];

test('contentTypeAllowed table', () => {
  for (const { type, patterns, want } of ALLOWED) {
    const got = contentTypeAllowed(type, patterns);
    assert.equal(got, want, `contentTypeAllowed(${type}, ${JSON.stringify(patterns)}) = ${got}, want ${want}`);
  }
});

test('checkContentType and notAnImage refuse with 403, as the Go server does', () => {
  const cases: Array<{ type: string; patterns: string[]; want: number | undefined }> = [
    { type: 'image/png', patterns: ['image/*'], want: undefined },
    { type: 'text/html', patterns: ['image/*'], want: 403 },
    { type: 'text/html', patterns: [], want: undefined },
  ];
  for (const c of cases) {
    let got: number | undefined;
    try {
      checkContentType(c.type, c.patterns);
    } catch (err) {
      got = (err as { status?: number }).status;
      assert.ok(err instanceof ForbiddenError, `checkContentType(${c.type}) threw ${String(err)}, want a ForbiddenError`);
    }
    assert.equal(got, c.want, `checkContentType(${c.type}, ${JSON.stringify(c.patterns)}) = ${got}, want ${c.want}`);
  }
  const e = notAnImage();
  assert.ok(e instanceof ForbiddenError && e.status === 403 && e.code === 'content_type_unknown', `notAnImage() = ${e.status} ${e.code}`);
});
