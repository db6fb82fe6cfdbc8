#!/usr/bin/env node
// Writes the inverse-DCT section of lib/codecs/jpegfast/huffman.wat (between its ";; BEGIN
// generated idct" and ";; END generated idct" lines) from the small expression builders below,
// which follow lib/codecs/jpegfast/idct.ts statement by statement: the WebAssembly twin has to do
// the same integer and double operations in the same order to stay bit-identical with it.
// Run it, then `npm run build:wasm`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'lib/codecs/jpegfast/huffman.wat');

/** x turns a number into a constant and a bare name into a local; expressions pass through. */
const x = (a) => (typeof a === 'number' ? `(i32.const ${a})` : a.startsWith('(') ? a : `(local.get $${a})`);
const fx = (a) => (typeof a === 'number' ? `(f64.const ${a})` : a.startsWith('(') ? a : `(local.get $${a})`);
const op = (name) => (...a) => a.map(x).reduce((l, r) => `(i32.${name} ${l} ${r})`);
const fop = (name) => (...a) => a.map(fx).reduce((l, r) => `(f64.${name} ${l} ${r})`);
const add = op('add'), sub = op('sub'), mul = op('mul'), shl = op('shl'), sar = op('shr_s'), or = op('or'), and = op('and');
const fadd = fop('add'), fsub = fop('sub'), fmul = fop('mul');
const set = (n, e) => `(local.set $${n} ${x(e)})`;
const fset = (n, e) => `(local.set $${n} ${fx(e)})`;
const locals = (type, names) => names.map((n) => `(local $${n} ${type})`).join(' ');
/** ld reads blk/ws (i32) at element k from base local b; fld reads f64 element k. */
const ld = (b, k) => `(i32.load offset=${4 * k} ${x(b)})`;
const st = (b, k, e) => `(i32.store offset=${4 * k} ${x(b)} ${x(e)})`;
const fld = (b, k) => `(f64.load offset=${8 * k} ${x(b)})`;
const fst = (b, k, e) => `(f64.store offset=${8 * k} ${x(b)} ${fx(e)})`;
const cvt = (e) => `(f64.convert_i32_s ${x(e)})`;
/** K reads one constant of idct.ts's IDCT_WASM_CONSTS table (global $kc). */
const KN = ['K0', 'K2', 'K6', 'P01', 'P03', 'P05', 'P07', 'P11', 'P13', 'P15', 'P17', 'Q0', 'Q1', 'Q3', 'Q5', 'Q7'];
const K = (n) => `(f64.load offset=${8 * KN.indexOf(n)} (global.get $kc))`;
/** S4_AT and W2_AT are where the sparse tables start in IDCT_WASM_CONSTS (f64 elements). */
const S4_AT = 16, W2_AT = 16 + 320;
/** clampTo stores clamp(e) (idct.ts clamp) as a byte at out + off. */
const clampTo = (off, e) => `${set('v', e)} (i32.store8 offset=${off} (local.get $o)
      (select (local.get $v) (select (i32.const 0) (i32.const 255) (i32.lt_s (local.get $v) (i32.const 0)))
        (i32.eqz (i32.and (local.get $v) (i32.const -256)))))`;
/** pxTo stores px(e) (idct.ts px) as a byte at address a + off: 0 at or below 0, 255 at or above 255, else truncated. */
const pxTo = (a, off, e) => `${fset('f', e)} (i32.store8 offset=${off} ${x(a)}
      (select (i32.const 0) (select (i32.const 255) (i32.trunc_sat_f64_s (local.get $f)) (f64.ge (local.get $f) (f64.const 255)))
        (f64.le (local.get $f) (f64.const 0))))`;

const F = { F0_298: 2446, F0_390: 3196, F0_541: 4433, F0_765: 6270, F0_899: 7373, F1_175: 9633, F1_501: 12299, F1_847: 15137, F1_961: 16069, F2_053: 16819, F2_562: 20995, F3_072: 25172 };

/** SCALAR are the expression builders of islow1d for one column or row in i32 locals. */
const SCALAR = { add, sub, mul, shl, set, sep: '\n      ' };

/**
 * VECTOR are the same builders on four columns or rows at once (i32x4 locals named v…): wrapping
 * integer arithmetic is exact in any order, so each lane gives what the scalar butterfly gives.
 */
