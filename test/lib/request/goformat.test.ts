import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFormatFloat, goParseFloat, goAtoi, goParseDuration } from '../../../lib/request/goformat.js';

test('goFormatFloat prints like Go %v', () => {
  const cases: Array<[number, string]> = [
    [0, '0'], [100, '100'], [0.5, '0.5'], [-10, '-10'], [100000, '100000'], [1e6, '1e+06'],
    [1234567, '1.234567e+06'], [0.0001, '0.0001'], [0.00001, '1e-05'], [0.15, '0.15'],
    [1.5, '1.5'], [123.456, '123.456'], [1e21, '1e+21'], [-0.25, '-0.25'],
  ];
  for (const [input, want] of cases) {
    const got = goFormatFloat(input);
    assert.equal(got, want, `goFormatFloat(${input}) = ${got}, want ${want}`);
  }
});

test('goParseFloat accepts what strconv.ParseFloat accepts', () => {
  const cases: Array<[string, number | undefined]> = [
    ['100', 100], ['0.5', 0.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['-2', -2], ['+3', 3],
    ['', undefined], ['abc', undefined], ['1.2.3', undefined], ['1e', undefined], [' 1', undefined],
  ];
  for (const [input, want] of cases) {
    const got = goParseFloat(input);
    assert.equal(got, want, `goParseFloat(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('goAtoi accepts what strconv.Atoi accepts', () => {
  const cases: Array<[string, number | undefined]> = [
    ['90', 90], ['-90', -90], ['+5', 5], ['9.5', undefined], ['', undefined], ['x', undefined],
  ];
  for (const [input, want] of cases) {
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
