/**
 * willnorris/imageproxy data_test.go, ported table by table: TestOptions_String and
 * TestParseOptions, with Go's Options fields spelled as ours (ValidUntil as Unix seconds).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyOptions, formatOptions, parseOptions, type Options } from '../../../lib/request/options.js';

const opts = (o: Partial<Options>): Options => ({ ...emptyOptions(), ...o });

test('TestOptions_String', () => {
  const tests: Array<{ options: Partial<Options>; string: string }> = [
    { options: {}, string: '0x0' },
    {
      options: { width: 1, height: 2, fit: true, rotate: 90, flipVertical: true, flipHorizontal: true, quality: 80 },
      string: '1x2,fh,fit,fv,q80,r90',
    },
    {
      options: { width: 0.15, height: 1.3, rotate: 45, quality: 95, signature: 'c0ffee', format: 'png', validUntil: 123 },
      string: '0.15x1.3,png,q95,r45,sc0ffee,vu123',
    },
    { options: { width: 0.15, height: 1.3, cropX: 100, cropY: 200 }, string: '0.15x1.3,cx100,cy200' },
    {
      options: { scaleUp: true, cropX: 100, cropY: 200, cropWidth: 300, cropHeight: 400, smartCrop: true },
      string: '0x0,ch400,cw300,cx100,cy200,sc,scaleUp',
    },
  ];
  tests.forEach((tt, i) => {
    const got = formatOptions(opts(tt.options));
    assert.equal(got, tt.string, `${i}. formatOptions(${JSON.stringify(tt.options)}) = ${got}, want ${tt.string}`);
  });
});

test('TestParseOptions', () => {
  const tests: Array<{ input: string; options: Partial<Options> }> = [
    { input: '', options: {} },
    { input: 'x', options: {} },
    { input: 'r', options: {} },
    { input: '0', options: {} },
    { input: ',,,,', options: {} },

    // size variations
    { input: '1x', options: { width: 1 } },
    { input: 'x1', options: { height: 1 } },
    { input: '1x2', options: { width: 1, height: 2 } },
    { input: '-1x-2', options: { width: -1, height: -2 } },
    { input: '0.1x0.2', options: { width: 0.1, height: 0.2 } },
    { input: '1', options: { width: 1, height: 1 } },
    { input: '0.1', options: { width: 0.1, height: 0.1 } },

    // additional flags
    { input: 'fit', options: { fit: true } },
    { input: 'r90', options: { rotate: 90 } },
    { input: 'fv', options: { flipVertical: true } },
    { input: 'fh', options: { flipHorizontal: true } },
    { input: 'jpeg', options: { format: 'jpeg' } },

    // duplicate flags (last one wins)
    { input: '1x2,3x4', options: { width: 3, height: 4 } },
    { input: '1x2,3', options: { width: 3, height: 3 } },
    { input: '1x2,0x3', options: { width: 0, height: 3 } },
    { input: '1x,x2', options: { width: 1, height: 2 } },
    { input: 'r90,r270', options: { rotate: 270 } },
    { input: 'jpeg,png', options: { format: 'png' } },

    // mix of valid and invalid flags
    { input: 'FOO,1,BAR,r90,BAZ', options: { width: 1, height: 1, rotate: 90 } },

    // flags, in different orders
    {
      input: 'q70,1x2,fit,r90,fv,fh,sc0ffee,png',
      options: { width: 1, height: 2, fit: true, rotate: 90, flipVertical: true, flipHorizontal: true, quality: 70, signature: 'c0ffee', format: 'png' },
    },
    {
      input: 'r90,fh,sc0ffee,png,q90,1x2,fv,fit',
      options: { width: 1, height: 2, fit: true, rotate: 90, flipVertical: true, flipHorizontal: true, quality: 90, signature: 'c0ffee', format: 'png' },
    },
    {
      input: 'cx100,cw300,1x2,cy200,ch400,sc,scaleUp,vu1234567890',
      options: { width: 1, height: 2, scaleUp: true, cropX: 100, cropY: 200, cropWidth: 300, cropHeight: 400, smartCrop: true, validUntil: 1234567890 },
    },
  ];
  for (const tt of tests) {
    const got = parseOptions(tt.input);
    assert.deepEqual(got, opts(tt.options), `parseOptions(${JSON.stringify(tt.input)}) = ${JSON.stringify(got)}, want ${JSON.stringify(opts(tt.options))}`);
  }
});
