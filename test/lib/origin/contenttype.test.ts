import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkContentType, contentTypeAllowed, notAnImage, parseMediaType } from '../../../lib/origin/contenttype.js';
import { ForbiddenError, UnsupportedMediaError } from '../../../lib/errors.js';

const PARSE: Array<[input: string, want: string | { code: string }]> = [
  ['image/png', 'image/png'],
  ['IMAGE/PNG', 'image/png'],
  [' image/svg+xml ; charset=utf-8', 'image/svg+xml'],
  ['image/jpeg; q="a;b,c"', 'image/jpeg'],
  ['image/png;', 'image/png'],
  ['image/png, text/html', { code: 'content_type_multiple' }],
  ['image/png;charset=x, text/html', { code: 'content_type_multiple' }],
  ['image', { code: 'content_type_malformed' }],
  ['image/', { code: 'content_type_malformed' }],
  ['/png', { code: 'content_type_malformed' }],
  ['image/png text/html', { code: 'content_type_malformed' }],
  ['image/png; charset', { code: 'content_type_malformed' }],
  ['image/png; a="unterminated', { code: 'content_type_malformed' }],
  ['', { code: 'content_type_malformed' }],
];

test('parseMediaType table', () => {
  for (const [input, want] of PARSE) {
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

const ALLOWED: Array<[type: string, patterns: string[], want: boolean]> = [
  ['image/png', ['image/*'], true],
  ['image/svg+xml', ['image/*'], true],
  ['text/html', ['image/*'], false],
  ['image/png', [], true],
  ['text/html', [], true],
  ['image/png', ['image/jpeg', 'image/png'], true],
  ['image/gif', ['image/jpeg', 'image/png'], false],
  ['image/png', ['IMAGE/PNG'], true],
  ['image/png', ['*/*'], true],
  ['image/png', ['*'], false],
  ['image/png', ['image/p?g'], true],
  ['image/png', ['image.png'], false],
];

test('contentTypeAllowed table', () => {
  for (const [type, patterns, want] of ALLOWED) {
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
