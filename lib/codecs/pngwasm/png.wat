;; PNG row filters with 128-bit SIMD: the decoder's unfiltering of 8-bit grey, grey+alpha, RGB
;; and RGBA rows straight into RGBA8 pixels, and the encoder's adaptive filter choice. Source
;; for lib/codecs/pngwasm/png-bytes.ts (regenerate with `npm run build:wasm`); pngwasm.ts calls
;; it. The results are byte for byte those of the JavaScript twins, pngfast.ts (unfilterRow and
;; expandRow) and pngfast-encode.ts (filterRow), which run where WebAssembly is missing.
;;
;; Decoding works on output pixels: each pixel is one RGBA vector, the filtered samples swizzled
;; into place (grey into R, G and B; a missing alpha lane is forced to 255 at the store), and the
;; row above is read back from the RGBA output, whose colour lanes hold the very samples the
;; unfiltered row above would. So one pass unfilters and expands, and the channels of a pixel are
;; lanes computed side by side; Sub, Average and Paeth depend on the pixel to the left, so they
;; go one pixel at a time, while None and Up take four pixels per vector.
(module
  (memory (export "memory") 1)

  ;; unfilter reverses the row filters of $h rows of $w pixels of $bpp bytes (1 grey, 2 grey and
  ;; alpha, 3 RGB, 4 RGBA), each row a filter byte and then its samples, at $raw, and writes them
  ;; as RGBA8 at $out. $zero: $w * 4 + 16 zero bytes (the row above the first, and None's). $raw
  ;; must have 16 readable bytes past its end. Returns -1, or the first row whose filter type is
  ;; not 0..4 (its pixels and those below are then not written).
  (func (export "unfilter") (param $raw i32) (param $w i32) (param $h i32) (param $bpp i32)
    (param $zero i32) (param $out i32) (result i32)
    (local $y i32) (local $src i32) (local $dst i32) (local $prv i32) (local $end i32) (local $vend i32)
    (local $ft i32) (local $rowBytes i32) (local $step4 i32) (local $rowRaw i32)
    (local $src1 i32) (local $dst1 i32) (local $next i32) (local $i i32)
    (local $m1 v128) (local $m2 v128) (local $m4 v128) (local $alpha v128)
    (local $a v128) (local $b v128) (local $c v128) (local $x v128)
    (local $pa v128) (local $pb v128) (local $pc v128) (local $notA v128)
    ;; m1 swizzles one pixel's samples into RGBA, m2 two pixels' (loaded 4 bytes apart), m4 four
    ;; pixels'; -128 selects 0.
    (if (i32.eq (local.get $bpp) (i32.const 1)) (then
      (local.set $m2 (v128.const i8x16 0 0 0 -128 4 4 4 -128 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $m1 (v128.const i8x16 0 0 0 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $m4 (v128.const i8x16 0 0 0 -128 1 1 1 -128 2 2 2 -128 3 3 3 -128))))
    (if (i32.eq (local.get $bpp) (i32.const 2)) (then
      (local.set $m2 (v128.const i8x16 0 0 0 1 4 4 4 5 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $m1 (v128.const i8x16 0 0 0 1 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $m4 (v128.const i8x16 0 0 0 1 2 2 2 3 4 4 4 5 6 6 6 7))))
    (if (i32.eq (local.get $bpp) (i32.const 3)) (then
      (local.set $m2 (v128.const i8x16 0 1 2 -128 4 5 6 -128 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $m1 (v128.const i8x16 0 1 2 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $m4 (v128.const i8x16 0 1 2 -128 3 4 5 -128 6 7 8 -128 9 10 11 -128))))
    (if (i32.eq (local.get $bpp) (i32.const 4)) (then
      (local.set $m2 (v128.const i8x16 0 1 2 3 4 5 6 7 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $m1 (v128.const i8x16 0 1 2 3 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128 -128))
      (local.set $m4 (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))))
    (if (i32.and (local.get $bpp) (i32.const 1)) (then
      (local.set $alpha (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000))))
    (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
    (local.set $step4 (i32.shl (local.get $bpp) (i32.const 2)))
    (local.set $rowRaw (i32.mul (local.get $w) (local.get $bpp)))
    (local.set $src (local.get $raw))
    (local.set $dst (local.get $out))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $ft (i32.load8_u (local.get $src)))
        (if (i32.gt_u (local.get $ft) (i32.const 4)) (then (return (local.get $y))))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (local.set $prv (select (local.get $zero) (i32.sub (local.get $dst) (local.get $rowBytes)) (i32.eqz (local.get $y))))
        (local.set $end (i32.add (local.get $dst) (local.get $rowBytes)))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $c (v128.const i32x4 0 0 0 0))
        (if (i32.le_u (local.get $ft) (i32.const 2)) (then
          ;; None and Up (None adds the zero row), four pixels at a time, then one by one.
          (if (i32.eqz (local.get $ft)) (then (local.set $prv (local.get $zero))))
          (if (i32.eq (local.get $ft) (i32.const 1)) (then
            (loop $sub
              (if (i32.lt_u (local.get $dst) (local.get $end)) (then
                (local.set $a (i8x16.add (i8x16.swizzle (v128.load32_zero (local.get $src)) (local.get $m1)) (local.get $a)))
                (v128.store32_lane 0 (local.get $dst) (v128.or (local.get $a) (local.get $alpha)))
                (local.set $src (i32.add (local.get $src) (local.get $bpp)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (br $sub)))))
          (else
            (local.set $vend (i32.sub (local.get $end) (i32.const 16)))
            (loop $up4
              (if (i32.le_s (local.get $dst) (local.get $vend)) (then
                (v128.store (local.get $dst) (v128.or (local.get $alpha)
                  (i8x16.add (i8x16.swizzle (v128.load (local.get $src)) (local.get $m4)) (v128.load (local.get $prv)))))
                (local.set $src (i32.add (local.get $src) (local.get $step4)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $prv (i32.add (local.get $prv) (i32.const 16)))
                (br $up4))))
            (loop $up1
              (if (i32.lt_u (local.get $dst) (local.get $end)) (then
                (v128.store32_lane 0 (local.get $dst) (v128.or (local.get $alpha)
                  (i8x16.add (i8x16.swizzle (v128.load32_zero (local.get $src)) (local.get $m1)) (v128.load32_zero (local.get $prv)))))
                (local.set $src (i32.add (local.get $src) (local.get $bpp)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (local.set $prv (i32.add (local.get $prv) (i32.const 4)))
                (br $up1))))))))
        (if (i32.eq (local.get $ft) (i32.const 3)) (then
          ;; Average: floor((a + b) / 2) is the rounding-up average less the low bit of a ^ b.
          (loop $avg
            (if (i32.lt_u (local.get $dst) (local.get $end)) (then
              (local.set $b (v128.load32_zero (local.get $prv)))
              (local.set $a (i8x16.add (i8x16.swizzle (v128.load32_zero (local.get $src)) (local.get $m1))
                (i8x16.sub (i8x16.avgr_u (local.get $a) (local.get $b))
                  (v128.and (v128.xor (local.get $a) (local.get $b)) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))))
              (v128.store32_lane 0 (local.get $dst) (v128.or (local.get $a) (local.get $alpha)))
              (local.set $src (i32.add (local.get $src) (local.get $bpp)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
              (local.set $prv (i32.add (local.get $prv) (i32.const 4)))
              (br $avg))))))
        (if (i32.eq (local.get $ft) (i32.const 4)) (then
          (if (i32.and (i32.lt_u (i32.add (local.get $y) (i32.const 1)) (local.get $h))
                (i32.eq (i32.load8_u (i32.add (local.get $src) (local.get $rowRaw))) (i32.const 4))) (then
            ;; Two Paeth rows at once, the lower one a pixel behind: lanes 0-3 are pixel x of row
            ;; y, lanes 4-7 pixel x - 1 of row y + 1, whose pixel above is the one lanes 0-3 gave
            ;; the step before. Two pixels per step halve the chain of dependent operations.
            (local.set $src1 (i32.add (local.get $src) (i32.add (local.get $rowRaw) (i32.const 1))))
            (local.set $next (i32.add (local.get $src1) (local.get $rowRaw)))
            (local.set $dst1 (local.get $end))
            (local.set $i (i32.const 0))
            (loop $pair
              (local.set $b (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $prv))) (local.get $a)))
              (local.set $x (i16x8.extend_low_i8x16_u (i8x16.swizzle
                (v128.load32_lane 1 (i32.sub (local.get $src1) (local.get $bpp)) (v128.load32_zero (local.get $src)))
                (local.get $m2))))
              (local.set $pa (i16x8.sub (local.get $b) (local.get $c)))
              (local.set $pb (i16x8.sub (local.get $a) (local.get $c)))
              (local.set $pc (i16x8.abs (i16x8.add (local.get $pa) (local.get $pb))))
              (local.set $pa (i16x8.abs (local.get $pa)))
              (local.set $pb (i16x8.abs (local.get $pb)))
              (local.set $notA (v128.or (i16x8.lt_s (local.get $pb) (local.get $pa)) (i16x8.lt_s (local.get $pc) (local.get $pa))))
              (local.set $a (v128.and (v128.const i16x8 255 255 255 255 255 255 255 255)
                (i16x8.add (local.get $x)
                  (v128.bitselect (v128.bitselect (local.get $c) (local.get $b) (i16x8.lt_s (local.get $pc) (local.get $pb)))
                    (local.get $a) (local.get $notA)))))
              (local.set $c (local.get $b))
              (local.set $pa (v128.or (i8x16.narrow_i16x8_u (local.get $a) (local.get $a)) (local.get $alpha)))
              ;; Step 0's lanes 4-7 (pixel -1) and step w's lanes 0-3 (pixel w) are not stored;
              ;; after step 0 the lower row's left neighbour is 0 again.
              (if (i32.lt_u (local.get $i) (local.get $w)) (then (v128.store32_lane 0 (local.get $dst) (local.get $pa))))
              (if (i32.eqz (local.get $i))
                (then (local.set $a (v128.and (local.get $a) (v128.const i32x4 -1 -1 0 0))))
                (else (v128.store32_lane 1 (i32.sub (local.get $dst1) (i32.const 4)) (local.get $pa))))
              (local.set $src (i32.add (local.get $src) (local.get $bpp)))
              (local.set $src1 (i32.add (local.get $src1) (local.get $bpp)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
              (local.set $dst1 (i32.add (local.get $dst1) (i32.const 4)))
              (local.set $prv (i32.add (local.get $prv) (i32.const 4)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $pair (i32.le_u (local.get $i) (local.get $w))))
            (local.set $src (local.get $next))
            (local.set $dst (i32.add (local.get $end) (local.get $rowBytes)))
            (local.set $y (i32.add (local.get $y) (i32.const 1))))
          (else
            ;; Paeth in i16 lanes: a (left), b (above) and c (above left) are carried as i16x8.
            (loop $paeth
              (if (i32.lt_u (local.get $dst) (local.get $end)) (then
                (local.set $b (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $prv))))
                (local.set $x (i16x8.extend_low_i8x16_u (i8x16.swizzle (v128.load32_zero (local.get $src)) (local.get $m1))))
                (local.set $pa (i16x8.sub (local.get $b) (local.get $c)))
                (local.set $pb (i16x8.sub (local.get $a) (local.get $c)))
                (local.set $pc (i16x8.abs (i16x8.add (local.get $pa) (local.get $pb))))
                (local.set $pa (i16x8.abs (local.get $pa)))
                (local.set $pb (i16x8.abs (local.get $pb)))
                (local.set $notA (v128.or (i16x8.lt_s (local.get $pb) (local.get $pa)) (i16x8.lt_s (local.get $pc) (local.get $pa))))
                (local.set $a (v128.and (v128.const i16x8 255 255 255 255 255 255 255 255)
                  (i16x8.add (local.get $x)
                    (v128.bitselect (v128.bitselect (local.get $c) (local.get $b) (i16x8.lt_s (local.get $pc) (local.get $pb)))
                      (local.get $a) (local.get $notA)))))
                (local.set $c (local.get $b))
                (v128.store32_lane 0 (local.get $dst) (v128.or (i8x16.narrow_i16x8_u (local.get $a) (local.get $a)) (local.get $alpha)))
                (local.set $src (i32.add (local.get $src) (local.get $bpp)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (local.set $prv (i32.add (local.get $prv) (i32.const 4)))
                (br $paeth))))))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows)))
    (i32.const -1))

  ;; keyAlpha makes transparent each of the $n RGBA pixels at $p whose R, G and B are those of
  ;; $key (R | G << 8 | B << 16): the tRNS colour key of grey and RGB images.
  (func (export "keyAlpha") (param $p i32) (param $n i32) (param $key i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $px
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.eq (i32.and (i32.load (local.get $p)) (i32.const 0xffffff)) (local.get $key)) (then
          (i32.store8 offset=3 (local.get $p) (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $px))))

  ;; translucent returns 1 if any of the $n RGBA pixels at $p has alpha below 255, else 0.
  (func (export "translucent") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $acc v128)
    (local.set $acc (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $v
        (br_if $done (i32.gt_s (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        (local.set $acc (v128.and (local.get $acc) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $v)))
    (block $tail
      (loop $px
        (br_if $tail (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (v128.and (local.get $acc) (v128.load32_splat (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $px)))
    (i32.eqz (i32x4.all_true (i32x4.eq (v128.or (local.get $acc) (v128.const i32x4 0x00ffffff 0x00ffffff 0x00ffffff 0x00ffffff))
      (v128.const i32x4 -1 -1 -1 -1)))))

  ;; filter writes the $h rows of the $w x $h RGBA bitmap at $src as PNG scanlines at $out, each a
  ;; filter byte and $w * $ch bytes ($ch 3: RGB, alpha dropped; 4: RGBA), choosing per row the
  ;; filter whose bytes, read as signed, have the smallest absolute sum (first of None, Sub, Up,
  ;; Average, Paeth on ties). $rows: 2 * ($w * $ch + $ch + 32) bytes, $scr: 4 * ($w * $ch + 16).
  (func (export "filter") (param $src i32) (param $w i32) (param $h i32) (param $ch i32)
    (param $rows i32) (param $scr i32) (param $out i32)
    (local $n i32) (local $rs i32) (local $ss i32) (local $cur i32) (local $prev i32) (local $t i32)
    (local $y i32) (local $i i32) (local $s i32) (local $d i32) (local $e i32) (local $ft i32) (local $best i32) (local $row i32) (local $v i32)
    (local $x v128) (local $a v128) (local $b v128) (local $c v128) (local $mask v128) (local $pred v128)
    (local $sNone v128) (local $sSub v128) (local $sUp v128) (local $sAvg v128) (local $sPaeth v128)
    (local $f v128) (local $pa v128) (local $pb v128) (local $pc v128) (local $lo v128) (local $hi v128)
    (local $notA v128) (local $useC v128) (local $t16 v128)
    (local.set $n (i32.mul (local.get $w) (local.get $ch)))
    (local.set $rs (i32.add (local.get $n) (i32.add (local.get $ch) (i32.const 32))))
    (local.set $ss (i32.add (local.get $n) (i32.const 16)))
    (local.set $prev (local.get $rows))
    (local.set $cur (i32.add (local.get $rows) (local.get $rs)))
    ;; Both rows start with $ch zero bytes (the left neighbours of the first pixel); prev starts as
    ;; the zero row above the first.
    (memory.fill (local.get $rows) (i32.const 0) (i32.shl (local.get $rs) (i32.const 1)))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $y) (local.get $h)))
        ;; The row's samples into cur + ch.
        (if (i32.eq (local.get $ch) (i32.const 4)) (then
          (memory.copy (i32.add (local.get $cur) (i32.const 4)) (local.get $src) (local.get $n))
          (local.set $src (i32.add (local.get $src) (local.get $n))))
        (else
          (local.set $d (i32.add (local.get $cur) (i32.const 3)))
          (local.set $e (i32.add (local.get $src) (i32.shl (local.get $w) (i32.const 2))))
          (loop $pack4
            (if (i32.le_s (i32.add (local.get $src) (i32.const 16)) (local.get $e)) (then
              (v128.store (local.get $d) (i8x16.swizzle (v128.load (local.get $src))
                (v128.const i8x16 0 1 2 4 5 6 8 9 10 12 13 14 -128 -128 -128 -128)))
              (local.set $src (i32.add (local.get $src) (i32.const 16)))
              (local.set $d (i32.add (local.get $d) (i32.const 12)))
              (br $pack4))))
          (loop $pack1
            (if (i32.lt_u (local.get $src) (local.get $e)) (then
              (i32.store (local.get $d) (i32.load (local.get $src)))
              (local.set $src (i32.add (local.get $src) (i32.const 4)))
              (local.set $d (i32.add (local.get $d) (i32.const 3)))
              (br $pack1))))))
        ;; The four candidates into scr (sub, up, avg, paeth, $ss apart) and every absolute sum.
        (local.set $sNone (v128.const i32x4 0 0 0 0))
        (local.set $sSub (v128.const i32x4 0 0 0 0))
        (local.set $sUp (v128.const i32x4 0 0 0 0))
        (local.set $sAvg (v128.const i32x4 0 0 0 0))
        (local.set $sPaeth (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (local.set $mask (v128.const i32x4 -1 -1 -1 -1))
        (block $cols
          (loop $col
            (br_if $cols (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $s (i32.sub (local.get $n) (local.get $i)))
            (if (i32.lt_u (local.get $s) (i32.const 16)) (then
              ;; The last, partial vector: lanes at or past n count for nothing.
              (local.set $mask (i8x16.gt_u (i8x16.splat (local.get $s))
                (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)))))
            (local.set $x (v128.load (i32.add (local.get $cur) (i32.add (local.get $i) (local.get $ch)))))
            (local.set $a (v128.load (i32.add (local.get $cur) (local.get $i))))
            (local.set $b (v128.load (i32.add (local.get $prev) (i32.add (local.get $i) (local.get $ch)))))
            (local.set $c (v128.load (i32.add (local.get $prev) (local.get $i))))
            (local.set $d (i32.add (local.get $scr) (local.get $i)))
            (local.set $sNone (i32x4.add (local.get $sNone) (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
              (v128.and (i8x16.abs (local.get $x)) (local.get $mask))))))
            (local.set $f (i8x16.sub (local.get $x) (local.get $a)))
            (v128.store (local.get $d) (local.get $f))
            (local.set $sSub (i32x4.add (local.get $sSub) (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
              (v128.and (i8x16.abs (local.get $f)) (local.get $mask))))))
            (local.set $d (i32.add (local.get $d) (local.get $ss)))
            (local.set $f (i8x16.sub (local.get $x) (local.get $b)))
            (v128.store (local.get $d) (local.get $f))
            (local.set $sUp (i32x4.add (local.get $sUp) (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
              (v128.and (i8x16.abs (local.get $f)) (local.get $mask))))))
            (local.set $d (i32.add (local.get $d) (local.get $ss)))
            (local.set $f (i8x16.sub (local.get $x) (i8x16.sub (i8x16.avgr_u (local.get $a) (local.get $b))
              (v128.and (v128.xor (local.get $a) (local.get $b)) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))))
            (v128.store (local.get $d) (local.get $f))
            (local.set $sAvg (i32x4.add (local.get $sAvg) (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
              (v128.and (i8x16.abs (local.get $f)) (local.get $mask))))))
            ;; Paeth: the predictor's choice in i16 halves, narrowed back to byte masks.
            (local.set $pa (i16x8.sub (i16x8.extend_low_i8x16_u (local.get $b)) (i16x8.extend_low_i8x16_u (local.get $c))))
            (local.set $pb (i16x8.sub (i16x8.extend_low_i8x16_u (local.get $a)) (i16x8.extend_low_i8x16_u (local.get $c))))
            (local.set $pc (i16x8.abs (i16x8.add (local.get $pa) (local.get $pb))))
            (local.set $pa (i16x8.abs (local.get $pa)))
            (local.set $pb (i16x8.abs (local.get $pb)))
            (local.set $lo (v128.or (i16x8.lt_s (local.get $pb) (local.get $pa)) (i16x8.lt_s (local.get $pc) (local.get $pa))))
            (local.set $t16 (i16x8.lt_s (local.get $pc) (local.get $pb)))
            (local.set $pa (i16x8.sub (i16x8.extend_high_i8x16_u (local.get $b)) (i16x8.extend_high_i8x16_u (local.get $c))))
            (local.set $pb (i16x8.sub (i16x8.extend_high_i8x16_u (local.get $a)) (i16x8.extend_high_i8x16_u (local.get $c))))
            (local.set $pc (i16x8.abs (i16x8.add (local.get $pa) (local.get $pb))))
            (local.set $pa (i16x8.abs (local.get $pa)))
            (local.set $pb (i16x8.abs (local.get $pb)))
            (local.set $hi (v128.or (i16x8.lt_s (local.get $pb) (local.get $pa)) (i16x8.lt_s (local.get $pc) (local.get $pa))))
            (local.set $notA (i8x16.narrow_i16x8_s (local.get $lo) (local.get $hi)))
            (local.set $useC (i8x16.narrow_i16x8_s (local.get $t16) (i16x8.lt_s (local.get $pc) (local.get $pb))))
            (local.set $pred (v128.bitselect (v128.bitselect (local.get $c) (local.get $b) (local.get $useC)) (local.get $a) (local.get $notA)))
            (local.set $d (i32.add (local.get $d) (local.get $ss)))
            (local.set $f (i8x16.sub (local.get $x) (local.get $pred)))
            (v128.store (local.get $d) (local.get $f))
            (local.set $sPaeth (i32x4.add (local.get $sPaeth) (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
              (v128.and (i8x16.abs (local.get $f)) (local.get $mask))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $col)))
        ;; The smallest sum wins; on ties the earlier filter.
        (local.set $ft (i32.const 0))
        (local.set $row (i32.add (local.get $cur) (local.get $ch)))
        (local.set $best (call $hsum (local.get $sNone)))
        (local.set $v (call $hsum (local.get $sSub)))
        (if (i32.lt_u (local.get $v) (local.get $best)) (then
          (local.set $ft (i32.const 1)) (local.set $best (local.get $v)) (local.set $row (local.get $scr))))
        (local.set $v (call $hsum (local.get $sUp)))
        (if (i32.lt_u (local.get $v) (local.get $best)) (then
          (local.set $ft (i32.const 2)) (local.set $best (local.get $v))
          (local.set $row (i32.add (local.get $scr) (local.get $ss)))))
        (local.set $v (call $hsum (local.get $sAvg)))
        (if (i32.lt_u (local.get $v) (local.get $best)) (then
          (local.set $ft (i32.const 3)) (local.set $best (local.get $v))
          (local.set $row (i32.add (local.get $scr) (i32.shl (local.get $ss) (i32.const 1))))))
        (local.set $v (call $hsum (local.get $sPaeth)))
        (if (i32.lt_u (local.get $v) (local.get $best)) (then
          (local.set $ft (i32.const 4))
          (local.set $row (i32.add (local.get $scr) (i32.mul (local.get $ss) (i32.const 3))))))
        (i32.store8 (local.get $out) (local.get $ft))
        (memory.copy (i32.add (local.get $out) (i32.const 1)) (local.get $row) (local.get $n))
        (local.set $out (i32.add (local.get $out) (i32.add (local.get $n) (i32.const 1))))
        (local.set $t (local.get $prev))
        (local.set $prev (local.get $cur))
        (local.set $cur (local.get $t))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rowLoop))))

  ;; hsum adds the four i32 lanes of $v.
  (func $hsum (param $v v128) (result i32)
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))
)
