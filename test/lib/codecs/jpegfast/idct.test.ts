/**
 * Tests of the fast decoder's inverse DCTs on seeded random coefficient blocks: idct8 against a
 * verbatim copy of the earlier two-pass islow code (bit-exact), and the reduced transforms
 * against the exact float box filter of the full-size transform (equal after rounding, or one
 * level apart where the exact value is a half).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idct1, idct2, idct4, idct8, idctRect } from '../../../../lib/codecs/jpegfast/idct.js';
import { seededUint32 } from '../../../helpers/prng.js';

/** islowRef is the previous idct8: libjpeg's jidctint.c islow with its all-zero column and row shortcuts. */
function islowRef(blk: Int32Array, out: Uint8Array, off: number, stride: number): void {
  const ws = new Int32Array(64);
  const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
  // One 1-D pass over 8 inputs; returns the 8 unshifted outputs in natural order.
  const pass = (i0: number, i1: number, i2: number, i3: number, i4: number, i5: number, i6: number, i7: number): number[] => {
    let z1 = (i2 + i6) * 4433;
    const tmp2e = z1 + i6 * -15137;
    const tmp3e = z1 + i2 * 6270;
    const tmp0e = (i0 + i4) << 13;
    const tmp1e = (i0 - i4) << 13;
    const tmp10 = tmp0e + tmp3e, tmp13 = tmp0e - tmp3e, tmp11 = tmp1e + tmp2e, tmp12 = tmp1e - tmp2e;
    let tmp0 = i7, tmp1 = i5, tmp2 = i3, tmp3 = i1;
    z1 = tmp0 + tmp3;
    let z2 = tmp1 + tmp2, z3 = tmp0 + tmp2, z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * 9633;
    tmp0 *= 2446; tmp1 *= 16819; tmp2 *= 25172; tmp3 *= 12299;
    z1 *= -7373; z2 *= -20995; z3 *= -16069; z4 *= -3196;
    z3 += z5; z4 += z5;
    tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4;
    return [tmp10 + tmp3, tmp11 + tmp2, tmp12 + tmp1, tmp13 + tmp0, tmp13 - tmp0, tmp12 - tmp1, tmp11 - tmp2, tmp10 - tmp3];
  };
  for (let c = 0; c < 8; c++) {
    if ((blk[8 + c] | blk[16 + c] | blk[24 + c] | blk[32 + c] | blk[40 + c] | blk[48 + c] | blk[56 + c]) === 0) {
      for (let r = 0; r < 8; r++) ws[r * 8 + c] = blk[c] << 2;
      continue;
    }
    const v = pass(blk[c], blk[8 + c], blk[16 + c], blk[24 + c], blk[32 + c], blk[40 + c], blk[48 + c], blk[56 + c]);
    for (let r = 0; r < 8; r++) ws[r * 8 + c] = (v[r] + (1 << 10)) >> 11;
  }
  for (let r = 0; r < 8; r++) {
    const b = r * 8;
    if ((ws[b + 1] | ws[b + 2] | ws[b + 3] | ws[b + 4] | ws[b + 5] | ws[b + 6] | ws[b + 7]) === 0) {
      out.fill(clamp((ws[b] + 16 + (128 << 5)) >> 5), off + r * stride, off + r * stride + 8);
      continue;
    }
    const v = pass(ws[b], ws[b + 1], ws[b + 2], ws[b + 3], ws[b + 4], ws[b + 5], ws[b + 6], ws[b + 7]);
    for (let x = 0; x < 8; x++) out[off + r * stride + x] = clamp((v[x] + (1 << 17) + (128 << 18)) >> 18);
  }
}

/** COS[i * 8 + u] is C(u)/2 * cos((2i+1)u*pi/16), the 1-D inverse DCT basis. */
const COS = new Float64Array(64);
for (let i = 0; i < 8; i++) {
  for (let u = 0; u < 8; u++) COS[i * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos(((2 * i + 1) * u * Math.PI) / 16);
}

/** boxRef returns the exact nx x ny box filter of the full-size float IDCT (level-shifted, unrounded). */
function boxRef(blk: Int32Array, nx: number, ny: number): Float64Array {
  const full = new Float64Array(64);
  for (let j = 0; j < 8; j++) {
    for (let i = 0; i < 8; i++) {
      let s = 0;
      for (let v = 0; v < 8; v++) {
        for (let u = 0; u < 8; u++) s += COS[j * 8 + v] * COS[i * 8 + u] * blk[v * 8 + u];
      }
      full[j * 8 + i] = s + 128;
    }
  }
  const rx = 8 / nx, ry = 8 / ny;
  const out = new Float64Array(nx * ny);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      let s = 0;
      for (let j = y * ry; j < (y + 1) * ry; j++) for (let i = x * rx; i < (x + 1) * rx; i++) s += full[j * 8 + i];
      out[y * nx + x] = s / (rx * ry);
    }
  }
  return out;
}