const VECTOR = (() => {
  const vx = (a) => (typeof a === 'number' ? `(i32x4.splat (i32.const ${a}))` : a.startsWith('(') ? a : `(local.get $v${a})`);
  const vop = (name) => (...a) => a.map(vx).reduce((l, r) => `(i32x4.${name} ${l} ${r})`);
  return {
    add: vop('add'), sub: vop('sub'), mul: vop('mul'),
    shl: (a, n) => `(i32x4.shl ${vx(a)} (i32.const ${n}))`,
    set: (n, e) => `(local.set $v${n} ${vx(e)})`,
    sep: '\n        ',
  };
})();

/** islow1d is the 1-D islow butterfly of idct.ts (short form when hi is known zero), into e0..e3, o0..o3, with builders b. */
function islow1d(short, b = SCALAR) {
  const { add, sub, mul, shl, set } = b;
  if (short) {
    return [
      set('t0', shl('i0', 13)), set('z1', mul('i2', F.F0_541)), set('t3', add('z1', mul('i2', F.F0_765))),
      set('e0', add('t0', 't3')), set('e1', add('t0', 'z1')), set('e2', sub('t0', 'z1')), set('e3', sub('t0', 't3')),
      set('z5', mul(add('i3', 'i1'), F.F1_175)),
      set('o0', sub(sub('z5', mul('i1', F.F0_899)), mul('i3', F.F1_961))),
      set('o1', sub(sub('z5', mul('i3', F.F2_562)), mul('i1', F.F0_390))),
      set('o2', sub('z5', mul('i3', F.F2_562 + F.F1_961 - F.F3_072))),
      set('o3', add('z5', mul('i1', F.F1_501 - F.F0_899 - F.F0_390))),
    ].join(b.sep);
  }
  return [
    set('z1', mul(add('i2', 'i6'), F.F0_541)), set('t2', sub('z1', mul('i6', F.F1_847))), set('t3', add('z1', mul('i2', F.F0_765))),
    set('t0', shl(add('i0', 'i4'), 13)), set('t1', shl(sub('i0', 'i4'), 13)),
    set('e0', add('t0', 't3')), set('e1', add('t1', 't2')), set('e2', sub('t1', 't2')), set('e3', sub('t0', 't3')),
    set('z5', mul(add(add(add('i7', 'i5'), 'i3'), 'i1'), F.F1_175)),
    set('za', mul(add('i7', 'i1'), F.F0_899)), set('zb', mul(add('i5', 'i3'), F.F2_562)),
    set('zc', sub('z5', mul(add('i7', 'i3'), F.F1_961))), set('zd', sub('z5', mul(add('i5', 'i1'), F.F0_390))),
    set('o0', add(sub(mul('i7', F.F0_298), 'za'), 'zc')),
    set('o1', add(sub(mul('i5', F.F2_053), 'zb'), 'zd')),
    set('o2', add(sub(mul('i3', F.F3_072), 'zb'), 'zc')),
    set('o3', add(sub(mul('i1', F.F1_501), 'za'), 'zd')),
  ].join(b.sep);
}

/**
 * flatV sets $vflat to the lanes whose inputs i1.. (to i3 when short, else i7) are all zero,
 * where idct.ts (as libjpeg) takes its DC-only shortcut: the same value as the butterfly except
 * when a huge DC term overflows the butterfly's 32-bit arithmetic, so the lanes must take it too.
 */
const flatV = (short) => `(local.set $vflat (i32x4.eq ${(short ? [1, 2, 3] : [1, 2, 3, 4, 5, 6, 7]).map((k) => `(local.get $vi${k})`).reduce((l, r) => `(v128.or ${l} ${r})`)} (v128.const i32x4 0 0 0 0)))`;

