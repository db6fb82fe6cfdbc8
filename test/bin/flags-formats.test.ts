// The output format flags of issue #11: -autoFormat, -webpQuality, -avifQuality, -maxAvifPixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, UsageError } from '../../bin/flags.js';

test('parseFlags reads the format flags: defaults, flags, IMAGEPROXY_* variables', () => {
  type Want = { autoFormat: string[] | undefined; webpQuality: number | undefined; avifQuality: number | undefined; maxAvifPixels: number | undefined };
  const cases: Array<{ name: string; argv: string[]; env: Record<string, string>; want: Want }> = [
    { name: 'defaults', argv: [], env: {}, want: { autoFormat: [], webpQuality: 92, avifQuality: 85, maxAvifPixels: 3_000_000 } },
    { name: 'flags', argv: ['-autoFormat', 'avif,webp', '-webpQuality=80', '--avifQuality', '60', '-maxAvifPixels', '1000000'], env: {},
      want: { autoFormat: ['avif', 'webp'], webpQuality: 80, avifQuality: 60, maxAvifPixels: 1_000_000 } },
    { name: 'variables', argv: [], env: { IMAGEPROXY_AUTOFORMAT: 'webp', IMAGEPROXY_WEBPQUALITY: '75', IMAGEPROXY_MAXAVIFPIXELS: '500' },
      want: { autoFormat: ['webp'], webpQuality: 75, avifQuality: 85, maxAvifPixels: 500 } },
    { name: 'a flag wins over its variable', argv: ['-autoFormat', 'webp,avif'], env: { IMAGEPROXY_AUTOFORMAT: 'avif' },
      want: { autoFormat: ['webp', 'avif'], webpQuality: 92, avifQuality: 85, maxAvifPixels: 3_000_000 } },
    { name: 'an empty variable turns negotiation off', argv: [], env: { IMAGEPROXY_AUTOFORMAT: '' },
      want: { autoFormat: [], webpQuality: 92, avifQuality: 85, maxAvifPixels: 3_000_000 } },
    { name: 'case, blanks and repeats', argv: ['-autoFormat', ' AVIF , webp,avif '], env: {},
      want: { autoFormat: ['avif', 'webp'], webpQuality: 92, avifQuality: 85, maxAvifPixels: 3_000_000 } },
  ];
  for (const c of cases) {
    const cfg = parseFlags(c.argv, c.env).config;
    const got: Want = { autoFormat: cfg.autoFormat, webpQuality: cfg.webpQuality, avifQuality: cfg.avifQuality, maxAvifPixels: cfg.limits?.maxAvifPixels };
    assert.deepEqual(got, c.want, `${c.name}: parseFlags(${JSON.stringify(c.argv)}, ${JSON.stringify(c.env)}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('parseFlags refuses unusable format flags', () => {
  const cases: Array<{ argv: string[]; want: RegExp }> = [
    { argv: ['-autoFormat', 'jpeg'], want: /autoFormat: "jpeg" cannot be negotiated/ },
    { argv: ['-autoFormat', 'webp,gif'], want: /autoFormat: "gif" cannot be negotiated/ },
    { argv: ['-webpQuality', '0'], want: /webpQuality: want an integer >= 1/ },
    { argv: ['-avifQuality', '101'], want: /avifQuality: want a quality from 1 to 100/ },
    { argv: ['-maxAvifPixels', '0'], want: /maxAvifPixels: want an integer >= 1/ },
    { argv: ['-maxAvifPixels', 'lots'], want: /maxAvifPixels: want an integer/ },
  ];
  for (const c of cases) {
    assert.throws(() => parseFlags(c.argv, {}), (err: unknown) => err instanceof UsageError && c.want.test(err.message),
      `parseFlags(${JSON.stringify(c.argv)}) did not throw a UsageError matching ${c.want}`);
  }
});
