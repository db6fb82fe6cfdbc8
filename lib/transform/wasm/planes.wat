;; Fixed-point Lanczos passes over 8-bit and 16-bit sample planes, with 128-bit SIMD.
;; Source for lib/transform/wasm/planes-wasm.ts (regenerate with `npm run build:wasm`).
;; The arithmetic is exactly that of the JavaScript passes in lib/transform/planepass.ts:
;; 14-bit integer weights, integer sums, round half up, clamp to 0..4080 (1/16 units).
(module
  (memory (export "memory") 1)

  ;; vertical: out[y][x] = clamp((sum_k src[index[k]][x] * weight[k] + 512) >> 10)
  ;; src: bytes, rows `stride` apart; out: u16 rows of `w`; start: i32[h+1]; index, weight: i32[].
  ;; Works 16 samples at a time and may read and write up to 15 samples past a row's end.
  (func (export "vertical")
    (param $src i32) (param $stride i32) (param $w i32) (param $h i32)
    (param $start i32) (param $index i32) (param $weight i32) (param $out i32)
    (local $y i32) (local $x i32) (local $k i32) (local $k1 i32) (local $p i32) (local $o i32)
    (local $wv v128) (local $v v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $x (i32.const 0))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_u (local.get $x) (local.get $w)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $k (i32.load (i32.add (local.get $start) (i32.shl (local.get $y) (i32.const 2)))))
            (local.set $k1 (i32.load (i32.add (local.get $start) (i32.shl (i32.add (local.get $y) (i32.const 1)) (i32.const 2)))))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_u (local.get $k) (local.get $k1)))
                (local.set $p (i32.add (i32.add (local.get $src) (local.get $x))
                  (i32.mul (i32.load (i32.add (local.get $index) (i32.shl (local.get $k) (i32.const 2)))) (local.get $stride))))
                (local.set $wv (i32x4.splat (i32.load (i32.add (local.get $weight) (i32.shl (local.get $k) (i32.const 2))))))
                (local.set $v (v128.load (local.get $p)))
                (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
                (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $wv))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $wv))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $wv))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $wv))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $kloop)))
            (local.set $o (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $x)) (i32.const 1))))
            (v128.store (local.get $o)
              (i16x8.narrow_i32x4_u (call $round10 (local.get $a0)) (call $round10 (local.get $a1))))
            (v128.store (i32.add (local.get $o) (i32.const 16))
              (i16x8.narrow_i32x4_u (call $round10 (local.get $a2)) (call $round10 (local.get $a3))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $xloop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yloop))))

  ;; round10: (a + 512) >> 10, clamped to 0..4080.
  (func $round10 (param $a v128) (result v128)
    (i32x4.min_s
      (i32x4.max_s
        (i32x4.shr_s (i32x4.add (local.get $a) (v128.const i32x4 512 512 512 512)) (i32.const 10))
        (v128.const i32x4 0 0 0 0))
      (v128.const i32x4 4080 4080 4080 4080)))

  ;; horizontal: out[y][x] = clamp((sum_t src[y][first[x] + t] * weight[x * taps + t] + 8192) >> 14)
  ;; src: u16 rows of `srcW`; out: u16 rows of `n`; first: i32[n]; weight: i16[n * taps], taps a
  ;; multiple of 8 with zero weights past each output's real taps. May read up to taps-1 samples
  ;; past a row's end (their weights are zero).
  (func (export "horizontal")
    (param $src i32) (param $srcW i32) (param $rows i32) (param $n i32)
    (param $first i32) (param $taps i32) (param $weight i32) (param $out i32)
    (local $y i32) (local $x i32) (local $t i32) (local $row i32) (local $p i32) (local $wp i32)
    (local $o i32) (local $s i32) (local $acc v128)
    (local.set $o (local.get $out))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $y) (local.get $srcW)) (i32.const 1))))
        (local.set $wp (local.get $weight))
        (local.set $x (i32.const 0))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_u (local.get $x) (local.get $n)))
            (local.set $p (i32.add (local.get $row)
              (i32.shl (i32.load (i32.add (local.get $first) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 1))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $t (i32.const 0))
            (block $tdone
              (loop $tloop
                (br_if $tdone (i32.ge_u (local.get $t) (local.get $taps)))
                (local.set $acc (i32x4.add (local.get $acc)
                  (i32x4.dot_i16x8_s (v128.load (local.get $p)) (v128.load (local.get $wp)))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                (local.set $t (i32.add (local.get $t) (i32.const 8)))
                (br $tloop)))
            (local.set $s (i32.shr_s
              (i32.add
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                  (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))
                (i32.const 8192))
              (i32.const 14)))
            (if (i32.lt_s (local.get $s) (i32.const 0)) (then (local.set $s (i32.const 0))))
            (if (i32.gt_s (local.get $s) (i32.const 4080)) (then (local.set $s (i32.const 4080))))
            (i32.store16 (local.get $o) (local.get $s))
            (local.set $o (i32.add (local.get $o) (i32.const 2)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $xloop)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yloop))))
)