/** pass1V is pass 1 of idct8 on the four columns at byte offset $p of blk (and $w of ws), all eight rows. */
function pass1V(short) {
  const ldv = (k) => `(v128.load offset=${32 * k} (local.get $p))`;
  const out = (k, e) => `(v128.store offset=${32 * k} (local.get $w) (v128.bitselect (local.get $vdc) (i32x4.shr_s (i32x4.add ${e} (i32x4.splat (i32.const 1024))) (i32.const 11)) (local.get $vflat)))`;
  const v = (n) => `(local.get $v${n})`;
  const loads = (short ? [0, 1, 2, 3] : [0, 1, 2, 3, 4, 5, 6, 7]).map((k) => `(local.set $vi${k} ${ldv(k)})`).join(' ');
  return `${loads}
        ${flatV(short)} (local.set $vdc (i32x4.shl (local.get $vi0) (i32.const 2)))
        ${islow1d(short, VECTOR)}
        ${out(0, `(i32x4.add ${v('e0')} ${v('o3')})`)} ${out(7, `(i32x4.sub ${v('e0')} ${v('o3')})`)}
        ${out(1, `(i32x4.add ${v('e1')} ${v('o2')})`)} ${out(6, `(i32x4.sub ${v('e1')} ${v('o2')})`)}
        ${out(2, `(i32x4.add ${v('e2')} ${v('o1')})`)} ${out(5, `(i32x4.sub ${v('e2')} ${v('o1')})`)}
        ${out(3, `(i32x4.add ${v('e3')} ${v('o0')})`)} ${out(4, `(i32x4.sub ${v('e3')} ${v('o0')})`)}`;
}

/** shuf32 picks four i32 lanes from x (0..3) and y (4..7). */
const shuf32 = (a, b, lanes) => `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((k) => 4 * l + k)).join(' ')} ${a} ${b})`;

/** transpose4 loads four rows of four i32 at byte offsets offs from $w and leaves their columns in the named locals. */
function transpose4(offs, names) {
  const lv = (n) => `(local.get $v${n})`;
  return [
    ...offs.map((o, k) => `(local.set $vr${k} (v128.load offset=${o} (local.get $w)))`),
    `(local.set $vq0 ${shuf32(lv('r0'), lv('r1'), [0, 4, 1, 5])})`, `(local.set $vq1 ${shuf32(lv('r0'), lv('r1'), [2, 6, 3, 7])})`,
    `(local.set $vq2 ${shuf32(lv('r2'), lv('r3'), [0, 4, 1, 5])})`, `(local.set $vq3 ${shuf32(lv('r2'), lv('r3'), [2, 6, 3, 7])})`,
    `(local.set $v${names[0]} ${shuf32(lv('q0'), lv('q2'), [0, 1, 4, 5])})`, `(local.set $v${names[1]} ${shuf32(lv('q0'), lv('q2'), [2, 3, 6, 7])})`,
    `(local.set $v${names[2]} ${shuf32(lv('q1'), lv('q3'), [0, 1, 4, 5])})`, `(local.set $v${names[3]} ${shuf32(lv('q1'), lv('q3'), [2, 3, 6, 7])})`,
  ].join('\n        ');
}

/**
 * pass2V is pass 2 of idct8 on the four rows of ws from row r0 (lanes are rows after a transpose),
 * descaled, level-shifted and saturated to bytes (the clamp of idct.ts), stored as four rows of
 * eight samples from $o. short: columns 4..7 are known zero.
 */
function pass2V(r0, short) {
  const v = (n) => `(local.get $v${n})`;
  const r2 = (1 << 17) + (128 << 18);
  // A row without AC terms takes idct.ts's DC-only shortcut, (i0 + 16 + 4096) >> 5 (see flatV).
  const d = (e) => `(v128.bitselect (local.get $vdc) (i32x4.shr_s (i32x4.add ${e} (i32x4.splat (i32.const ${r2}))) (i32.const 18)) (local.get $vflat))`;
  const rows = [0, 1, 2, 3].map((k) => 32 * (r0 + k));
  const row = (j) => (r0 + j === 0 ? '(local.get $o)' : `(i32.add (local.get $o) (i32.mul (local.get $stride) (i32.const ${r0 + j})))`);
  return `${transpose4(rows, ['i0', 'i1', 'i2', 'i3'])}
        ${short ? '' : transpose4(rows.map((o) => o + 16), ['i4', 'i5', 'i6', 'i7'])}
        ${flatV(short)} (local.set $vdc (i32x4.shr_s (i32x4.add (local.get $vi0) (i32x4.splat (i32.const ${16 + 4096}))) (i32.const 5)))
        ${islow1d(short, VECTOR)}
        (local.set $vq0 (i16x8.narrow_i32x4_s ${d(`(i32x4.add ${v('e0')} ${v('o3')})`)} ${d(`(i32x4.add ${v('e1')} ${v('o2')})`)}))
        (local.set $vq1 (i16x8.narrow_i32x4_s ${d(`(i32x4.add ${v('e2')} ${v('o1')})`)} ${d(`(i32x4.add ${v('e3')} ${v('o0')})`)}))
        (local.set $vq2 (i16x8.narrow_i32x4_s ${d(`(i32x4.sub ${v('e3')} ${v('o0')})`)} ${d(`(i32x4.sub ${v('e2')} ${v('o1')})`)}))
        (local.set $vq3 (i16x8.narrow_i32x4_s ${d(`(i32x4.sub ${v('e1')} ${v('o2')})`)} ${d(`(i32x4.sub ${v('e0')} ${v('o3')})`)}))
        (local.set $vr0 (i8x16.narrow_i16x8_u ${v('q0')} ${v('q1')}))
        (local.set $vr1 (i8x16.narrow_i16x8_u ${v('q2')} ${v('q3')}))
        (local.set $vr2 (i8x16.shuffle 0 4 8 12 16 20 24 28 1 5 9 13 17 21 25 29 ${v('r0')} ${v('r1')}))
        (local.set $vr3 (i8x16.shuffle 2 6 10 14 18 22 26 30 3 7 11 15 19 23 27 31 ${v('r0')} ${v('r1')}))
        (v128.store64_lane 0 ${row(0)} ${v('r2')}) (v128.store64_lane 1 ${row(1)} ${v('r2')})
        (v128.store64_lane 0 ${row(2)} ${v('r3')}) (v128.store64_lane 1 ${row(3)} ${v('r3')})`;
}

