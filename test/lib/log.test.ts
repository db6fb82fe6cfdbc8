import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, isLogFormat, type LogFormat } from '../../lib/log.js';
import { formatFields, formatTextRecord, isFieldLogger, logFields, type LogFields, type LogLevel } from '../../lib/log-format.js';

/** collect is a LogSink that keeps every line written. */
function collect(): { write(chunk: string): void; lines(): string[] } {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
    },
    lines: () => text.split('\n').filter((l) => l !== ''),
  };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test('json format: one JSON object a line, with ISO time, level label, message and fields', () => {
  const cases: Array<{ name: string; level: LogLevel; msg: string; fields?: LogFields; want: Record<string, unknown> }> = [
    { name: 'info', level: 'info', msg: 'imageproxy listening on 127.0.0.1:8080', want: { level: 'info', msg: 'imageproxy listening on 127.0.0.1:8080' } },
    { name: 'warn', level: 'warn', msg: 'cache memory: get failed', want: { level: 'warn', msg: 'cache memory: get failed' } },
    { name: 'error with a stack', level: 'error', msg: 'failed:\n    at f (x.js:1:1)', want: { level: 'error', msg: 'failed:\n    at f (x.js:1:1)' } },
    {
      name: 'fields', level: 'info', msg: 'access', fields: { method: 'GET', status: 200, bytes: 12, aborted: undefined },
      want: { level: 'info', msg: 'access', method: 'GET', status: 200, bytes: 12 },
    },
  ];
  for (const c of cases) {
    const sink = collect();
    const log = createLogger({ format: 'json', sink });
    if (c.fields) log.fields(c.level, c.msg, c.fields);
    else log[c.level](c.msg);
    const lines = sink.lines();
    assert.equal(lines.length, 1, `${c.name}: lines = ${JSON.stringify(lines)}, want 1`);
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.match(String(record.time), ISO, `${c.name}: time = ${String(record.time)}, want an ISO timestamp`);
    const { time: _time, ...rest } = record;
    assert.deepEqual(rest, c.want, `${c.name}: record = ${JSON.stringify(rest)}, want ${JSON.stringify(c.want)}`);
  }
});

test('text format: timestamp, padded level, message, then key=value fields', () => {
  const cases: Array<{ name: string; level: LogLevel; msg: string; fields?: LogFields; want: RegExp }> = [
    { name: 'plain info', level: 'info', msg: 'cache: memory', want: /^\S+Z INFO  cache: memory$/ },
    { name: 'warn', level: 'warn', msg: 'slow', want: /^\S+Z WARN  slow$/ },
    { name: 'error', level: 'error', msg: 'boom', want: /^\S+Z ERROR boom$/ },
    {
      name: 'access fields', level: 'info', msg: 'access', fields: { method: 'GET', path: '/100x/http://a/b.png', status: 200, cache: 'MISS' },
      want: /^\S+Z INFO  access method=GET path=\/100x\/http:\/\/a\/b\.png status=200 cache=MISS$/,
    },
    { name: 'quoted value', level: 'info', msg: 'x', fields: { note: 'two words' }, want: /^\S+Z INFO  x note="two words"$/ },
  ];
  for (const c of cases) {
    const sink = collect();
    const log = createLogger({ format: 'text', sink });
    if (c.fields) log.fields(c.level, c.msg, c.fields);
    else log[c.level](c.msg);
    const lines = sink.lines();
    assert.equal(lines.length, 1, `${c.name}: lines = ${JSON.stringify(lines)}, want 1`);
    assert.match(lines[0], c.want, `${c.name}: line = ${JSON.stringify(lines[0])}`);
    assert.match(lines[0].split(' ')[0], ISO, `${c.name}: timestamp of ${JSON.stringify(lines[0])}`);
  }
});

test('a text message with line breaks keeps them, and is still one record', () => {
  const sink = collect();
  createLogger({ format: 'text', sink }).error('failed:\n    at f (x.js:1:1)');
  assert.match(sink.lines().join('\n'), /^\S+Z ERROR failed:\n {4}at f \(x\.js:1:1\)$/);
});

test('formatFields table', () => {
  const cases: Array<{ fields: LogFields; want: string }> = [
    { fields: {}, want: '' },
    { fields: { a: 1, b: true, c: 'x' }, want: 'a=1 b=true c=x' },
    { fields: { skip: undefined, kept: 0 }, want: 'kept=0' },
    { fields: { s: 'has space' }, want: 's="has space"' },
    { fields: { q: 'say "hi"' }, want: 'q="say \\"hi\\""' },
    { fields: { eq: 'a=b' }, want: 'eq="a=b"' },
    { fields: { empty: '' }, want: 'empty=""' },
    { fields: { nl: 'a\nb' }, want: 'nl="a\\nb"' },
  ];
  for (const c of cases) {
    const got = formatFields(c.fields);
    assert.equal(got, c.want, `formatFields(${JSON.stringify(c.fields)}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('formatTextRecord table', () => {
  const cases: Array<{ record: Record<string, unknown>; want: string }> = [
    { record: { time: 'T', level: 'info', msg: 'm' }, want: 'T INFO  m' },
    { record: { time: 'T', level: 'warn', msg: 'm', n: 2 }, want: 'T WARN  m n=2' },
    { record: { time: 'T', level: 'error', msg: 'm', o: { a: 1 } }, want: 'T ERROR m o="{\\"a\\":1}"' },
  ];
  for (const c of cases) {
    const got = formatTextRecord(c.record);
    assert.equal(got, c.want, `formatTextRecord(${JSON.stringify(c.record)}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('logFields: fields for a FieldLogger, key=value text for a plain Logger, nothing thrown by a broken one', () => {
  const lines: string[] = [];
  const plain = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
  assert.equal(isFieldLogger(plain), false, 'a plain Logger taken for a FieldLogger');
  logFields(plain, 'warn', 'access', { status: 404, cache: '-' });
  assert.deepEqual(lines, ['warn access status=404 cache=-']);

  const sink = collect();
  const structured = createLogger({ format: 'json', sink });
  assert.equal(isFieldLogger(structured), true, 'createLogger() is not a FieldLogger');
  logFields(structured, 'info', 'access', { status: 200 });
  const record = JSON.parse(sink.lines()[0]) as Record<string, unknown>;
  assert.deepEqual([record.msg, record.status], ['access', 200], `record = ${JSON.stringify(record)}`);

  const boom = (): never => {
    throw new Error('broken logger');
  };
  assert.doesNotThrow(() => logFields({ info: boom, warn: boom, error: boom }, 'info', 'x', {}));
});

test('isLogFormat table', () => {
  const cases: Array<[string, boolean]> = [['text', true], ['json', true], ['JSON', false], ['', false], ['pretty', false]];
  for (const [s, want] of cases) {
    assert.equal(isLogFormat(s), want, `isLogFormat(${JSON.stringify(s)}) = ${!want}, want ${want}`);
  }
  const f: LogFormat = 'json';
  assert.ok(isLogFormat(f));
});
