import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFormatFloat, goParseFloat, goAtoi, goParseDuration } from '../../../lib/request/goformat.js';

test('goFormatFloat prints like Go %v', () => {
  const cases: Array<{ input: number; want: string }> = [
    { input: 0, want: '0' }, { input: 100, want: '100' }, { input: 0.5, want: '0.5' }, { input: -10, want: '-10' }, { input: 100000, want: '100000' }, { input: 1e6, want: '1e+06' },
    { input: 1234567, want: '1.234567e+06' }, { input: 0.0001, want: '0.0001' }, { input: 0.00001, want: '1e-05' }, { input: 0.15, want: '0.15' },
    { input: 1.5, want: '1.5' }, { input: 123.456, want: '123.456' }, { input: 1e21, want: '1e+21' }, { input: -0.25, want: '-0.25' },
  ];
  for (const { input, want } of cases) {
    const got = goFormatFloat(input);
    assert.equal(got, want, `goFormatFloat(${input}) = ${got}, want ${want}`);
  }
});

test('goParseFloat accepts what strconv.ParseFloat accepts', () => {
  const cases: Array<{ input: string; want?: number | undefined }> = [
    { input: '100', want: 100 }, { input: '0.5', want: 0.5 }, { input: '.5', want: 0.5 }, { input: '5.', want: 5 }, { input: '1e3', want: 1000 }, { input: '-2', want: -2 }, { input: '+3', want: 3 },
    { input: '' }, { input: 'abc' }, { input: '1.2.3' }, { input: '1e' }, { input: ' 1' },
  ];
  for (const { input, want } of cases) {
    const got = goParseFloat(input);
    assert.equal(got, want, `goParseFloat(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('goAtoi accepts what strconv.Atoi accepts', () => {
  const cases: Array<{ input: string; want?: number | undefined }> = [
    { input: '90', want: 90 }, { input: '-90', want: -90 }, { input: '+5', want: 5 }, { input: '9.5' }, { input: '' }, { input: 'x' },
  ];
  for (const { input, want } of cases) {
    const got = goAtoi(input);
    assert.equal(got, want, `goAtoi(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('goParseDuration accepts what time.ParseDuration accepts, in milliseconds', () => {
  // The two parsers this one replaced (bin/duration.ts, cache/spec.ts) differed on the last two
  // rows: one summed in milliseconds (100ns came out as 0.00009999999999999999) and neither
  // refused a value past time.Duration's int64 range.
  const cases: Array<{ input: string; want: number | undefined }> = [
    { input: '30s', want: 30_000 },
    { input: '1h2m3s4ms', want: 3_723_004 },
    { input: '-1.5h', want: -5_400_000 },
    { input: '+.5s', want: 500 },
    { input: '1.s', want: 1000 },
    { input: '1µs', want: 0.001 },
    { input: '1μs', want: 0.001 },
    { input: '0', want: 0 },
    { input: '-0', want: 0 },
    { input: '', want: undefined },
    { input: '4', want: undefined },
    { input: '.s', want: undefined },
    { input: '1d', want: undefined },
    { input: '1h ', want: undefined },
    { input: '1m-1s', want: undefined },
    { input: '100ns', want: 0.0001 },
    { input: '2562047h', want: 2562047 * 3_600_000 },
    { input: '2562048h', want: undefined },
  ];
  for (const { input, want } of cases) {
    const got = goParseDuration(input);
    assert.equal(got, want, `goParseDuration(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});