function idct8() {
  const I = ['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'];
  const pass1Out = (sh, r) => [
    st('w', 0, sar(add(add('e0', 'o3'), r), sh)), st('w', 56, sar(add(sub('e0', 'o3'), r), sh)),
    st('w', 8, sar(add(add('e1', 'o2'), r), sh)), st('w', 48, sar(add(sub('e1', 'o2'), r), sh)),
    st('w', 16, sar(add(add('e2', 'o1'), r), sh)), st('w', 40, sar(add(sub('e2', 'o1'), r), sh)),
    st('w', 24, sar(add(add('e3', 'o0'), r), sh)), st('w', 32, sar(add(sub('e3', 'o0'), r), sh)),
  ].join('\n      ');
  const sh2 = 18, r2 = (1 << 17) + (128 << 18);
  const pass2Out = [
    clampTo(0, sar(add(add('e0', 'o3'), r2), sh2)), clampTo(7, sar(add(sub('e0', 'o3'), r2), sh2)),
    clampTo(1, sar(add(add('e1', 'o2'), r2), sh2)), clampTo(6, sar(add(sub('e1', 'o2'), r2), sh2)),
    clampTo(2, sar(add(add('e2', 'o1'), r2), sh2)), clampTo(5, sar(add(sub('e2', 'o1'), r2), sh2)),
    clampTo(3, sar(add(add('e3', 'o0'), r2), sh2)), clampTo(4, sar(add(sub('e3', 'o0'), r2), sh2)),
  ].join('\n      ');
  return `
  ;; idct8 is idct.ts idct8: islow, 8x8 samples at $o, rows $stride apart; $m ORs the AC positions.
  (func $idct8 (param $o i32) (param $stride i32) (param $m i32)
    (local $cols i32) (local $rows i32) (local $c i32) (local $p i32) (local $w i32) (local $end i32) (local $hi i32)
    ${locals('i32', [...I, 'e0', 'e1', 'e2', 'e3', 'o0', 'o1', 'o2', 'o3', 't0', 't1', 't2', 't3', 'z1', 'z5', 'za', 'zb', 'zc', 'zd', 'v', 'r0'])}
    (local $row i64)
    ${locals('v128', ['vi0', 'vi1', 'vi2', 'vi3', 'vi4', 'vi5', 'vi6', 'vi7', 've0', 've1', 've2', 've3', 'vo0', 'vo1', 'vo2', 'vo3', 'vt0', 'vt1', 'vt2', 'vt3', 'vz1', 'vz5', 'vza', 'vzb', 'vzc', 'vzd', 'vr0', 'vr1', 'vr2', 'vr3', 'vq0', 'vq1', 'vq2', 'vq3', 'vflat', 'vdc'])}
    ${set('cols', `(select (i32.const 4) (i32.const 8) (i32.eqz ${and('m', 4)}))`)}
    (if (i32.eqz ${and('m', 0x38)})
      (then
        ${set('rows', 1)}
        ${set('c', 0)}
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $c) (local.get $cols)))
          ${set('p', add(`(global.get $blk)`, shl('c', 2)))} ${set('w', add(`(global.get $ws)`, shl('c', 2)))}
          ${st('w', 0, shl(ld('p', 0), 2))}
          ${set('c', add('c', 1))} (br $l))))
      (else
        ${set('rows', 8)}
        ;; Pass 1 four columns at a time; columns 4..7 only when some term lies there.
        ${set('c', 0)}
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $c) (local.get $cols)))
          ${set('p', add(`(global.get $blk)`, shl('c', 2)))} ${set('w', add(`(global.get $ws)`, shl('c', 2)))}
          (if (i32.eqz ${and('m', 0x20)})
            (then
        ${pass1V(true)})
            (else
        ${pass1V(false)}))
          ${set('c', add('c', 4))} (br $l)))))
    ;; Pass 2: rows, descaled and level-shifted; eight rows four at a time, one row on its own.
    (if (i32.eq (local.get $rows) (i32.const 8))
      (then
        ${set('w', `(global.get $ws)`)}
        (if (i32.eq (local.get $cols) (i32.const 8))
          (then
        ${pass2V(0, false)}
        ${pass2V(4, false)})
          (else
        ${pass2V(0, true)}
        ${pass2V(4, true)}))
        (return)))
    ;; Pass 2: rows, descaled and level-shifted.
    ${set('w', `(global.get $ws)`)} ${set('end', add('w', shl('rows', 5)))} ${set('r0', 'o')}
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $w) (local.get $end)))
      ${set('i0', ld('w', 0))} ${set('i1', ld('w', 1))} ${set('i2', ld('w', 2))} ${set('i3', ld('w', 3))}
      (if (i32.eq (local.get $cols) (i32.const 8))
        (then ${set('i4', ld('w', 4))} ${set('i5', ld('w', 5))} ${set('i6', ld('w', 6))} ${set('i7', ld('w', 7))})
        (else ${set('i4', 0)} ${set('i5', 0)} ${set('i6', 0)} ${set('i7', 0)}))
      ${set('hi', or('i4', 'i5', 'i6', 'i7'))}
      (block $next
        (if (i32.eqz (local.get $hi))
          (then
            (if (i32.eqz ${or('i1', 'i2', 'i3')})
              (then
                ${set('v', sar(add(add('i0', 1 << 4), 128 << 5), 5))}
                ${set('v', `(select (local.get $v) (select (i32.const 0) (i32.const 255) (i32.lt_s (local.get $v) (i32.const 0))) (i32.eqz (i32.and (local.get $v) (i32.const -256))))`)}
                (i64.store (local.get $o) (i64.mul (i64.extend_i32_u (local.get $v)) (i64.const 0x0101010101010101)))
                (br $next)))
      ${islow1d(true)})
          (else
      ${islow1d(false)}))
      ${pass2Out})
      ${set('w', add('w', 32))} ${set('o', add('o', 'stride'))}
      (br $l)))
    (if (i32.eq (local.get $rows) (i32.const 1))
      (then
        (local.set $row (i64.load (local.get $r0)))
        ${set('o', add('r0', 'stride'))} ${set('c', 1)}
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $c) (i32.const 8)))
          (i64.store (local.get $o) (local.get $row))
          ${set('o', add('o', 'stride'))} ${set('c', add('c', 1))} (br $l))))))
`;
}

