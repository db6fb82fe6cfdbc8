;; The JPEG encoder's per-block work in WebAssembly: forward DCT (128-bit SIMD, two lines at a
;; time), quantisation, zig-zag, the Huffman symbol counts and the byte-stuffed bit writer.
;; Source for lib/codecs/jpegfast/encode-bytes.ts (regenerate with `npm run build:wasm`).
;; The arithmetic is exactly that of encoder.ts's JavaScript twin: the same float64 operations in
;; the same order (wasm has no fused multiply-add), so the output is byte-identical.
;; Memory below 256 is this module's state: the DC predictors of components 0..2 at 0, 4, 8;
;; the row pass's 64 doubles at 64..575 would not fit, so the caller passes scratch space.
(module
  (memory (export "memory") 1)
  (global $acc (mut i64) (i64.const 0))
  (global $cnt (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))

  ;; block: DCT, quantise and zig-zag the 8x8 u16 block at $src (rows $stride bytes apart) into
  ;; 64 i16 at $out; $div: 64 f64 divisors in natural order; $zz: 64 i32 byte offsets (2 * natural
  ;; index) in zig-zag order; $t: 512 bytes of scratch, $q: 128. The row pass takes two rows per
  ;; lane pair, the column pass two columns; the DCT is written out in each (no calls: V8 does
  ;; not inline WebAssembly calls here, and they cost more than the arithmetic).
  (func $block (param $src i32) (param $stride i32) (param $div i32) (param $zz i32) (param $t i32) (param $q i32) (param $out i32)
    (local $k i32) (local $p i32) (local $a v128) (local $b v128) (local $lo v128) (local $hi v128) (local $e v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $d4 v128) (local $d5 v128) (local $d6 v128) (local $d7 v128)
    (local $o0 v128) (local $o1 v128) (local $o2 v128) (local $o3 v128) (local $o4 v128) (local $o5 v128) (local $o6 v128) (local $o7 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $t4 v128) (local $t5 v128) (local $t6 v128) (local $t7 v128)
    (local $t10 v128) (local $t11 v128) (local $t12 v128) (local $t13 v128)
    (local $z1 v128) (local $z2 v128) (local $z3 v128) (local $z4 v128) (local $z5 v128) (local $z11 v128) (local $z13 v128)
    ;; Rows r, r+1 (r = 0, 2, 4, 6): lane 0 holds row r, lane 1 row r+1.
    (local.set $p (local.get $t))
    (loop $rows
      (local.set $a (v128.load (local.get $src)))
      (local.set $b (v128.load (i32.add (local.get $src) (local.get $stride))))
      (local.set $lo (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $a) (local.get $b)))
      (local.set $hi (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $a) (local.get $b)))
      (local.set $e (i32x4.extend_low_i16x8_u (local.get $lo)))
      (local.set $d0 (f64x2.sub (f64x2.mul (f64x2.convert_low_i32x4_u (local.get $e)) (v128.const f64x2 0.0625 0.0625)) (v128.const f64x2 128 128)))
      (local.set $d1 (f64x2.sub (f64x2.mul (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $e) (local.get $e))) (v128.const f64x2 0.0625 0.0625)) (v128.const f64x2 128 128)))
      (local.set $e (i32x4.extend_high_i16x8_u (local.get $lo)))
      (local.set $d2 (f64x2.sub (f64x2.mul (f64x2.convert_low_i32x4_u (local.get $e)) (v128.const f64x2 0.0625 0.0625)) (v128.const f64x2 128 128)))
      (local.set $d3 (f64x2.sub (f64x2.mul (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $e) (local.get $e))) (v128.const f64x2 0.0625 0.0625)) (v128.const f64x2 128 128)))
      (local.set $e (i32x4.extend_low_i16x8_u (local.get $hi)))
      (local.set $d4 (f64x2.sub (f64x2.mul (f64x2.convert_low_i32x4_u (local.get $e)) (v128.const f64x2 0.0625 0.0625)) (v128.const f64x2 128 128)))
      (local.set $d5 (f64x2.sub (f64x2.mul (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $e) (local.get $e))) (v128.const f64x2 0.0625 0.0625)) (v128.const f64x2 128 128)))
      (local.set $e (i32x4.extend_high_i16x8_u (local.get $hi)))
      (local.set $d6 (f64x2.sub (f64x2.mul (f64x2.convert_low_i32x4_u (local.get $e)) (v128.const f64x2 0.0625 0.0625)) (v128.const f64x2 128 128)))
      (local.set $d7 (f64x2.sub (f64x2.mul (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $e) (local.get $e))) (v128.const f64x2 0.0625 0.0625)) (v128.const f64x2 128 128)))
      (local.set $t0 (f64x2.add (local.get $d0) (local.get $d7)))
      (local.set $t7 (f64x2.sub (local.get $d0) (local.get $d7)))
      (local.set $t1 (f64x2.add (local.get $d1) (local.get $d6)))
      (local.set $t6 (f64x2.sub (local.get $d1) (local.get $d6)))
      (local.set $t2 (f64x2.add (local.get $d2) (local.get $d5)))
      (local.set $t5 (f64x2.sub (local.get $d2) (local.get $d5)))
      (local.set $t3 (f64x2.add (local.get $d3) (local.get $d4)))
      (local.set $t4 (f64x2.sub (local.get $d3) (local.get $d4)))
      (local.set $t10 (f64x2.add (local.get $t0) (local.get $t3)))
      (local.set $t13 (f64x2.sub (local.get $t0) (local.get $t3)))
      (local.set $t11 (f64x2.add (local.get $t1) (local.get $t2)))
      (local.set $t12 (f64x2.sub (local.get $t1) (local.get $t2)))
      (local.set $o0 (f64x2.add (local.get $t10) (local.get $t11)))
      (local.set $o4 (f64x2.sub (local.get $t10) (local.get $t11)))
      (local.set $z1 (f64x2.mul (f64x2.add (local.get $t12) (local.get $t13)) (v128.const f64x2 0.707106781 0.707106781)))
      (local.set $o2 (f64x2.add (local.get $t13) (local.get $z1)))
      (local.set $o6 (f64x2.sub (local.get $t13) (local.get $z1)))
      (local.set $t10 (f64x2.add (local.get $t4) (local.get $t5)))
      (local.set $t11 (f64x2.add (local.get $t5) (local.get $t6)))
      (local.set $t12 (f64x2.add (local.get $t6) (local.get $t7)))
      (local.set $z5 (f64x2.mul (f64x2.sub (local.get $t10) (local.get $t12)) (v128.const f64x2 0.382683433 0.382683433)))
      (local.set $z2 (f64x2.add (f64x2.mul (local.get $t10) (v128.const f64x2 0.5411961 0.5411961)) (local.get $z5)))
      (local.set $z4 (f64x2.add (f64x2.mul (local.get $t12) (v128.const f64x2 1.306562965 1.306562965)) (local.get $z5)))
      (local.set $z3 (f64x2.mul (local.get $t11) (v128.const f64x2 0.707106781 0.707106781)))
      (local.set $z11 (f64x2.add (local.get $t7) (local.get $z3)))
      (local.set $z13 (f64x2.sub (local.get $t7) (local.get $z3)))
      (local.set $o5 (f64x2.add (local.get $z13) (local.get $z2)))
      (local.set $o3 (f64x2.sub (local.get $z13) (local.get $z2)))
      (local.set $o1 (f64x2.add (local.get $z11) (local.get $z4)))
      (local.set $o7 (f64x2.sub (local.get $z11) (local.get $z4)))
      ;; 2x2 transposes put lane 0 in row r and lane 1 in row r+1.
      (v128.store offset=0 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $o0) (local.get $o1)))
      (v128.store offset=64 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $o0) (local.get $o1)))
      (v128.store offset=16 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $o2) (local.get $o3)))
      (v128.store offset=80 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $o2) (local.get $o3)))
      (v128.store offset=32 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $o4) (local.get $o5)))
      (v128.store offset=96 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $o4) (local.get $o5)))
      (v128.store offset=48 (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $o6) (local.get $o7)))
      (v128.store offset=112 (local.get $p) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $o6) (local.get $o7)))
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $stride) (i32.const 1))))
      (br_if $rows (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 128))) (i32.add (local.get $t) (i32.const 512)))))
    ;; Columns c, c+1 (c = 0, 2, 4, 6), quantised as ((x * div + 16384.5) | 0) - 16384, clamped
    ;; to -1023..1023, into natural-order i16 at $q.
    (local.set $k (i32.const 0))
    (loop $cols
      (local.set $p (i32.add (local.get $t) (local.get $k)))
      (local.set $d0 (v128.load offset=0 (local.get $p)))
      (local.set $d1 (v128.load offset=64 (local.get $p)))
      (local.set $d2 (v128.load offset=128 (local.get $p)))
      (local.set $d3 (v128.load offset=192 (local.get $p)))
      (local.set $d4 (v128.load offset=256 (local.get $p)))
      (local.set $d5 (v128.load offset=320 (local.get $p)))
      (local.set $d6 (v128.load offset=384 (local.get $p)))
      (local.set $d7 (v128.load offset=448 (local.get $p)))
      (local.set $t0 (f64x2.add (local.get $d0) (local.get $d7)))
      (local.set $t7 (f64x2.sub (local.get $d0) (local.get $d7)))
      (local.set $t1 (f64x2.add (local.get $d1) (local.get $d6)))
      (local.set $t6 (f64x2.sub (local.get $d1) (local.get $d6)))
      (local.set $t2 (f64x2.add (local.get $d2) (local.get $d5)))
      (local.set $t5 (f64x2.sub (local.get $d2) (local.get $d5)))
      (local.set $t3 (f64x2.add (local.get $d3) (local.get $d4)))
      (local.set $t4 (f64x2.sub (local.get $d3) (local.get $d4)))
      (local.set $t10 (f64x2.add (local.get $t0) (local.get $t3)))
      (local.set $t13 (f64x2.sub (local.get $t0) (local.get $t3)))
      (local.set $t11 (f64x2.add (local.get $t1) (local.get $t2)))
      (local.set $t12 (f64x2.sub (local.get $t1) (local.get $t2)))
      (local.set $o0 (f64x2.add (local.get $t10) (local.get $t11)))
      (local.set $o4 (f64x2.sub (local.get $t10) (local.get $t11)))
      (local.set $z1 (f64x2.mul (f64x2.add (local.get $t12) (local.get $t13)) (v128.const f64x2 0.707106781 0.707106781)))
      (local.set $o2 (f64x2.add (local.get $t13) (local.get $z1)))
      (local.set $o6 (f64x2.sub (local.get $t13) (local.get $z1)))
      (local.set $t10 (f64x2.add (local.get $t4) (local.get $t5)))
      (local.set $t11 (f64x2.add (local.get $t5) (local.get $t6)))
      (local.set $t12 (f64x2.add (local.get $t6) (local.get $t7)))
      (local.set $z5 (f64x2.mul (f64x2.sub (local.get $t10) (local.get $t12)) (v128.const f64x2 0.382683433 0.382683433)))
      (local.set $z2 (f64x2.add (f64x2.mul (local.get $t10) (v128.const f64x2 0.5411961 0.5411961)) (local.get $z5)))
      (local.set $z4 (f64x2.add (f64x2.mul (local.get $t12) (v128.const f64x2 1.306562965 1.306562965)) (local.get $z5)))
      (local.set $z3 (f64x2.mul (local.get $t11) (v128.const f64x2 0.707106781 0.707106781)))
      (local.set $z11 (f64x2.add (local.get $t7) (local.get $z3)))
      (local.set $z13 (f64x2.sub (local.get $t7) (local.get $z3)))
      (local.set $o5 (f64x2.add (local.get $z13) (local.get $z2)))
      (local.set $o3 (f64x2.sub (local.get $z13) (local.get $z2)))
      (local.set $o1 (f64x2.add (local.get $z11) (local.get $z4)))
      (local.set $o7 (f64x2.sub (local.get $z11) (local.get $z4)))
      (local.set $p (i32.add (local.get $div) (local.get $k)))
      (local.set $a (i32x4.max_s (i32x4.min_s (i32x4.sub
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $o0) (v128.load offset=0 (local.get $p))) (v128.const f64x2 16384.5 16384.5)))
          (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $o1) (v128.load offset=64 (local.get $p))) (v128.const f64x2 16384.5 16384.5))))
        (v128.const i32x4 16384 16384 16384 16384)) (v128.const i32x4 1023 1023 1023 1023)) (v128.const i32x4 -1023 -1023 -1023 -1023)))
      (local.set $a (i16x8.narrow_i32x4_s (local.get $a) (local.get $a)))
      (v128.store32_lane offset=0 0 (i32.add (local.get $q) (i32.shr_u (local.get $k) (i32.const 2))) (local.get $a))
      (v128.store32_lane offset=16 1 (i32.add (local.get $q) (i32.shr_u (local.get $k) (i32.const 2))) (local.get $a))
      (local.set $a (i32x4.max_s (i32x4.min_s (i32x4.sub
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $o2) (v128.load offset=128 (local.get $p))) (v128.const f64x2 16384.5 16384.5)))
          (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $o3) (v128.load offset=192 (local.get $p))) (v128.const f64x2 16384.5 16384.5))))
        (v128.const i32x4 16384 16384 16384 16384)) (v128.const i32x4 1023 1023 1023 1023)) (v128.const i32x4 -1023 -1023 -1023 -1023)))
      (local.set $a (i16x8.narrow_i32x4_s (local.get $a) (local.get $a)))
      (v128.store32_lane offset=32 0 (i32.add (local.get $q) (i32.shr_u (local.get $k) (i32.const 2))) (local.get $a))
      (v128.store32_lane offset=48 1 (i32.add (local.get $q) (i32.shr_u (local.get $k) (i32.const 2))) (local.get $a))
      (local.set $a (i32x4.max_s (i32x4.min_s (i32x4.sub
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $o4) (v128.load offset=256 (local.get $p))) (v128.const f64x2 16384.5 16384.5)))
          (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $o5) (v128.load offset=320 (local.get $p))) (v128.const f64x2 16384.5 16384.5))))
        (v128.const i32x4 16384 16384 16384 16384)) (v128.const i32x4 1023 1023 1023 1023)) (v128.const i32x4 -1023 -1023 -1023 -1023)))
      (local.set $a (i16x8.narrow_i32x4_s (local.get $a) (local.get $a)))
      (v128.store32_lane offset=64 0 (i32.add (local.get $q) (i32.shr_u (local.get $k) (i32.const 2))) (local.get $a))
      (v128.store32_lane offset=80 1 (i32.add (local.get $q) (i32.shr_u (local.get $k) (i32.const 2))) (local.get $a))
      (local.set $a (i32x4.max_s (i32x4.min_s (i32x4.sub
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $o6) (v128.load offset=384 (local.get $p))) (v128.const f64x2 16384.5 16384.5)))
          (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $o7) (v128.load offset=448 (local.get $p))) (v128.const f64x2 16384.5 16384.5))))
        (v128.const i32x4 16384 16384 16384 16384)) (v128.const i32x4 1023 1023 1023 1023)) (v128.const i32x4 -1023 -1023 -1023 -1023)))
      (local.set $a (i16x8.narrow_i32x4_s (local.get $a) (local.get $a)))
      (v128.store32_lane offset=96 0 (i32.add (local.get $q) (i32.shr_u (local.get $k) (i32.const 2))) (local.get $a))
      (v128.store32_lane offset=112 1 (i32.add (local.get $q) (i32.shr_u (local.get $k) (i32.const 2))) (local.get $a))
      (br_if $cols (i32.ne (local.tee $k (i32.add (local.get $k) (i32.const 16))) (i32.const 64))))
    (local.set $k (i32.const 0))
    (loop $zig
      (i32.store16 (i32.add (local.get $out) (local.get $k))
        (i32.load16_u (i32.add (local.get $q) (i32.load (i32.add (local.get $zz) (i32.shl (local.get $k) (i32.const 1)))))))
      (br_if $zig (i32.ne (local.tee $k (i32.add (local.get $k) (i32.const 2))) (i32.const 128)))))

  ;; planes: block for every block of a 4:2:0 image whose planes are padded to whole MCUs
  ;; (luma $ys bytes a row, chroma $cs), MCU by MCU (four luma blocks, Cb, Cr), into $coefs.
  (func (export "planes")
    (param $y i32) (param $ys i32) (param $cb i32) (param $cr i32) (param $cs i32)
    (param $mx i32) (param $my i32) (param $divY i32) (param $divC i32) (param $zz i32)
    (param $t i32) (param $q i32) (param $coefs i32)
    (local $bx i32) (local $by i32) (local $yp i32) (local $cp i32) (local $y8 i32)
    (local.set $y8 (i32.shl (local.get $ys) (i32.const 3)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $by) (local.get $my)))
        (local.set $bx (i32.const 0))
        (loop $cols
          (local.set $yp (i32.add (local.get $y)
            (i32.add (i32.mul (local.get $by) (i32.shl (local.get $y8) (i32.const 1))) (i32.shl (local.get $bx) (i32.const 5)))))
          (local.set $cp (i32.add (i32.mul (local.get $by) (i32.shl (local.get $cs) (i32.const 3))) (i32.shl (local.get $bx) (i32.const 4))))
          (call $block (local.get $yp) (local.get $ys) (local.get $divY) (local.get $zz) (local.get $t) (local.get $q) (local.get $coefs))
          (call $block (i32.add (local.get $yp) (i32.const 16)) (local.get $ys) (local.get $divY) (local.get $zz) (local.get $t) (local.get $q)
            (i32.add (local.get $coefs) (i32.const 128)))
          (call $block (i32.add (local.get $yp) (local.get $y8)) (local.get $ys) (local.get $divY) (local.get $zz) (local.get $t) (local.get $q)
            (i32.add (local.get $coefs) (i32.const 256)))
          (call $block (i32.add (i32.add (local.get $yp) (local.get $y8)) (i32.const 16)) (local.get $ys) (local.get $divY) (local.get $zz)
            (local.get $t) (local.get $q) (i32.add (local.get $coefs) (i32.const 384)))
          (call $block (i32.add (local.get $cb) (local.get $cp)) (local.get $cs) (local.get $divC) (local.get $zz) (local.get $t) (local.get $q)
            (i32.add (local.get $coefs) (i32.const 512)))
          (call $block (i32.add (local.get $cr) (local.get $cp)) (local.get $cs) (local.get $divC) (local.get $zz) (local.get $t) (local.get $q)
            (i32.add (local.get $coefs) (i32.const 640)))
          (local.set $coefs (i32.add (local.get $coefs) (i32.const 768)))
          (br_if $cols (i32.lt_u (local.tee $bx (i32.add (local.get $bx) (i32.const 1))) (local.get $mx))))
        (local.set $by (i32.add (local.get $by) (i32.const 1)))
        (br $rows))))

  ;; masks: for each of $n blocks of 64 zig-zag i16 at $coefs, a 64-bit mask of its non-zero
  ;; coefficients (bit k for coefficient k) at $masks.
  (func (export "masks") (param $coefs i32) (param $n i32) (param $masks i32)
    (local $m i64) (local $j i32)
    (block $done
      (loop $blocks
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $m (i64.const 0))
        (local.set $j (i32.const 0))
        (loop $parts
          (local.set $m (i64.or (local.get $m)
            (i64.shl
              (i64.extend_i32_u (i16x8.bitmask (v128.not (i16x8.eq (v128.load (i32.add (local.get $coefs) (i32.shl (local.get $j) (i32.const 1))))
                (v128.const i32x4 0 0 0 0)))))
              (i64.extend_i32_u (local.get $j)))))
          (br_if $parts (i32.ne (local.tee $j (i32.add (local.get $j) (i32.const 8))) (i32.const 64))))
        (i64.store (local.get $masks) (local.get $m))
        (local.set $coefs (i32.add (local.get $coefs) (i32.const 128)))
        (local.set $masks (i32.add (local.get $masks) (i32.const 8)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $blocks))))

  (func $nbits (param $v i32) (result i32)
    (i32.sub (i32.const 32) (i32.clz (select (i32.sub (i32.const 0) (local.get $v)) (local.get $v) (i32.lt_s (local.get $v) (i32.const 0))))))

  ;; dcdiff: block $b's DC difference from its component's predictor, which it then becomes.
  (func $dcdiff (param $coefs i32) (param $comp i32) (param $b i32) (result i32)
    (local $dc i32) (local $c i32)
    (local.set $c (i32.shl (i32.load8_u (i32.add (local.get $comp) (local.get $b))) (i32.const 2)))
    (local.set $dc (i32.load16_s (local.get $coefs)))
    (i32.sub (local.get $dc) (i32.load (local.get $c)))
    (i32.store (local.get $c) (local.get $dc)))

  ;; begin resets the DC predictors and the bit writer, which then writes at $out.
  (func (export "begin") (param $out i32)
    (i64.store (i32.const 0) (i64.const 0))
    (i32.store (i32.const 8) (i32.const 0))
    (global.set $acc (i64.const 0))
    (global.set $cnt (i32.const 0))
    (global.set $out (local.get $out)))

  ;; count: the DC and AC symbol counts of blocks [$from, $to) into u32[256] tables at $freq
  ;; (DC luma, DC chroma, AC luma, AC chroma, 1024 bytes apart). $comp: per block of an MCU
  ;; (u8, $nb of them) 0 for luma, 1 or 2 for chroma.
  (func (export "count") (param $coefs i32) (param $masks i32) (param $comp i32) (param $nb i32)
    (param $from i32) (param $to i32) (param $freq i32)
    (local $b i32) (local $cls i32) (local $m i64) (local $k i32) (local $prev i32) (local $run i32) (local $ac i32) (local $p i32)
    (local $blk i32)
    (local.set $b (i32.rem_u (local.get $from) (local.get $nb)))
    (local.set $blk (i32.add (local.get $coefs) (i32.shl (local.get $from) (i32.const 7))))
    (local.set $masks (i32.add (local.get $masks) (i32.shl (local.get $from) (i32.const 3))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $cls (i32.ne (i32.load8_u (i32.add (local.get $comp) (local.get $b))) (i32.const 0)))
        (local.set $p (i32.add (local.get $freq) (i32.add (i32.shl (local.get $cls) (i32.const 10))
          (i32.shl (call $nbits (call $dcdiff (local.get $blk) (local.get $comp) (local.get $b))) (i32.const 2)))))
        (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1)))
        (local.set $ac (i32.add (local.get $freq) (i32.add (i32.const 2048) (i32.shl (local.get $cls) (i32.const 10)))))
        (local.set $m (i64.and (i64.load (local.get $masks)) (i64.const -2)))
        (local.set $prev (i32.const 0))
        (block $acdone
          (loop $acs
            (br_if $acdone (i64.eqz (local.get $m)))
            (local.set $k (i32.wrap_i64 (i64.ctz (local.get $m))))
            (local.set $run (i32.sub (i32.sub (local.get $k) (local.get $prev)) (i32.const 1)))
            (block $zrldone
              (loop $zrl
                (br_if $zrldone (i32.le_u (local.get $run) (i32.const 15)))
                (local.set $p (i32.add (local.get $ac) (i32.const 960)))
                (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1)))
                (local.set $run (i32.sub (local.get $run) (i32.const 16)))
                (br $zrl)))
            (local.set $p (i32.add (local.get $ac) (i32.shl (i32.or (i32.shl (local.get $run) (i32.const 4))
              (call $nbits (i32.load16_s (i32.add (local.get $blk) (i32.shl (local.get $k) (i32.const 1)))))) (i32.const 2))))
            (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1)))
            (local.set $prev (local.get $k))
            (local.set $m (i64.and (local.get $m) (i64.sub (local.get $m) (i64.const 1))))
            (br $acs)))
        (if (i32.lt_u (local.get $prev) (i32.const 63))
          (then (i32.store (local.get $ac) (i32.add (i32.load (local.get $ac)) (i32.const 1)))))
        (local.set $blk (i32.add (local.get $blk) (i32.const 128)))
        (local.set $masks (i32.add (local.get $masks) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (if (i32.eq (local.get $b) (local.get $nb)) (then (local.set $b (i32.const 0))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $blocks))))

  ;; byte writes one byte of the entropy-coded data, stuffing a zero after 0xFF.
  (func $byte (param $v i32)
    (local $o i32)
    (local.set $o (global.get $out))
    (i32.store8 (local.get $o) (local.get $v))
    (local.set $o (i32.add (local.get $o) (i32.const 1)))
    (if (i32.eq (i32.and (local.get $v) (i32.const 255)) (i32.const 255))
      (then
        (i32.store8 (local.get $o) (i32.const 0))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))))
    (global.set $out (local.get $o)))

  ;; put appends the low $n (<= 27) bits of $bits, writing 32 bits at a time.
  (func $put (param $bits i32) (param $n i32)
    (local $cnt i32) (local $w i32) (local $t i32) (local $o i32)
    (global.set $acc (i64.or (i64.shl (global.get $acc) (i64.extend_i32_u (local.get $n))) (i64.extend_i32_u (local.get $bits))))
    (local.set $cnt (i32.add (global.get $cnt) (local.get $n)))
    (if (i32.ge_u (local.get $cnt) (i32.const 32))
      (then
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const 32)))
        (local.set $w (i32.wrap_i64 (i64.shr_u (global.get $acc) (i64.extend_i32_u (local.get $cnt)))))
        (local.set $t (i32.xor (local.get $w) (i32.const -1)))
        (if (i32.and (i32.and (i32.sub (local.get $t) (i32.const 0x01010101)) (i32.xor (local.get $t) (i32.const -1))) (i32.const 0x80808080))
          (then
            ;; Some byte is 0xFF: write byte by byte with stuffing.
            (call $byte (i32.shr_u (local.get $w) (i32.const 24)))
            (call $byte (i32.shr_u (local.get $w) (i32.const 16)))
            (call $byte (i32.shr_u (local.get $w) (i32.const 8)))
            (call $byte (local.get $w)))
          (else
            (local.set $o (global.get $out))
            (i32.store (local.get $o) (i32.or
              (i32.or (i32.shr_u (local.get $w) (i32.const 24)) (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 0xff00)))
              (i32.or (i32.and (i32.shl (local.get $w) (i32.const 8)) (i32.const 0xff0000)) (i32.shl (local.get $w) (i32.const 24)))))
            (global.set $out (i32.add (local.get $o) (i32.const 4)))))))
    (global.set $cnt (local.get $cnt)))

  ;; code writes table entry $e (code in the low 16 bits, length above) followed by the $n
  ;; magnitude bits of $v.
  (func $code (param $e i32) (param $v i32) (param $n i32)
    (call $put
      (i32.or (i32.shl (i32.and (local.get $e) (i32.const 0xffff)) (local.get $n))
        (i32.and (i32.sub (local.get $v) (i32.shr_u (local.get $v) (i32.const 31)))
          (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1))))
      (i32.add (i32.shr_u (local.get $e) (i32.const 16)) (local.get $n))))

  ;; emit writes blocks [$from, $to) with the u32[256] code tables at $tabs (DC luma, DC chroma,
  ;; AC luma, AC chroma, 1024 bytes apart) and returns where the written data ends.
  (func (export "emit") (param $coefs i32) (param $masks i32) (param $comp i32) (param $nb i32)
    (param $from i32) (param $to i32) (param $tabs i32) (result i32)
    (local $b i32) (local $cls i32) (local $m i64) (local $k i32) (local $prev i32) (local $run i32) (local $ac i32)
    (local $blk i32) (local $v i32) (local $n i32) (local $e i32) (local $bits i32) (local $len i32) (local $cnt i32)
    (local.set $b (i32.rem_u (local.get $from) (local.get $nb)))
    (local.set $blk (i32.add (local.get $coefs) (i32.shl (local.get $from) (i32.const 7))))
    (local.set $masks (i32.add (local.get $masks) (i32.shl (local.get $from) (i32.const 3))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $cls (i32.ne (i32.load8_u (i32.add (local.get $comp) (local.get $b))) (i32.const 0)))
        (local.set $v (call $dcdiff (local.get $blk) (local.get $comp) (local.get $b)))
        (local.set $n (call $nbits (local.get $v)))
        (call $code (i32.load (i32.add (i32.add (local.get $tabs) (i32.shl (local.get $cls) (i32.const 10))) (i32.shl (local.get $n) (i32.const 2))))
          (local.get $v) (local.get $n))
        (local.set $ac (i32.add (local.get $tabs) (i32.add (i32.const 2048) (i32.shl (local.get $cls) (i32.const 10)))))
        (local.set $m (i64.and (i64.load (local.get $masks)) (i64.const -2)))
        (local.set $prev (i32.const 0))
        (block $acdone
          (loop $acs
            (br_if $acdone (i64.eqz (local.get $m)))
            (local.set $k (i32.wrap_i64 (i64.ctz (local.get $m))))
            (local.set $run (i32.sub (i32.sub (local.get $k) (local.get $prev)) (i32.const 1)))
            (block $zrldone
              (loop $zrl
                (br_if $zrldone (i32.le_u (local.get $run) (i32.const 15)))
                (call $code (i32.load offset=960 (local.get $ac)) (i32.const 0) (i32.const 0))
                (local.set $run (i32.sub (local.get $run) (i32.const 16)))
                (br $zrl)))
            (local.set $v (i32.load16_s (i32.add (local.get $blk) (i32.shl (local.get $k) (i32.const 1)))))
            ;; $nbits, $code and $put inlined for the commonest symbol; a word with a 0xFF byte still goes through $put.
            (local.set $n (i32.sub (i32.const 32) (i32.clz (select (i32.sub (i32.const 0) (local.get $v)) (local.get $v) (i32.lt_s (local.get $v) (i32.const 0))))))
            (local.set $e (i32.load (i32.add (local.get $ac) (i32.shl (i32.or (i32.shl (local.get $run) (i32.const 4)) (local.get $n)) (i32.const 2)))))
            (local.set $bits (i32.or (i32.shl (i32.and (local.get $e) (i32.const 0xffff)) (local.get $n))
              (i32.and (i32.sub (local.get $v) (i32.shr_u (local.get $v) (i32.const 31)))
                (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1)))))
            (local.set $len (i32.add (i32.shr_u (local.get $e) (i32.const 16)) (local.get $n)))
            (local.set $cnt (i32.add (global.get $cnt) (local.get $len)))
            (if (i32.lt_u (local.get $cnt) (i32.const 32))
              (then
                (global.set $acc (i64.or (i64.shl (global.get $acc) (i64.extend_i32_u (local.get $len))) (i64.extend_i32_u (local.get $bits))))
                (global.set $cnt (local.get $cnt)))
              (else (call $put (local.get $bits) (local.get $len))))
            (local.set $prev (local.get $k))
            (local.set $m (i64.and (local.get $m) (i64.sub (local.get $m) (i64.const 1))))
            (br $acs)))
        (if (i32.lt_u (local.get $prev) (i32.const 63))
          (then (call $code (i32.load (local.get $ac)) (i32.const 0) (i32.const 0))))
        (local.set $blk (i32.add (local.get $blk) (i32.const 128)))
        (local.set $masks (i32.add (local.get $masks) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (if (i32.eq (local.get $b) (local.get $nb)) (then (local.set $b (i32.const 0))))
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $blocks)))
    (global.get $out))

  ;; restart makes the next data land at $out again (the caller has copied what was written).
  (func (export "restart") (param $out i32)
    (global.set $out (local.get $out)))

  ;; finish writes the pending bits, padded with one bits to a whole byte, and returns where the
  ;; written data ends.
  (func (export "finish") (result i32)
    (local $cnt i32)
    (local.set $cnt (global.get $cnt))
    (block $done
      (loop $bytes
        (br_if $done (i32.lt_u (local.get $cnt) (i32.const 8)))
        (local.set $cnt (i32.sub (local.get $cnt) (i32.const 8)))
        (call $byte (i32.wrap_i64 (i64.shr_u (global.get $acc) (i64.extend_i32_u (local.get $cnt)))))
        (br $bytes)))
    (global.set $cnt (local.get $cnt))
    (if (local.get $cnt)
      (then
        (call $put (i32.sub (i32.shl (i32.const 1) (i32.sub (i32.const 8) (local.get $cnt))) (i32.const 1)) (i32.sub (i32.const 8) (local.get $cnt)))
        (call $byte (i32.wrap_i64 (global.get $acc)))
        (global.set $cnt (i32.const 0))))
    (global.get $out))
)
