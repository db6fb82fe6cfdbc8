// Choosing the output format from Accept (-autoFormat), and the headers of a negotiated answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptedQuality, accepts, animationFallback, formatETag, negotiate, negotiateFormat, withVary,
} from '../../../lib/core/negotiate.js';
import type { NegotiableFormat } from '../../../lib/config.js';
import { parseOptions } from '../../../lib/request/options.js';
import { fixture, F, makeAnimatedGif } from '../../helpers/codec-fixtures.js';

const CHROME = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
const FIREFOX_OLD = 'image/webp,*/*';
const SAFARI_13 = 'image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5';

test('negotiateFormat: the first preference the Accept header names with q > 0', () => {
  const cases: Array<{ name: string; accept: string | undefined; prefs: NegotiableFormat[]; want: NegotiableFormat | '' }> = [
    { name: 'Chrome, avif first', accept: CHROME, prefs: ['avif', 'webp'], want: 'avif' },
    { name: 'Chrome, webp first', accept: CHROME, prefs: ['webp', 'avif'], want: 'webp' },
    { name: 'webp only client', accept: FIREFOX_OLD, prefs: ['avif', 'webp'], want: 'webp' },
    { name: 'wildcards never opt in', accept: SAFARI_13, prefs: ['avif', 'webp'], want: '' },
    { name: 'bare */*', accept: '*/*', prefs: ['avif', 'webp'], want: '' },
    { name: 'image/*', accept: 'image/*', prefs: ['webp'], want: '' },
    { name: 'missing Accept', accept: undefined, prefs: ['avif', 'webp'], want: '' },
    { name: 'empty Accept', accept: '', prefs: ['avif', 'webp'], want: '' },
    { name: 'q=0 refuses', accept: 'image/avif;q=0,image/webp', prefs: ['avif', 'webp'], want: 'webp' },
    { name: 'q=0.000 refuses', accept: 'image/avif; q=0.000, image/webp;q=0', prefs: ['avif', 'webp'], want: '' },
    { name: 'low q still accepts', accept: 'image/avif;q=0.1', prefs: ['avif'], want: 'avif' },
    { name: 'server order, not client q', accept: 'image/webp;q=1,image/avif;q=0.5', prefs: ['avif', 'webp'], want: 'avif' },
    { name: 'case and spaces', accept: ' IMAGE/WebP ; Q=0.9 ', prefs: ['avif', 'webp'], want: 'webp' },
    { name: 'other parameters ignored', accept: 'image/avif;level=1;q=0.5', prefs: ['avif'], want: 'avif' },
    { name: 'a later refusal wins over an acceptance', accept: 'image/webp, image/webp;q=0', prefs: ['webp'], want: '' },
    { name: 'prefix of a type is not the type', accept: 'image/webpx,image/avi', prefs: ['avif', 'webp'], want: '' },
    { name: 'not listed in preferences', accept: 'image/avif', prefs: ['webp'], want: '' },
    { name: 'malformed q counts as 1', accept: 'image/webp;q=high', prefs: ['webp'], want: 'webp' },
    { name: 'q above 1 is malformed', accept: 'image/webp;q=0;q=2', prefs: ['webp'], want: '' },
  ];
  for (const c of cases) {
    const got = negotiateFormat(c.accept, c.prefs);
    assert.equal(got, c.want, `${c.name}: negotiateFormat(${JSON.stringify(c.accept)}, ${c.prefs}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
  const excluded = negotiateFormat(CHROME, ['avif', 'webp'], 'avif');
  assert.equal(excluded, 'webp', `negotiateFormat(Chrome, avif,webp, exclude avif) = ${excluded}, want webp`);
});

test('acceptedQuality and accepts read one exact media type', () => {
  const cases: Array<{ accept: string; type: string; want: number | undefined }> = [
    { accept: 'image/webp', type: 'image/webp', want: 1 },
    { accept: 'image/webp;q=0.5', type: 'image/webp', want: 0.5 },
    { accept: 'image/webp;q=1.000', type: 'image/webp', want: 1 },
    { accept: '*/*', type: 'image/webp', want: undefined },
    { accept: `${'x/y;q=0,'.repeat(1500)}image/webp;q=0.3`, type: 'image/webp', want: 0.3 },
  ];
  for (const c of cases) {
    const got = acceptedQuality(c.accept, c.type);
    assert.equal(got, c.want, `acceptedQuality(${JSON.stringify(c.accept.slice(0, 40))}, ${c.type}) = ${got}, want ${c.want}`);
  }
  assert.equal(accepts('image/avif;q=0', 'avif'), false, 'accepts(image/avif;q=0, avif) = true, want false');
  assert.equal(accepts(undefined, 'webp'), false, 'accepts(undefined, webp) = true, want false');
});

test('negotiate: only for a transform whose URL names no format, and only when -autoFormat is set', () => {
  const cases: Array<{ name: string; prefs: NegotiableFormat[]; opts: string; accept: string | undefined; want: string | undefined }> = [
    { name: 'flag off: Accept ignored', prefs: [], opts: '300x', accept: CHROME, want: undefined },
    { name: 'negotiated', prefs: ['avif', 'webp'], opts: '300x', accept: CHROME, want: 'avif' },
    { name: 'fallback still negotiable', prefs: ['avif', 'webp'], opts: '300x', accept: '*/*', want: '' },
    { name: 'explicit format wins', prefs: ['avif', 'webp'], opts: '300x,png', accept: CHROME, want: undefined },
    { name: 'explicit jpeg wins', prefs: ['webp'], opts: 'jpeg', accept: CHROME, want: undefined },
    { name: 'explicit webp to an avif client', prefs: ['avif'], opts: 'webp', accept: 'image/avif', want: undefined },
    { name: 'untransformed original passes through', prefs: ['avif', 'webp'], opts: 'x', accept: CHROME, want: undefined },
  ];
  for (const c of cases) {
    const o = parseOptions(c.opts);
    const n = negotiate(c.prefs, o, o.format !== '' || c.opts !== 'x', c.accept);
    assert.equal(n?.format, c.want, `${c.name}: negotiate(${c.prefs}, ${c.opts}, ${JSON.stringify(c.accept)}).format = ${JSON.stringify(n?.format)}, want ${JSON.stringify(c.want)}`);
  }
});

test('animationFallback: an animation is never AVIF', () => {
  const gif = makeAnimatedGif();
  const still = fixture(F.branchesJpg);
  const cases: Array<{ name: string; prefs: NegotiableFormat[]; accept: string; source: Uint8Array; want: string | undefined }> = [
    { name: 'animated GIF, webp accepted', prefs: ['avif', 'webp'], accept: CHROME, source: gif, want: 'webp' },
    { name: 'animated GIF, only avif accepted', prefs: ['avif', 'webp'], accept: 'image/avif', source: gif, want: '' },
    { name: 'animated GIF, avif is the only preference', prefs: ['avif'], accept: CHROME, source: gif, want: '' },
    { name: 'still source keeps avif', prefs: ['avif', 'webp'], accept: CHROME, source: still, want: undefined },
    { name: 'webp choice stands for an animation', prefs: ['webp', 'avif'], accept: CHROME, source: gif, want: undefined },
    { name: 'unreadable source keeps the choice', prefs: ['avif'], accept: CHROME, source: new Uint8Array([1, 2, 3]), want: undefined },
  ];
  for (const c of cases) {
    const n = negotiate(c.prefs, parseOptions('10x'), true, c.accept);
    const got = animationFallback(n, c.source);
    assert.equal(got, c.want, `${c.name}: animationFallback = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('formatETag: one ETag per format, weakness kept', () => {
  const cases: Array<{ etag: string; type: string | undefined; want: string }> = [
    { etag: '"abc"', type: 'image/webp', want: '"abc.webp"' },
    { etag: '"abc"', type: 'image/avif', want: '"abc.avif"' },
    { etag: '"abc"', type: 'image/jpeg', want: '"abc.jpeg"' },
    { etag: 'W/"abc"', type: 'image/webp', want: 'W/"abc.webp"' },
    { etag: 'abc', type: 'image/png', want: '"abc.png"' },
    { etag: '"abc"', type: 'image/svg+xml; charset=x', want: '"abc.svg+xml"' },
    { etag: '"abc"', type: undefined, want: '"abc.bin"' },
  ];
  for (const c of cases) {
    const got = formatETag(c.etag, c.type);
    assert.equal(got, c.want, `formatETag(${c.etag}, ${c.type}) = ${got}, want ${c.want}`);
  }
});

test('withVary adds Accept once, keeping what is there', () => {
  const cases: Array<{ headers: Record<string, string>; want: Record<string, string> }> = [
    { headers: {}, want: { Vary: 'Accept' } },
    { headers: { Vary: 'Origin' }, want: { Vary: 'Origin, Accept' } },
    { headers: { vary: 'accept' }, want: { vary: 'accept' } },
    { headers: { Vary: '*' }, want: { Vary: '*' } },
  ];
  for (const c of cases) {
    const h = { ...c.headers };
    withVary(h);
    assert.deepEqual(h, c.want, `withVary(${JSON.stringify(c.headers)}) = ${JSON.stringify(h)}, want ${JSON.stringify(c.want)}`);
  }
});
