import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, UsageError } from '../../bin/flags.js';
import type { ServerLimits } from '../../lib/listener.js';

test('parseFlags reads the listener limits: defaults, flags, IMAGEPROXY_* variables', () => {
  const cases: Array<{ name: string; argv: string[]; env: Record<string, string>; want: ServerLimits }> = [
    { name: 'defaults', argv: [], env: {}, want: { headerTimeoutMs: 10_000, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 120_000 } },
    { name: 'flags', argv: ['-headerTimeout', '2s', '--requestTimeout=1m', '-keepAliveTimeout', '10m20s'], env: {},
      want: { headerTimeoutMs: 2000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 620_000 } },
    { name: 'variables', argv: [], env: { IMAGEPROXY_HEADERTIMEOUT: '500ms', IMAGEPROXY_REQUESTTIMEOUT: '1s', IMAGEPROXY_KEEPALIVETIMEOUT: '65s' },
      want: { headerTimeoutMs: 500, requestTimeoutMs: 1000, keepAliveTimeoutMs: 65_000 } },
    { name: 'a flag wins over its variable', argv: ['-keepAliveTimeout', '90s'], env: { IMAGEPROXY_KEEPALIVETIMEOUT: '65s' },
      want: { headerTimeoutMs: 10_000, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 90_000 } },
    { name: 'fractions of a millisecond round up', argv: ['-headerTimeout', '1500us'], env: {},
      want: { headerTimeoutMs: 2, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 120_000 } },
    { name: 'header limit equal to request limit', argv: ['-headerTimeout', '20s'], env: {},
      want: { headerTimeoutMs: 20_000, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 120_000 } },
  ];
  for (const c of cases) {
    const got = parseFlags(c.argv, c.env).serverLimits;
    assert.deepEqual(got, c.want, `${c.name}: parseFlags(${JSON.stringify(c.argv)}, ${JSON.stringify(c.env)}).serverLimits = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('parseFlags refuses unusable listener limits', () => {
  const cases: Array<{ argv: string[]; want: RegExp }> = [
    { argv: ['-headerTimeout', '0s'], want: /headerTimeout: invalid duration/ },
    { argv: ['-requestTimeout', '-1s'], want: /requestTimeout: invalid duration/ },
    { argv: ['-keepAliveTimeout', 'forever'], want: /keepAliveTimeout: invalid duration/ },
    { argv: ['-keepAliveTimeout', '25h'], want: /longer than the 24h limit/ },
    { argv: ['-headerTimeout', '30s'], want: /-headerTimeout \(30000 ms\) must not be longer than -requestTimeout \(20000 ms\)/ },
    { argv: ['-headerTimeout', '5s', '-requestTimeout', '4s'], want: /must not be longer than -requestTimeout/ },
  ];
  for (const c of cases) {
    assert.throws(() => parseFlags(c.argv, {}), (err: unknown) => err instanceof UsageError && c.want.test(err.message),
      `parseFlags(${JSON.stringify(c.argv)}) did not throw a UsageError matching ${c.want}`);
  }
});