/** oddEven4 is the 1/2-scale even/odd pass of idct.ts on values a0..a7 (a4 unused), into t, s, q0 (o0), q1 (o1). */
function pass4(a) {
  return [
    fset('t', fmul(K('K0'), a[0])), fset('s', fadd(fmul(K('K2'), a[2]), fmul(K('K6'), a[6]))),
    fset('q0', fadd(fadd(fadd(fmul(K('P01'), a[1]), fmul(K('P03'), a[3])), fmul(K('P05'), a[5])), fmul(K('P07'), a[7]))),
    fset('q1', fadd(fadd(fadd(fmul(K('P11'), a[1]), fmul(K('P13'), a[3])), fmul(K('P15'), a[5])), fmul(K('P17'), a[7]))),
  ].join('\n    ');
}

function idct4() {
  const cols = [0, 1, 2, 3, 5, 6, 7].map((u) => {
    const c = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => `c${k}`);
    return `
    ${[0, 1, 2, 3, 5, 6, 7].map((k) => set(`c${k}`, ld('b', 8 * k + u))).join(' ')}
    (if (i32.eqz ${or('c0', 'c1', 'c2', 'c3', 'c5', 'c6', 'c7')})
      (then ${[0, 8, 16, 24].map((k) => fst('fw', k + u, 0)).join(' ')})
      (else
    ${pass4(c.map((n) => cvt(n)))}
    ${fst('fw', u, fadd(fadd('t', 's'), 'q0'))} ${fst('fw', 8 + u, fadd(fsub('t', 's'), 'q1'))}
    ${fst('fw', 16 + u, fsub(fsub('t', 's'), 'q1'))} ${fst('fw', 24 + u, fsub(fadd('t', 's'), 'q0'))}))`;
  }).join('');
  const rows = [0, 8, 16, 24].map((b) => {
    const w = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => fld('fw', b + k));
    return `
    ${fset('t', fadd(fmul(K('K0'), w[0]), 128.5))} ${fset('s', fadd(fmul(K('K2'), w[2]), fmul(K('K6'), w[6])))}
    ${fset('q0', fadd(fadd(fadd(fmul(K('P01'), w[1]), fmul(K('P03'), w[3])), fmul(K('P05'), w[5])), fmul(K('P07'), w[7])))}
    ${fset('q1', fadd(fadd(fadd(fmul(K('P11'), w[1]), fmul(K('P13'), w[3])), fmul(K('P15'), w[5])), fmul(K('P17'), w[7])))}
    ${pxTo('o', 0, fadd(fadd('t', 's'), 'q0'))} ${pxTo('o', 1, fadd(fsub('t', 's'), 'q1'))}
    ${pxTo('o', 2, fsub(fsub('t', 's'), 'q1'))} ${pxTo('o', 3, fsub(fadd('t', 's'), 'q0'))}
    ${set('o', add('o', 'stride'))}`;
  }).join('');
  // Sparse path: per coefficient, its four weights and parity class from S4.
  const outs = [0, 1, 2, 3].map((j) => {
    const xo = j & 1;
    const top = j < 2 ? 'o' : 'o1', bot = j < 2 ? 'o3' : 'o2';
    return `
    ${fset('ee', fadd(fld('acc', j), 'dc'))} ${fset('eo', fld('acc', 4 + j))} ${fset('oe', fld('acc', 8 + j))} ${fset('oo', fld('acc', 12 + j))}
    ${fset('s', fadd('ee', 'oe'))} ${fset('d', fsub('ee', 'oe'))} ${fset('t', fadd('eo', 'oo'))} ${fset('q', fsub('eo', 'oo'))}
    ${pxTo(top, xo, fadd('s', 't'))} ${pxTo(top, 3 - xo, fsub('s', 't'))}
    ${pxTo(bot, xo, fadd('d', 'q'))} ${pxTo(bot, 3 - xo, fsub('d', 'q'))}`;
  }).join('');
  return `
  ;; idct4 is idct.ts idct4 (scale 1/2): the sparse path for at most 3 AC terms, else idctBox4.
  (func $idct4 (param $o i32) (param $stride i32) (param $n i32)
    (local $b i32) (local $fw i32) (local $acc i32) (local $i i32) (local $p i32) (local $w i32) (local $a i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32)
    ${locals('i32', ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'])}
    ${locals('f64', ['t', 's', 'q0', 'q1', 'f', 'v', 'dc', 'ee', 'eo', 'oe', 'oo', 'd', 'q'])}
    ${set('b', '(global.get $blk)')} ${set('fw', '(global.get $fws)')} ${set('acc', '(global.get $acc)')}
    (if (i32.gt_s (local.get $n) (i32.const 3))
      (then (call $box4 (local.get $o) (local.get $stride)) (return)))
    (v128.store (local.get $acc) (v128.const i64x2 0 0)) (v128.store offset=16 (local.get $acc) (v128.const i64x2 0 0))
    (v128.store offset=32 (local.get $acc) (v128.const i64x2 0 0)) (v128.store offset=48 (local.get $acc) (v128.const i64x2 0 0))
    (v128.store offset=64 (local.get $acc) (v128.const i64x2 0 0)) (v128.store offset=80 (local.get $acc) (v128.const i64x2 0 0))
    (v128.store offset=96 (local.get $acc) (v128.const i64x2 0 0)) (v128.store offset=112 (local.get $acc) (v128.const i64x2 0 0))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $n)))
      ${set('p', `(i32.load (i32.add (global.get $nzp) (i32.shl (local.get $i) (i32.const 3))))`)}
      ${fset('v', cvt(`(i32.load (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))))`))}
      ${set('w', add('(global.get $kc)', mul('p', 40), 8 * S4_AT))}
      ${set('a', add('acc', shl(`(i32.trunc_f64_s ${fld('w', 4)})`, 3)))}
      ${[0, 1, 2, 3].map((j) => fst('a', j, fadd(fld('a', j), fmul('v', fld('w', j))))).join(' ')}
      ${set('i', add('i', 1))} (br $l)))
    ${fset('dc', fadd(fmul(cvt(ld('b', 0)), `(f64.load offset=${8 * S4_AT} (global.get $kc))`), 128.5))}
    ${set('o1', add('o', 'stride'))} ${set('o3', add('o', mul('stride', 3)))} ${set('o2', sub('o3', 'stride'))}
    ${outs})
`;
}