/** Kind names a family of random blocks. */
type Kind = 'sparse' | 'low' | 'row0' | 'col0' | 'dense' | 'large' | 'bright' | 'dark' | 'superset';
const KINDS: Kind[] = ['sparse', 'low', 'row0', 'col0', 'dense', 'large', 'bright', 'dark', 'superset'];

interface Block {
  blk: Int32Array;
  nz: Int32Array;
  nnz: number;
}

/** makeBlock draws one dequantized block of the given kind, with nz listing its non-zero AC terms. */
function makeBlock(next: () => number, kind: Kind): Block {
  const blk = new Int32Array(64);
  const rnd = (n: number): number => next() % n;
  const signed = (n: number): number => rnd(2 * n + 1) - n;
  blk[0] = signed(1024);
  let count = 1 + rnd(6);
  let amp = 1 + rnd(200);
  let pos = (): number => 1 + rnd(63);
  switch (kind) {
    case 'low': pos = () => { const p = rnd(4) * 8 + rnd(4); return p === 0 ? 1 : p; }; break;
    case 'row0': pos = () => 1 + rnd(7); break;
    case 'col0': pos = () => 8 * (1 + rnd(7)); break;
    case 'dense': count = 7 + rnd(57); amp = 1 + rnd(60); break;
    case 'large': count = 1 + rnd(63); amp = 2000 + rnd(30000); blk[0] = signed(30000); break;
    case 'bright': count = 1 + rnd(30); blk[0] = 900 + rnd(3000); break;
    case 'dark': count = 1 + rnd(30); blk[0] = -1100 - rnd(3000); break;
    default: break;
  }
  for (let i = 0; i < count; i++) blk[pos()] = signed(amp) || 1;
  const nz = new Int32Array(64);
  let nnz = 0;
  for (let p = 1; p < 64; p++) {
    if (blk[p] !== 0 || (kind === 'superset' && rnd(8) === 0)) nz[nnz++] = p;
  }
  // Baseline scans list positions in zig-zag order, not natural order: shuffle to not depend on it.
  for (let i = nnz - 1; i > 0; i--) {
    const j = rnd(i + 1);
    const t = nz[i]; nz[i] = nz[j]; nz[j] = t;
  }
  return { blk, nz, nnz };
}

const STRIDE = 11;
const GUARD = 0xa5;

/**
 * run applies fn to a fresh output buffer (rows STRIDE apart at offset STRIDE + 1) and checks that
 * nothing outside the w x h block changed; it returns the block's samples row by row.
 */
function run(fn: (out: Uint8Array, off: number) => void, w: number, h: number): Uint8Array {
  const buf = new Uint8Array(STRIDE * 10).fill(GUARD);
  const off = STRIDE + 1;
  fn(buf, off);
  const got = new Uint8Array(w * h);
  for (let y = 0; y < 10; y++) {
    for (let x = 0; x < STRIDE; x++) {
      const inside = y >= 1 && y < 1 + h && x >= 1 && x < 1 + w;
      if (inside) got[(y - 1) * w + x - 1] = buf[y * STRIDE + x];
      else assert.equal(buf[y * STRIDE + x], GUARD, `write outside the ${w}x${h} block at (${x - 1}, ${y - 1})`);
    }
  }
  return got;
}

const BLOCKS_PER_KIND = 300;

for (const kind of KINDS) {
  test(`idct8: equals the islow reference bit for bit on ${kind} blocks`, () => {
    const next = seededUint32(0x1dc7 + KINDS.indexOf(kind));
    for (let n = 0; n < BLOCKS_PER_KIND; n++) {
      const b = makeBlock(next, kind);
      const blk = b.blk.slice();
      const got = run((out, off) => idct8(b.blk, out, off, STRIDE, b.nz, b.nnz), 8, 8);
      assert.deepEqual(b.blk, blk, 'idct8 changed its input block');
      const want = run((out, off) => islowRef(blk, out, off, STRIDE), 8, 8);
      assert.deepEqual(got, want, `idct8(${kind} block ${n} [${blk.join(',')}]) = [${got.join(',')}], want [${want.join(',')}]`);
    }
  });
}

