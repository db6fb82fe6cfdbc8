import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCore } from '../../../lib/core/core.js';
import { defaultConfig } from '../../../lib/config.js';
import { createTransformPool } from '../../../lib/pool/pool.js';
import { encode } from '../../../lib/codecs/index.js';
import { FakeOrigin, image, Log } from '../core/fakes.js';
import { colourFixture, patches, patchImage, withApp2 } from '../../helpers/colour.js';

const REMOTE = 'https://images.example/p3.jpg';

test('a malformed colour profile is ignored with one warn log line, through the worker pool and the core', async () => {
  const P = patches();
  const img = patchImage(P, P.patches.map((v) => [...v, 255]), 4, (n) => new Uint8Array(n));
  const jpeg = await encode({ frames: [{ bitmap: img, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'jpeg', 90);
  const broken = new Uint8Array(colourFixture('display-p3.icc'));
  broken.set([0xff, 0xff, 0xff, 0xff], 128); // a tag count of four billion
  const origin = new FakeOrigin();
  origin.set(REMOTE, image({ 'content-type': 'image/jpeg' }, withApp2(jpeg, broken)));
  const log = new Log();
  const pool = createTransformPool({ workers: 1, maxQueue: 4 });
  try {
    const core = createCore({ config: defaultConfig({ logger: log }), origin, transformer: pool });
    const a = await core.answer({ method: 'GET', url: `/40x/${REMOTE}`, headers: {} });
    assert.equal(a.status, 200, `answer(GET /40x/<p3 with a broken profile>) = ${a.status}, want 200`);
    const lines = log.lines.filter((l) => l.startsWith('warn') && l.includes('colour profile ignored'));
    assert.equal(lines.length, 1, `log = ${JSON.stringify(log.lines)}, want one warn line on the ignored profile`);
    assert.match(lines[0], /more than 256 tags/, `log line ${lines[0]} does not say what was wrong`);
  } finally {
    await pool.close();
  }
});