/**
 * box4 is idct.ts idctBox4 two lanes at a time: columns in pairs, then rows in pairs (the column
 * pass leaves its output transposed for that). Every lane does the very double operations of
 * idctBox4 in its order; where idctBox4 skips an all-zero column this computes it, which can only
 * change the sign of a zero and so no sample. px is trunc_sat then a clamp to 0..255.
 */
function box4() {
  const V = (op) => (...a) => a.reduce((l, r) => `(f64x2.${op} ${l.startsWith('(') ? l : `(local.get $${l})`} ${r.startsWith('(') ? r : `(local.get $${r})`})`);
  const vadd = V('add'), vsub = V('sub'), vmul = V('mul');
  const vset = (n, e) => `(local.set $${n} ${e})`;
  const names = ['K0', 'K2', 'K6', 'P01', 'P03', 'P05', 'P07', 'P11', 'P13', 'P15', 'P17'];
  const splats = names.map((n) => vset(`k${n}`, `(f64x2.splat ${K(n)})`)).join(' ');
  const pass = (c) => [
    vset('t', vmul('kK0', c[0])), vset('s', vadd(vmul('kK2', c[2]), vmul('kK6', c[6]))),
    vset('q0', vadd(vadd(vadd(vmul('kP01', c[1]), vmul('kP03', c[3])), vmul('kP05', c[5])), vmul('kP07', c[7]))),
    vset('q1', vadd(vadd(vadd(vmul('kP11', c[1]), vmul('kP13', c[3])), vmul('kP15', c[5])), vmul('kP17', c[7]))),
  ].join('\n    ');
  const outs = [vadd(vadd('t', 's'), 'q0'), vadd(vsub('t', 's'), 'q1'), vsub(vsub('t', 's'), 'q1'), vsub(vadd('t', 's'), 'q0')];
  const cols = [0, 2, 4, 6].map((p) => {
    const c = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => `(f64x2.convert_low_i32x4_s (v128.load64_zero offset=${4 * (8 * k + p)} (local.get $b)))`);
    return `
    ${pass(c)}
    ${outs.map((e, r) => `${vset('x', e)} (f64.store offset=${8 * (4 * p + r)} (local.get $fw) (f64x2.extract_lane 0 (local.get $x))) (f64.store offset=${8 * (4 * (p + 1) + r)} (local.get $fw) (f64x2.extract_lane 1 (local.get $x)))`).join('\n    ')}`;
  }).join('');
  const px = (e) => `(i32x4.min_s (i32x4.max_s (i32x4.trunc_sat_f64x2_s_zero ${e}) (v128.const i32x4 0 0 0 0)) (v128.const i32x4 255 255 255 255))`;
  const rows = [0, 2].map((r0) => {
    const w = [0, 1, 2, 3, 4, 5, 6, 7].map((u) => `(v128.load offset=${8 * (4 * u + r0)} (local.get $fw))`);
    return `
    ${pass(w)}
    ${vset('t', vadd('t', '(f64x2.splat (f64.const 128.5))'))}
    ${vset('x', `(v128.or (v128.or ${px(outs[0])} (i32x4.shl ${px(outs[1])} (i32.const 8)))
      (v128.or (i32x4.shl ${px(outs[2])} (i32.const 16)) (i32x4.shl ${px(outs[3])} (i32.const 24))))`)}
    (i32.store (local.get $o) (i32x4.extract_lane 0 (local.get $x)))
    (i32.store (i32.add (local.get $o) (local.get $stride)) (i32x4.extract_lane 1 (local.get $x)))
    (local.set $o (i32.add (local.get $o) (i32.shl (local.get $stride) (i32.const 1))))`;
  }).join('');
  return `
  ;; box4 is idctBox4 of idct.ts in two f64 lanes.
  (func $box4 (param $o i32) (param $stride i32)
    (local $b i32) (local $fw i32)
    ${['t', 's', 'q0', 'q1', 'x', ...names.map((n) => `k${n}`)].map((n) => `(local $${n} v128)`).join(' ')}
    (local.set $b (global.get $blk)) (local.set $fw (global.get $fws))
    ${splats}
    ${cols}
    ${rows})
`;
}

