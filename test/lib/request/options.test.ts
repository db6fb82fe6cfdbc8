import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions, formatOptions, emptyOptions, isTransform, OPTIONS, OUTPUT_FORMATS, type Options } from '../../../lib/request/options.js';

/** opts builds an Options value from the fields that differ from empty. */
const opts = (o: Partial<Options>): Options => ({ ...emptyOptions(), ...o });

test('parseOptions grammar', () => {
  const cases: Array<[string, Partial<Options>]> = [
    ['', {}],
    ['x', {}],
    ['0', {}],
    ['1x2', { width: 1, height: 2 }],
    ['100x200', { width: 100, height: 200 }],
    ['0.15x', { width: 0.15 }],
    ['x0.15', { height: 0.15 }],
    ['100', { width: 100, height: 100 }],
    ['100x', { width: 100 }],
    ['fit', { fit: true }],
    ['r90', { rotate: 90 }],
    ['r-90', { rotate: -90 }],
    ['fv', { flipVertical: true }],
    ['fh', { flipHorizontal: true }],
    ['q70', { quality: 70 }],
    ['sc', { smartCrop: true }],
    ['scaleUp', { scaleUp: true }],
    ['jpeg', { format: 'jpeg' }],
    ['png', { format: 'png' }],
    ['tiff', { format: 'tiff' }],
    ['webp', { format: 'webp' }],
    ['avif', { format: 'avif' }],
    ['webp,q80', { format: 'webp', quality: 80 }],
    ['avif,png', { format: 'png' }],
    ['WEBP', {}],
    ['gif', {}],
    ['trim', { trim: true }],
    ['sc,trim', { smartCrop: true, trim: true }],
    ['cx100,cw300', { cropX: 100, cropWidth: 300 }],
    ['cy0.25,ch0.5', { cropY: 0.25, cropHeight: 0.5 }],
    ['cx-10,cy-20', { cropX: -10, cropY: -20 }],
    ['sabc123', { signature: 'abc123' }],
    ['vu1800000000', { validUntil: 1800000000 }],
    ['vu-5', {}],
    ['vu1800000000,vu0', { validUntil: 1800000000 }],
    ['unknown', {}],
    ['rfoo', {}],
    ['r90,rfoo', {}],
    ['q10,q20', { quality: 20 }],
    ['1x2,3x4', { width: 3, height: 4 }],
    ['1x2,3x', { width: 3, height: 2 }],
    ['1x2,x4', { width: 1, height: 4 }],
    ['axb', {}],
    ['100,r90', { width: 100, height: 100, rotate: 90 }],
    ['200x,q60', { width: 200, quality: 60 }],
    ['fit,r90,fv,fh,q75,200x100,sabc', {
      fit: true, rotate: 90, flipVertical: true, flipHorizontal: true, quality: 75, width: 200,
      height: 100, signature: 'abc',
    }],
  ];
  for (const [input, want] of cases) {
    const got = parseOptions(input);
    assert.deepEqual(got, opts(want), `parseOptions(${JSON.stringify(input)}) = ${JSON.stringify(got)}, want ${JSON.stringify(opts(want))}`);
  }
});

