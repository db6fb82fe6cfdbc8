;; Lanczos passes over RGBA bitmaps with 128-bit SIMD, bit for bit those of
;; lib/transform/resample.ts: horizontal/vertical are its opaque fast path (horizontalRows,
;; verticalRow), horizontalAlpha/verticalAlpha its passes for images with transparency.
;; Source for lib/transform/wasm/rgba-bytes.ts (regenerate with `npm run build:wasm`).
;;
;; The arithmetic is exactly the JavaScript's. Every channel sum starts from 0 and adds its taps
;; in tap order, one f64x2.mul then one f64x2.add per tap (WebAssembly has no fused multiply-add,
;; so each step rounds exactly as `acc + p * w` does). Opaque taps weigh samples by w255 = 255 *
;; weight and the sums are scaled by inv = 1 / aSum computed in JavaScript; alpha taps weigh
;; them by aw = A * weight, and the alpha sum a is both divided into (1 / a) and rounded as
;; alpha. Rounding is clamp8: trunc(x + 0.5) limited to 0..255.
;;
;; Each f64x2 lane is one channel of one pixel, and a vector's two lanes share their weight: two
;; rows at one column in the horizontal passes, two neighbouring pixels of a row in the vertical
;; ones. Samples are converted to f64 once per pass into blocks: four pixels as [R0,R1] [G0,G1]
;; [B0,B1] [R2,R3] [G2,G3] [B2,B3] (96 bytes), or with [A0,A1] after B0,B1 and [A2,A3] after
;; B2,B3 for the alpha passes (128 bytes), which the tap loops read with plain loads.
(module
  (memory (export "memory") 1)

  ;; blocks converts `count` groups of four RGBA pixels into blocks at $d: pixel j of group i
  ;; is at $p + i * groupStep + j * pixelStep. alpha selects 128-byte blocks with alpha.
  (func $blocks (param $p i32) (param $pixelStep i32) (param $groupStep i32) (param $count i32)
    (param $d i32) (param $alpha i32)
    (local $q i32) (local $end i32) (local $v v128)
    (local $r01 v128) (local $g01 v128) (local $b01 v128) (local $a01 v128)
    (local $r23 v128) (local $g23 v128) (local $b23 v128) (local $a23 v128)
    ;; Swizzle masks: i32 lanes 0 and 1 get one channel of two pixels, zero-extended. The
    ;; samples are 0..255, so the signed conversion (one instruction on x64) is exact.
    (local.set $r01 (v128.const i8x16 0 -128 -128 -128 4 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
    (local.set $g01 (v128.const i8x16 1 -128 -128 -128 5 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
    (local.set $b01 (v128.const i8x16 2 -128 -128 -128 6 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
    (local.set $a01 (v128.const i8x16 3 -128 -128 -128 7 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
    (local.set $r23 (v128.const i8x16 8 -128 -128 -128 12 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
    (local.set $g23 (v128.const i8x16 9 -128 -128 -128 13 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
    (local.set $b23 (v128.const i8x16 10 -128 -128 -128 14 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
    (local.set $a23 (v128.const i8x16 11 -128 -128 -128 15 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
    (local.set $end (i32.add (local.get $p) (i32.mul (local.get $count) (local.get $groupStep))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load32_zero (local.get $p)))
        (local.set $q (i32.add (local.get $p) (local.get $pixelStep)))
        (local.set $v (v128.load32_lane 1 (local.get $q) (local.get $v)))
        (local.set $q (i32.add (local.get $q) (local.get $pixelStep)))
        (local.set $v (v128.load32_lane 2 (local.get $q) (local.get $v)))
        (local.set $q (i32.add (local.get $q) (local.get $pixelStep)))
        (local.set $v (v128.load32_lane 3 (local.get $q) (local.get $v)))
        (if (local.get $alpha)
          (then
            (v128.store offset=0 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $r01))))
            (v128.store offset=16 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $g01))))
            (v128.store offset=32 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $b01))))
            (v128.store offset=48 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $a01))))
            (v128.store offset=64 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $r23))))
            (v128.store offset=80 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $g23))))
            (v128.store offset=96 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $b23))))
            (v128.store offset=112 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $a23))))
            (local.set $d (i32.add (local.get $d) (i32.const 128))))
          (else
            (v128.store offset=0 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $r01))))
            (v128.store offset=16 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $g01))))
            (v128.store offset=32 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $b01))))
            (v128.store offset=48 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $r23))))
            (v128.store offset=64 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $g23))))
            (v128.store offset=80 (local.get $d)
              (f64x2.convert_low_i32x4_s (i8x16.swizzle (local.get $v) (local.get $b23))))
            (local.set $d (i32.add (local.get $d) (i32.const 96)))))
        (local.set $p (i32.add (local.get $p) (local.get $groupStep)))
        (br $next))))

  ;; horizontal resamples `rows` rows (a multiple of 4) of opaque RGBA pixels `sw` wide at
  ;; $src to `n` pixels each at $out. Output x adds taps k = start[x] .. start[x+1]-1 of weight
  ;; wt[k] (f64, 255 * weight) at source column off[k] / 96, then scales by inv[x] (f64). $buf
  ;; holds sw blocks.
  (func (export "horizontal")
    (param $src i32) (param $sw i32) (param $rows i32) (param $n i32)
    (param $start i32) (param $off i32) (param $wt i32) (param $inv i32) (param $buf i32) (param $out i32)
    (local $y i32) (local $stride i32) (local $x i32) (local $o i32) (local $ostride i32)
    (local $ko i32) (local $koEnd i32) (local $kw i32) (local $q i32)
    (local $v v128) (local $wv v128) (local $half v128) (local $iv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128)
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $stride (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $ostride (i32.shl (local.get $n) (i32.const 2)))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $y) (local.get $rows)))
        ;; Column i of rows y..y+3 becomes block i of $buf.
        (call $blocks (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $stride)))
          (local.get $stride) (i32.const 4) (local.get $sw) (local.get $buf) (i32.const 0))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $ostride))))
        (local.set $x (i32.const 0))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_u (local.get $x) (local.get $n)))
            (local.set $a0 (v128.const i64x2 0 0))
            (local.set $a1 (v128.const i64x2 0 0))
            (local.set $a2 (v128.const i64x2 0 0))
            (local.set $a3 (v128.const i64x2 0 0))
            (local.set $a4 (v128.const i64x2 0 0))
            (local.set $a5 (v128.const i64x2 0 0))
            (local.set $q (i32.add (local.get $start) (i32.shl (local.get $x) (i32.const 2))))
            (local.set $ko (i32.load (local.get $q)))
            (local.set $koEnd (i32.add (local.get $off) (i32.shl (i32.load offset=4 (local.get $q)) (i32.const 2))))
            (local.set $kw (i32.add (local.get $wt) (i32.shl (local.get $ko) (i32.const 3))))
            (local.set $ko (i32.add (local.get $off) (i32.shl (local.get $ko) (i32.const 2))))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_u (local.get $ko) (local.get $koEnd)))
                (local.set $q (i32.add (local.get $buf) (i32.load (local.get $ko))))
                (local.set $wv (v128.load64_splat (local.get $kw)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $q)) (local.get $wv))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $q)) (local.get $wv))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $q)) (local.get $wv))))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 (local.get $q)) (local.get $wv))))
                (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (v128.load offset=64 (local.get $q)) (local.get $wv))))
                (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (v128.load offset=80 (local.get $q)) (local.get $wv))))
                (local.set $ko (i32.add (local.get $ko) (i32.const 4)))
                (local.set $kw (i32.add (local.get $kw) (i32.const 8)))
                (br $kloop)))
            (local.set $iv (v128.load64_splat (i32.add (local.get $inv) (i32.shl (local.get $x) (i32.const 3)))))
            ;; clamp8 of each sum: trunc_sat then the saturating narrows limit it to 0..255. The
            ;; bytes R0..R3 G0..G3 B0..B3 A0..A3 are then interleaved into four RGBA pixels.
            (local.set $v (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_s
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a0) (local.get $iv)) (local.get $half)))
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a3) (local.get $iv)) (local.get $half))))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a1) (local.get $iv)) (local.get $half)))
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a4) (local.get $iv)) (local.get $half)))))
              (i16x8.narrow_i32x4_s
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a2) (local.get $iv)) (local.get $half)))
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a5) (local.get $iv)) (local.get $half))))
                (v128.const i32x4 255 255 255 255))))
            (local.set $v (i8x16.shuffle 0 4 8 12 1 5 9 13 2 6 10 14 3 7 11 15 (local.get $v) (local.get $v)))
            ;; The block's pixels are column x of four rows.
            (v128.store32_lane 0 (local.get $o) (local.get $v))
            (local.set $q (i32.add (local.get $o) (local.get $ostride)))
            (v128.store32_lane 1 (local.get $q) (local.get $v))
            (local.set $q (i32.add (local.get $q) (local.get $ostride)))
            (v128.store32_lane 2 (local.get $q) (local.get $v))
            (local.set $q (i32.add (local.get $q) (local.get $ostride)))
            (v128.store32_lane 3 (local.get $q) (local.get $v))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $xloop)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $yloop))))

  ;; vertical resamples the columns of opaque RGBA rows `w` pixels wide at $src to `h` rows at
  ;; $out. Output row y adds taps k = start[y] .. start[y+1]-1 of weight wt[k] (f64, 255 *
  ;; weight) at source row index[k], whose blocks sit at $ring + off[k], then scales by inv[y]
  ;; (f64). Source rows are converted into the ring (ringRows rows of blocks, row r at slot
  ;; r % ringRows) as the taps first need them. Reads up to 12 bytes past the last source row
  ;; and writes up to 12 past the last output row.
  (func (export "vertical")
    (param $src i32) (param $w i32) (param $h i32)
    (param $start i32) (param $index i32) (param $off i32) (param $wt i32) (param $inv i32)
    (param $ring i32) (param $ringRows i32) (param $out i32)
    (local $y i32) (local $ready i32) (local $hi i32) (local $stride i32) (local $blocks i32) (local $rowBytes i32)
    (local $o i32) (local $oEnd i32) (local $q i32) (local $base i32)
    (local $k0 i32) (local $k1 i32) (local $ko i32) (local $koEnd i32) (local $kw i32)
    (local $v v128) (local $wv v128) (local $half v128) (local $iv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128)
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $stride (i32.shl (local.get $w) (i32.const 2)))
    (local.set $blocks (i32.shr_u (i32.add (local.get $w) (i32.const 3)) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $blocks) (i32.const 96)))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $q (i32.add (local.get $start) (i32.shl (local.get $y) (i32.const 2))))
        (local.set $k0 (i32.load (local.get $q)))
        (local.set $k1 (i32.load offset=4 (local.get $q)))
        (if (i32.gt_u (local.get $k1) (local.get $k0))
          (then
            (local.set $hi (i32.load (i32.add (local.get $index) (i32.shl (i32.sub (local.get $k1) (i32.const 1)) (i32.const 2)))))
            (block $rdone
              (loop $rloop
                (br_if $rdone (i32.gt_s (local.get $ready) (local.get $hi)))
                (call $blocks (i32.add (local.get $src) (i32.mul (local.get $ready) (local.get $stride)))
                  (i32.const 4) (i32.const 16) (local.get $blocks)
                  (i32.add (local.get $ring) (i32.mul (i32.rem_u (local.get $ready) (local.get $ringRows)) (local.get $rowBytes)))
                  (i32.const 0))
                (local.set $ready (i32.add (local.get $ready) (i32.const 1)))
                (br $rloop)))))
        (local.set $iv (v128.load64_splat (i32.add (local.get $inv) (i32.shl (local.get $y) (i32.const 3)))))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $stride))))
        (local.set $oEnd (i32.add (local.get $o) (local.get $stride)))
        (local.set $base (local.get $ring))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_u (local.get $o) (local.get $oEnd)))
            (local.set $a0 (v128.const i64x2 0 0))
            (local.set $a1 (v128.const i64x2 0 0))
            (local.set $a2 (v128.const i64x2 0 0))
            (local.set $a3 (v128.const i64x2 0 0))
            (local.set $a4 (v128.const i64x2 0 0))
            (local.set $a5 (v128.const i64x2 0 0))
            (local.set $ko (i32.add (local.get $off) (i32.shl (local.get $k0) (i32.const 2))))
            (local.set $koEnd (i32.add (local.get $off) (i32.shl (local.get $k1) (i32.const 2))))
            (local.set $kw (i32.add (local.get $wt) (i32.shl (local.get $k0) (i32.const 3))))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_u (local.get $ko) (local.get $koEnd)))
                (local.set $q (i32.add (local.get $base) (i32.load (local.get $ko))))
                (local.set $wv (v128.load64_splat (local.get $kw)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $q)) (local.get $wv))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $q)) (local.get $wv))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $q)) (local.get $wv))))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 (local.get $q)) (local.get $wv))))
                (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (v128.load offset=64 (local.get $q)) (local.get $wv))))
                (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (v128.load offset=80 (local.get $q)) (local.get $wv))))
                (local.set $ko (i32.add (local.get $ko) (i32.const 4)))
                (local.set $kw (i32.add (local.get $kw) (i32.const 8)))
                (br $kloop)))
            ;; clamp8 of each sum: trunc_sat then the saturating narrows limit it to 0..255. The
            ;; bytes R0..R3 G0..G3 B0..B3 A0..A3 are then interleaved into four RGBA pixels.
            (local.set $v (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_s
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a0) (local.get $iv)) (local.get $half)))
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a3) (local.get $iv)) (local.get $half))))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a1) (local.get $iv)) (local.get $half)))
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a4) (local.get $iv)) (local.get $half)))))
              (i16x8.narrow_i32x4_s
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a2) (local.get $iv)) (local.get $half)))
                  (i32x4.trunc_sat_f64x2_s_zero (f64x2.add (f64x2.mul (local.get $a5) (local.get $iv)) (local.get $half))))
                (v128.const i32x4 255 255 255 255))))
            (local.set $v (i8x16.shuffle 0 4 8 12 1 5 9 13 2 6 10 14 3 7 11 15 (local.get $v) (local.get $v)))
            (v128.store (local.get $o) (local.get $v))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $base (i32.add (local.get $base) (i32.const 96)))
            (br $xloop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yloop))))

  ;; horizontalAlpha is horizontal for any alpha: wt[k] is the plain weight, each tap weighs
  ;; colour by A * weight, and each output divides by its own alpha sum. Blocks are 128 bytes
  ;; (off[k] / 128 is the source column) and there is no inv.
  (func (export "horizontalAlpha")
    (param $src i32) (param $sw i32) (param $rows i32) (param $n i32)
    (param $start i32) (param $off i32) (param $wt i32) (param $buf i32) (param $out i32)
    (local $y i32) (local $stride i32) (local $x i32) (local $o i32) (local $ostride i32)
    (local $ko i32) (local $koEnd i32) (local $kw i32) (local $q i32)
    (local $v v128) (local $wv v128) (local $half v128) (local $aw01 v128) (local $aw23 v128) (local $m01 v128) (local $m23 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $stride (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $ostride (i32.shl (local.get $n) (i32.const 2)))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $y) (local.get $rows)))
        ;; Column i of rows y..y+3 becomes block i of $buf.
        (call $blocks (i32.add (local.get $src) (i32.mul (local.get $y) (local.get $stride)))
          (local.get $stride) (i32.const 4) (local.get $sw) (local.get $buf) (i32.const 1))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $ostride))))
        (local.set $x (i32.const 0))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_u (local.get $x) (local.get $n)))
            (local.set $a0 (v128.const i64x2 0 0))
            (local.set $a1 (v128.const i64x2 0 0))
            (local.set $a2 (v128.const i64x2 0 0))
            (local.set $a3 (v128.const i64x2 0 0))
            (local.set $a4 (v128.const i64x2 0 0))
            (local.set $a5 (v128.const i64x2 0 0))
            (local.set $a6 (v128.const i64x2 0 0))
            (local.set $a7 (v128.const i64x2 0 0))
            (local.set $q (i32.add (local.get $start) (i32.shl (local.get $x) (i32.const 2))))
            (local.set $ko (i32.load (local.get $q)))
            (local.set $koEnd (i32.add (local.get $off) (i32.shl (i32.load offset=4 (local.get $q)) (i32.const 2))))
            (local.set $kw (i32.add (local.get $wt) (i32.shl (local.get $ko) (i32.const 3))))
            (local.set $ko (i32.add (local.get $off) (i32.shl (local.get $ko) (i32.const 2))))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_u (local.get $ko) (local.get $koEnd)))
                (local.set $q (i32.add (local.get $buf) (i32.load (local.get $ko))))
                (local.set $wv (v128.load64_splat (local.get $kw)))
                ;; aw = A * weight per lane; the colour sums add sample * aw, the alpha sum aw.
                (local.set $aw01 (f64x2.mul (v128.load offset=48 (local.get $q)) (local.get $wv)))
                (local.set $aw23 (f64x2.mul (v128.load offset=112 (local.get $q)) (local.get $wv)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $q)) (local.get $aw01))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $q)) (local.get $aw01))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $q)) (local.get $aw01))))
                (local.set $a3 (f64x2.add (local.get $a3) (local.get $aw01)))
                (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (v128.load offset=64 (local.get $q)) (local.get $aw23))))
                (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (v128.load offset=80 (local.get $q)) (local.get $aw23))))
                (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (v128.load offset=96 (local.get $q)) (local.get $aw23))))
                (local.set $a7 (f64x2.add (local.get $a7) (local.get $aw23)))
                (local.set $ko (i32.add (local.get $ko) (i32.const 4)))
                (local.set $kw (i32.add (local.get $kw) (i32.const 8)))
                (br $kloop)))
            ;; A pixel whose alpha sum is 0 stays all zero (the masks); the others get clamp8 of
            ;; colour * (1 / alpha sum) and of the alpha sum, limited and interleaved as above.
            (local.set $m01 (f64x2.ne (local.get $a3) (v128.const f64x2 0 0)))
            (local.set $m23 (f64x2.ne (local.get $a7) (v128.const f64x2 0 0)))
            (local.set $aw01 (f64x2.div (v128.const f64x2 1 1) (local.get $a3)))
            (local.set $aw23 (f64x2.div (v128.const f64x2 1 1) (local.get $a7)))
            (local.set $v (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_s
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a0) (local.get $aw01)) (local.get $half)) (local.get $m01)))
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a4) (local.get $aw23)) (local.get $half)) (local.get $m23))))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a1) (local.get $aw01)) (local.get $half)) (local.get $m01)))
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a5) (local.get $aw23)) (local.get $half)) (local.get $m23)))))
              (i16x8.narrow_i32x4_s
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a2) (local.get $aw01)) (local.get $half)) (local.get $m01)))
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a6) (local.get $aw23)) (local.get $half)) (local.get $m23))))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (local.get $a3) (local.get $half)) (local.get $m01)))
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (local.get $a7) (local.get $half)) (local.get $m23)))))))
            (local.set $v (i8x16.shuffle 0 4 8 12 1 5 9 13 2 6 10 14 3 7 11 15 (local.get $v) (local.get $v)))
            ;; The block's pixels are column x of four rows.
            (v128.store32_lane 0 (local.get $o) (local.get $v))
            (local.set $q (i32.add (local.get $o) (local.get $ostride)))
            (v128.store32_lane 1 (local.get $q) (local.get $v))
            (local.set $q (i32.add (local.get $q) (local.get $ostride)))
            (v128.store32_lane 2 (local.get $q) (local.get $v))
            (local.set $q (i32.add (local.get $q) (local.get $ostride)))
            (v128.store32_lane 3 (local.get $q) (local.get $v))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $xloop)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $yloop))))

  ;; verticalAlpha is vertical for any alpha, as horizontalAlpha is horizontal: plain weights,
  ;; colour weighed by A * weight, each output divided by its own alpha sum, 128-byte blocks.
  (func (export "verticalAlpha")
    (param $src i32) (param $w i32) (param $h i32)
    (param $start i32) (param $index i32) (param $off i32) (param $wt i32)
    (param $ring i32) (param $ringRows i32) (param $out i32)
    (local $y i32) (local $ready i32) (local $hi i32) (local $stride i32) (local $blocks i32) (local $rowBytes i32)
    (local $o i32) (local $oEnd i32) (local $q i32) (local $base i32)
    (local $k0 i32) (local $k1 i32) (local $ko i32) (local $koEnd i32) (local $kw i32)
    (local $v v128) (local $wv v128) (local $half v128) (local $aw01 v128) (local $aw23 v128) (local $m01 v128) (local $m23 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $half (v128.const f64x2 0.5 0.5))
    (local.set $stride (i32.shl (local.get $w) (i32.const 2)))
    (local.set $blocks (i32.shr_u (i32.add (local.get $w) (i32.const 3)) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $blocks) (i32.const 128)))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $q (i32.add (local.get $start) (i32.shl (local.get $y) (i32.const 2))))
        (local.set $k0 (i32.load (local.get $q)))
        (local.set $k1 (i32.load offset=4 (local.get $q)))
        (if (i32.gt_u (local.get $k1) (local.get $k0))
          (then
            (local.set $hi (i32.load (i32.add (local.get $index) (i32.shl (i32.sub (local.get $k1) (i32.const 1)) (i32.const 2)))))
            (block $rdone
              (loop $rloop
                (br_if $rdone (i32.gt_s (local.get $ready) (local.get $hi)))
                (call $blocks (i32.add (local.get $src) (i32.mul (local.get $ready) (local.get $stride)))
                  (i32.const 4) (i32.const 16) (local.get $blocks)
                  (i32.add (local.get $ring) (i32.mul (i32.rem_u (local.get $ready) (local.get $ringRows)) (local.get $rowBytes)))
                  (i32.const 1))
                (local.set $ready (i32.add (local.get $ready) (i32.const 1)))
                (br $rloop)))))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $stride))))
        (local.set $oEnd (i32.add (local.get $o) (local.get $stride)))
        (local.set $base (local.get $ring))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_u (local.get $o) (local.get $oEnd)))
            (local.set $a0 (v128.const i64x2 0 0))
            (local.set $a1 (v128.const i64x2 0 0))
            (local.set $a2 (v128.const i64x2 0 0))
            (local.set $a3 (v128.const i64x2 0 0))
            (local.set $a4 (v128.const i64x2 0 0))
            (local.set $a5 (v128.const i64x2 0 0))
            (local.set $a6 (v128.const i64x2 0 0))
            (local.set $a7 (v128.const i64x2 0 0))
            (local.set $ko (i32.add (local.get $off) (i32.shl (local.get $k0) (i32.const 2))))
            (local.set $koEnd (i32.add (local.get $off) (i32.shl (local.get $k1) (i32.const 2))))
            (local.set $kw (i32.add (local.get $wt) (i32.shl (local.get $k0) (i32.const 3))))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_u (local.get $ko) (local.get $koEnd)))
                (local.set $q (i32.add (local.get $base) (i32.load (local.get $ko))))
                (local.set $wv (v128.load64_splat (local.get $kw)))
                ;; aw = A * weight per lane; the colour sums add sample * aw, the alpha sum aw.
                (local.set $aw01 (f64x2.mul (v128.load offset=48 (local.get $q)) (local.get $wv)))
                (local.set $aw23 (f64x2.mul (v128.load offset=112 (local.get $q)) (local.get $wv)))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $q)) (local.get $aw01))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $q)) (local.get $aw01))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $q)) (local.get $aw01))))
                (local.set $a3 (f64x2.add (local.get $a3) (local.get $aw01)))
                (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (v128.load offset=64 (local.get $q)) (local.get $aw23))))
                (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (v128.load offset=80 (local.get $q)) (local.get $aw23))))
                (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (v128.load offset=96 (local.get $q)) (local.get $aw23))))
                (local.set $a7 (f64x2.add (local.get $a7) (local.get $aw23)))
                (local.set $ko (i32.add (local.get $ko) (i32.const 4)))
                (local.set $kw (i32.add (local.get $kw) (i32.const 8)))
                (br $kloop)))
            ;; A pixel whose alpha sum is 0 stays all zero (the masks); the others get clamp8 of
            ;; colour * (1 / alpha sum) and of the alpha sum, limited and interleaved as above.
            (local.set $m01 (f64x2.ne (local.get $a3) (v128.const f64x2 0 0)))
            (local.set $m23 (f64x2.ne (local.get $a7) (v128.const f64x2 0 0)))
            (local.set $aw01 (f64x2.div (v128.const f64x2 1 1) (local.get $a3)))
            (local.set $aw23 (f64x2.div (v128.const f64x2 1 1) (local.get $a7)))
            (local.set $v (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_s
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a0) (local.get $aw01)) (local.get $half)) (local.get $m01)))
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a4) (local.get $aw23)) (local.get $half)) (local.get $m23))))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a1) (local.get $aw01)) (local.get $half)) (local.get $m01)))
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a5) (local.get $aw23)) (local.get $half)) (local.get $m23)))))
              (i16x8.narrow_i32x4_s
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a2) (local.get $aw01)) (local.get $half)) (local.get $m01)))
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (f64x2.mul (local.get $a6) (local.get $aw23)) (local.get $half)) (local.get $m23))))
                (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (local.get $a3) (local.get $half)) (local.get $m01)))
                  (i32x4.trunc_sat_f64x2_s_zero (v128.and (f64x2.add (local.get $a7) (local.get $half)) (local.get $m23)))))))
            (local.set $v (i8x16.shuffle 0 4 8 12 1 5 9 13 2 6 10 14 3 7 11 15 (local.get $v) (local.get $v)))
            (v128.store (local.get $o) (local.get $v))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $base (i32.add (local.get $base) (i32.const 128)))
            (br $xloop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yloop))))
)