function idct2() {
  const colsOf = (u) => {
    const e = fmul(K('Q0'), cvt(ld('b', u)));
    const o = fadd(fadd(fadd(fmul(K('Q1'), cvt(ld('b', 8 + u))), fmul(K('Q3'), cvt(ld('b', 24 + u)))), fmul(K('Q5'), cvt(ld('b', 40 + u)))), fmul(K('Q7'), cvt(ld('b', 56 + u))));
    return `${fset('e', e)} ${fset('q', o)} ${fset(`t${u}`, fadd('e', 'q'))} ${fset(`b${u}`, fsub('e', 'q'))}`;
  };
  const rowOf = (p, at) => `
      ${fset('e', fadd(fmul(K('Q0'), `${p}0`), 128.5))}
      ${fset('q', fadd(fadd(fadd(fmul(K('Q1'), `${p}1`), fmul(K('Q3'), `${p}3`)), fmul(K('Q5'), `${p}5`)), fmul(K('Q7'), `${p}7`)))}
      ${pxTo(at, 0, fadd('e', 'q'))} ${pxTo(at, 1, fsub('e', 'q'))}`;
  return `
  ;; idct2 is idct.ts idct2 (scale 1/4): the sparse path for at most 6 AC terms, else idctBox2.
  (func $idct2 (param $o i32) (param $stride i32) (param $n i32)
    (local $b i32) (local $i i32) (local $p i32) (local $w i32) (local $o1 i32)
    ${locals('f64', ['e', 'q', 'f', 'v', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't3', 't5', 't7', 'b0', 'b1', 'b3', 'b5', 'b7'])}
    ${set('b', '(global.get $blk)')} ${set('o1', add('o', 'stride'))}
    (if (i32.gt_s (local.get $n) (i32.const 6))
      (then
      ${[0, 1, 3, 5, 7].map(colsOf).join('\n      ')}
      ${rowOf('t', 'o')}
      ${rowOf('b', 'o1')}
      (return)))
    ${fset('a0', fadd(fmul(cvt(ld('b', 0)), `(f64.load offset=${8 * W2_AT} (global.get $kc))`), 128.5))}
    ${fset('a1', 'a0')} ${fset('a2', 'a0')} ${fset('a3', 'a0')}
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $n)))
      ${set('p', `(i32.load (i32.add (global.get $nzp) (i32.shl (local.get $i) (i32.const 3))))`)}
      ${fset('v', cvt(`(i32.load (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 2))))`))}
      ${set('w', add('(global.get $kc)', shl('p', 5), 8 * W2_AT))}
      ${[0, 1, 2, 3].map((j) => fset(`a${j}`, fadd(`a${j}`, fmul('v', fld('w', j))))).join(' ')}
      ${set('i', add('i', 1))} (br $l)))
    ${pxTo('o', 0, 'a0')} ${pxTo('o', 1, 'a1')} ${pxTo('o1', 0, 'a2')} ${pxTo('o1', 1, 'a3')})
`;
}

const text = readFileSync(file, 'utf8');
const begin = text.indexOf(';; BEGIN generated idct');
const end = text.indexOf(';; END generated idct');
if (begin < 0 || end < 0) throw new Error('huffman.wat lacks the generated-idct markers');
const section = `;; BEGIN generated idct (by .ci/gen-idct-wat.mjs from the expressions there: do not edit by hand)${idct8()}${idct4()}${box4()}${idct2()}  `;
writeFileSync(file, text.slice(0, begin) + section + text.slice(end));
console.log('wrote the idct section of lib/codecs/jpegfast/huffman.wat');