test('formatOptions canonical form', () => {
  const cases: Array<[Partial<Options>, string]> = [
    [{}, '0x0'],
    [{ width: 1, height: 2 }, '1x2'],
    [{ width: 0.15 }, '0.15x0'],
    [{ width: 100, height: 100, rotate: 90, quality: 75 }, '100x100,q75,r90'],
    [{ fit: true }, '0x0,fit'],
    [{ rotate: 90 }, '0x0,r90'],
    [{ flipVertical: true }, '0x0,fv'],
    [{ flipHorizontal: true }, '0x0,fh'],
    [{ quality: 70 }, '0x0,q70'],
    [{ signature: 'c0ffee' }, '0x0,sc0ffee'],
    [{ scaleUp: true }, '0x0,scaleUp'],
    [{ format: 'jpeg' }, '0x0,jpeg'],
    [{ format: 'webp' }, '0x0,webp'],
    [{ format: 'avif' }, '0x0,avif'],
    [{ width: 300, format: 'webp', quality: 80 }, '300x0,q80,webp'],
    [{ width: 300, format: 'avif', quality: 60, signature: 'c0ffee' }, '300x0,avif,q60,sc0ffee'],
    [{ cropX: 100, cropY: 200 }, '0x0,cx100,cy200'],
    [{ cropWidth: 0.5, cropHeight: 0.25 }, '0x0,ch0.25,cw0.5'],
    [{ smartCrop: true }, '0x0,sc'],
    [{ trim: true }, '0x0,trim'],
    [{ validUntil: 1800000000 }, '0x0,vu1800000000'],
    [{
      width: 1, height: 2, fit: true, rotate: 90, flipVertical: true, flipHorizontal: true,
      quality: 80, signature: 'c0ffee', format: 'png',
    }, '1x2,fh,fit,fv,png,q80,r90,sc0ffee'],
  ];
  for (const [input, want] of cases) {
    const got = formatOptions(opts(input));
    assert.equal(got, want, `formatOptions(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('formatOptions without signature is what a signature covers', () => {
  const got = formatOptions(parseOptions('q40,400x400,sXYZ'), false);
  assert.equal(got, '400x400,q40', `formatOptions(q40,400x400,sXYZ, false) = ${got}, want 400x400,q40`);
});

test('parseOptions(formatOptions(o)) round-trips', () => {
  const inputs = ['100,r90,q75', '0.5x,fit,png', 'webp,q80,300x', 'avif,sc,400x300', 'cx-10,cy0.5,cw20,ch30,sc,trim', 'sabc,vu1800000000,scaleUp,fv,fh,tiff'];
  for (const input of inputs) {
    const o = parseOptions(input);
    const got = parseOptions(formatOptions(o));
    assert.deepEqual(got, o, `parseOptions(formatOptions(${input})) = ${JSON.stringify(got)}, want ${JSON.stringify(o)}`);
  }
});

test('isTransform', () => {
  const cases: Array<[string, boolean]> = [
    ['', false], ['sabc', false], ['vu1800000000', false], ['scaleUp', false], ['fit', false],
    ['sc', false], ['100x', true], ['r90', true], ['fv', true], ['fh', true], ['q50', true],
    ['png', true], ['webp', true], ['avif', true], ['cx10', true], ['cw10', true], ['trim', true],
  ];
  for (const [input, want] of cases) {
    const got = isTransform(parseOptions(input));
    assert.equal(got, want, `isTransform(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('integer fields print as Go prints an int (%d), float fields as %v', () => {
  // The table prints every numeric field through one builder; the integer fields must not take
  // the float form's exponent (Go's Options.String prints Rotate and Quality with %d).
  const cases: Array<{ input: Partial<Options>; want: string }> = [
    { input: { rotate: 1_000_000 }, want: '0x0,r1000000' },
    { input: { quality: 10_000_000 }, want: '0x0,q10000000' },
    { input: { validUntil: 4_000_000_000 }, want: '0x0,vu4000000000' },
    { input: { cropX: 1_000_000 }, want: '0x0,cx1e+06' },
    { input: { width: 1_000_000, height: 0.00001 }, want: '1e+06x1e-05' },
  ];
  for (const { input, want } of cases) {
    const got = formatOptions(opts(input));
    assert.equal(got, want, `formatOptions(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('the option table: defaults are emptyOptions, every exact token parses to its value and prints back', () => {
  const empty = emptyOptions();
  for (const [field, entry] of Object.entries(OPTIONS) as Array<[keyof Options, (typeof OPTIONS)[keyof Options]]>) {
    assert.equal(empty[field], entry.default, `emptyOptions().${field} = ${String(empty[field])}, want ${String(entry.default)}`);
    for (const [token, value] of Object.entries(entry.exact ?? {})) {
      const got = parseOptions(token);
      assert.equal(got[field], value, `parseOptions(${token}).${field} = ${String(got[field])}, want ${String(value)}`);
      const printed = formatOptions(got);
      assert.equal(printed, `0x0,${token}`, `formatOptions(parseOptions(${token})) = ${printed}, want 0x0,${token}`);
    }
  }
  for (const f of OUTPUT_FORMATS) {
    assert.equal(isTransform(parseOptions(f)), true, `isTransform(parseOptions(${f})) = false, want true`);
  }
});