interface BoxCase {
  name: string;
  nx: number;
  ny: number;
  fn: (b: Block, out: Uint8Array, off: number) => void;
}

const BOX_CASES: BoxCase[] = [
  { name: 'idct4', nx: 4, ny: 4, fn: (b, out, off) => idct4(b.blk, out, off, STRIDE, b.nz, b.nnz) },
  { name: 'idct2', nx: 2, ny: 2, fn: (b, out, off) => idct2(b.blk, out, off, STRIDE, b.nz, b.nnz) },
  ...[[8, 4], [4, 8], [8, 2], [2, 8], [8, 1], [1, 8], [4, 2], [2, 4], [4, 1], [1, 4], [2, 1], [1, 2], [8, 8], [4, 4], [2, 2], [1, 1]].map(([nx, ny]) => ({
    name: `idctRect ${nx}x${ny}`, nx, ny, fn: (b: Block, out: Uint8Array, off: number) => idctRect(b.blk, out, off, STRIDE, nx, ny),
  })),
];

for (const c of BOX_CASES) {
  test(`reduced transforms: ${c.name} is the exact box filter, rounded`, (t) => {
    const next = seededUint32(0xb0 + c.nx * 16 + c.ny);
    let ties = 0, tiesDiffer = 0, samples = 0;
    for (const kind of KINDS) {
      for (let n = 0; n < BLOCKS_PER_KIND; n++) {
        const b = makeBlock(next, kind);
        const got = run((out, off) => c.fn(b, out, off), c.nx, c.ny);
        const ref = boxRef(b.blk, c.nx, c.ny);
        for (let i = 0; i < ref.length; i++) {
          const want = Math.min(255, Math.max(0, Math.round(ref[i])));
          // Box means of integer coefficients often land on exact halves, where float noise
          // in either computation decides the rounding: those may differ by one, nothing else.
          const tie = Math.abs(ref[i] - Math.floor(ref[i]) - 0.5) < 1e-6 && ref[i] > -1 && ref[i] < 256;
          samples++;
          if (tie) ties++;
          if (tie && got[i] !== want) tiesDiffer++;
          assert.ok(got[i] === want || (tie && Math.abs(got[i] - want) === 1),
            `${c.name}(${kind} block ${n} [${b.blk.join(',')}]) sample ${i} = ${got[i]}, want ${want} (exact ${ref[i]})`);
        }
      }
    }
    t.diagnostic(`${c.name}: ${samples} samples, ${ties} exact halves, ${tiesDiffer} of them rounded down by one`);
  });
}

const PATHS = [
  { name: 'idct4', n: 4, fn: idct4 },
  { name: 'idct2', n: 2, fn: idct2 },
];
for (const c of PATHS) {
  test(`reduced transforms: ${c.name} gives the same samples on its sparse and its separable path`, () => {
    // The same coefficients listed with and without extra zero positions take both paths.
    const next = seededUint32(0x54 + c.n);
    for (let n = 0; n < 500; n++) {
      const b = makeBlock(next, 'sparse');
      // Keep at most three terms: few enough for the sparse path of both transforms.
      for (let i = 3; i < b.nnz; i++) b.blk[b.nz[i]] = 0;
      b.nnz = Math.min(b.nnz, 3);
      const padded = new Int32Array(64);
      padded.set(b.nz.subarray(0, b.nnz));
      let k = b.nnz;
      for (let p = 1; p < 64 && k < 20; p++) if (b.blk[p] === 0) padded[k++] = p;
      const sparse = run((out, off) => c.fn(b.blk, out, off, STRIDE, b.nz, b.nnz), c.n, c.n);
      const dense = run((out, off) => c.fn(b.blk, out, off, STRIDE, padded, k), c.n, c.n);
      for (let i = 0; i < c.n * c.n; i++) {
        assert.ok(Math.abs(sparse[i] - dense[i]) <= 1, `${c.name}(block ${n}) sample ${i} = ${sparse[i]} sparse, ${dense[i]} separable`);
      }
    }
  });
}

test('reduced transforms: idct1 is the rounded block mean', () => {
  const next = seededUint32(0x11);
  for (let n = 0; n < 2000; n++) {
    const b = makeBlock(next, n % 2 === 0 ? 'bright' : 'dark');
    const got = run((out, off) => idct1(b.blk, out, off), 1, 1)[0];
    const want = Math.min(255, Math.max(0, Math.round(b.blk[0] / 8 + 128)));
    assert.equal(got, want, `idct1(dc ${b.blk[0]}) = ${got}, want ${want}`);
  }
});
