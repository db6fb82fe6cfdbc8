;; The colour step of the JPEG YCbCr path with 128-bit SIMD: the WebAssembly twin of
;; lib/color/ycc.ts's matrixYcc (lib/color/wasm/ycc.ts loads it; regenerate ycc-bytes.ts with
;; `npm run build:wasm`).
;;
;; Four chroma blocks at a time: a vector holds one pixel of each of four neighbouring 2x2 blocks
;; (their top-left pixels, then top-right, bottom-left, bottom-right), so a block's chroma and
;; R'G'B' offsets are one lane and its sums need no horizontal adds. The tables are the
;; JavaScript loop's (padded linear tables, padded linear-to-sRGB table), read lane by lane: the
;; linear tables at addresses computed in scalar registers (each lane's sample plus its block's
;; offset), which runs faster than taking them out of vectors. The four pixels are written out
;; (they differ only in the row, the sample offset and the scratch slot): a loop over them runs
;; ~6% slower. The R'G'B' offsets, luma and chroma are the JavaScript's integers exactly; only
;; the matrix runs in f32 where the JavaScript uses f64, so a sum that lands within rounding of
;; the boundary between two output table entries can take the other one.
;;
;; Samples are u16 in 1/16 units (0..4080; larger ones are clamped, so that no table read can
;; leave its table).
(module
  (memory (export "memory") 1)

  ;; Rounding an f32 in [0, 2^22) to the nearest integer (ties to even): add 2^23 and take the
  ;; bits less those of 2^23, as the float's low mantissa bits then hold the integer (two
  ;; instructions where a saturating conversion takes several).
  (global $magic v128 (v128.const f32x4 8388608 8388608 8388608 8388608))
  (global $magicBits v128 (v128.const i32x4 0x4b000000 0x4b000000 0x4b000000 0x4b000000))

  ;; convert: blocks 0 .. 4*groups-1 of row pairs 0 .. pairs-1, in place. y, cb, cr: the planes
  ;; (byte addresses), rows ystride and cstride samples apart. k: 14 vectors, each one value in
  ;; every lane: the matrix scaled to the output table's index (9 f32, row-major); the table's
  ;; zero plus its address / 2 (f32); PAD * 65536 + 32768 (i32); the red, green and blue linear
  ;; tables' addresses / 4 (i32). scratch: 64 bytes.
  (func (export "convert")
    (param $y i32) (param $cb i32) (param $cr i32) (param $ystride i32) (param $cstride i32)
    (param $groups i32) (param $pairs i32) (param $k i32) (param $scratch i32)
    (local $j i32) (local $g i32) (local $yp i32) (local $yq i32) (local $cp i32)
    (local $y0 i32) (local $y1 i32) (local $y2 i32) (local $y3 i32)
    (local $dr0 i32) (local $dr1 i32) (local $dr2 i32) (local $dr3 i32) (local $dg0 i32) (local $dg1 i32) (local $dg2 i32) (local $dg3 i32) (local $db0 i32) (local $db1 i32) (local $db2 i32) (local $db3 i32)
    (local $cbi v128) (local $cri v128) (local $dr v128) (local $dg v128) (local $db v128)
    (local $sr v128) (local $sg v128) (local $sb v128) (local $a v128) (local $c v128)
    (local $R v128) (local $G v128) (local $B v128) (local $r v128) (local $gr v128) (local $b v128)
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $pairs)))
        ;; Luma rows 2j and 2j + 1 and chroma row j, as byte addresses.
        (local.set $yp (i32.add (local.get $y) (i32.shl (i32.mul (local.get $j) (local.get $ystride)) (i32.const 2))))
        (local.set $yq (i32.add (local.get $yp) (i32.shl (local.get $ystride) (i32.const 1))))
        (local.set $cp (i32.shl (i32.mul (local.get $j) (local.get $cstride)) (i32.const 1)))
        (local.set $g (i32.const 0))
        (block $gdone
          (loop $gloop
            (br_if $gdone (i32.ge_u (local.get $g) (local.get $groups)))
            ;; The four blocks' chroma less 128, and their R'G'B' offsets in JFIF's 16-bit fixed
            ;; point, plus PAD and a rounding half (so the sums are positive and the shift rounds),
            ;; plus each linear table's address / 4: times 4, byte offsets, one scalar per block.
            (local.set $cbi (i32x4.sub (i32x4.min_u
              (i32x4.extend_low_i16x8_u (v128.load64_zero (i32.add (local.get $cb) (local.get $cp))))
              (v128.const i32x4 4080 4080 4080 4080)) (v128.const i32x4 2048 2048 2048 2048)))
            (local.set $cri (i32x4.sub (i32x4.min_u
              (i32x4.extend_low_i16x8_u (v128.load64_zero (i32.add (local.get $cr) (local.get $cp))))
              (v128.const i32x4 4080 4080 4080 4080)) (v128.const i32x4 2048 2048 2048 2048)))
            (local.set $dr (i32x4.add (v128.load offset=176 (local.get $k)) (i32x4.shr_s (i32x4.add
              (i32x4.mul (local.get $cri) (v128.const i32x4 91881 91881 91881 91881)) (v128.load offset=160 (local.get $k))) (i32.const 16))))
            (local.set $dg (i32x4.add (v128.load offset=192 (local.get $k)) (i32x4.shr_s (i32x4.sub (i32x4.sub
              (v128.load offset=160 (local.get $k)) (i32x4.mul (local.get $cbi) (v128.const i32x4 22554 22554 22554 22554)))
              (i32x4.mul (local.get $cri) (v128.const i32x4 46802 46802 46802 46802))) (i32.const 16))))
            (local.set $db (i32x4.add (v128.load offset=208 (local.get $k)) (i32x4.shr_s (i32x4.add
              (i32x4.mul (local.get $cbi) (v128.const i32x4 116130 116130 116130 116130)) (v128.load offset=160 (local.get $k))) (i32.const 16))))
            (local.set $a (i32x4.shl (local.get $dr) (i32.const 2)))
            (local.set $dr0 (i32x4.extract_lane 0 (local.get $a)))
            (local.set $dr1 (i32x4.extract_lane 1 (local.get $a)))
            (local.set $dr2 (i32x4.extract_lane 2 (local.get $a)))
            (local.set $dr3 (i32x4.extract_lane 3 (local.get $a)))
            (local.set $a (i32x4.shl (local.get $dg) (i32.const 2)))
            (local.set $dg0 (i32x4.extract_lane 0 (local.get $a)))
            (local.set $dg1 (i32x4.extract_lane 1 (local.get $a)))
            (local.set $dg2 (i32x4.extract_lane 2 (local.get $a)))
            (local.set $dg3 (i32x4.extract_lane 3 (local.get $a)))
            (local.set $a (i32x4.shl (local.get $db) (i32.const 2)))
            (local.set $db0 (i32x4.extract_lane 0 (local.get $a)))
            (local.set $db1 (i32x4.extract_lane 1 (local.get $a)))
            (local.set $db2 (i32x4.extract_lane 2 (local.get $a)))
            (local.set $db3 (i32x4.extract_lane 3 (local.get $a)))
            ;; The group's luma, clamped in place to 4080 (the scalar reads below take it as it is).
            (v128.store (local.get $yp) (i16x8.min_u (v128.load (local.get $yp)) (v128.const i16x8 4080 4080 4080 4080 4080 4080 4080 4080)))
            (v128.store (local.get $yq) (i16x8.min_u (v128.load (local.get $yq)) (v128.const i16x8 4080 4080 4080 4080 4080 4080 4080 4080)))
            (local.set $sr (v128.const i32x4 0 0 0 0))
            (local.set $sg (v128.const i32x4 0 0 0 0))
            (local.set $sb (v128.const i32x4 0 0 0 0))
            ;; The blocks' top-left pixels: each lane's sample (times 4, a table offset) ...
            (local.set $y0 (i32.shl (i32.load16_u offset=0 (local.get $yp)) (i32.const 2)))
            (local.set $y1 (i32.shl (i32.load16_u offset=4 (local.get $yp)) (i32.const 2)))
            (local.set $y2 (i32.shl (i32.load16_u offset=8 (local.get $yp)) (i32.const 2)))
            (local.set $y3 (i32.shl (i32.load16_u offset=12 (local.get $yp)) (i32.const 2)))
            ;; ... in linear light ...
              (local.set $R (v128.load32_zero (i32.add (local.get $y0) (local.get $dr0))))
              (local.set $R (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $dr1)) (local.get $R)))
              (local.set $R (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $dr2)) (local.get $R)))
              (local.set $R (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $dr3)) (local.get $R)))
              (local.set $G (v128.load32_zero (i32.add (local.get $y0) (local.get $dg0))))
              (local.set $G (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $dg1)) (local.get $G)))
              (local.set $G (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $dg2)) (local.get $G)))
              (local.set $G (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $dg3)) (local.get $G)))
              (local.set $B (v128.load32_zero (i32.add (local.get $y0) (local.get $db0))))
              (local.set $B (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $db1)) (local.get $B)))
              (local.set $B (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $db2)) (local.get $B)))
              (local.set $B (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $db3)) (local.get $B)))
            ;; ... through the matrix, rounded to the nearest output table entry, and that entry (sRGB
            ;; in 1/16 units, u16 in the low half of each lane) ...
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=0 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=16 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=32 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $r (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $r (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $r)))
              (local.set $r (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $r)))
              (local.set $r (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $r)))
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=48 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=64 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=80 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $gr (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $gr (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $gr)))
              (local.set $gr (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $gr)))
              (local.set $gr (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $gr)))
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=96 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=112 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=128 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $b (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $b (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $b)))
              (local.set $b (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $b)))
              (local.set $b (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $b)))
            ;; ... and their new luma in 16-bit fixed point (the weights sum to 65536), kept for the stores.
            (v128.store offset=0 (local.get $scratch) (i32x4.shr_u (i32x4.add
              (i32x4.add (i32x4.mul (local.get $r) (v128.const i32x4 19595 19595 19595 19595)) (i32x4.mul (local.get $gr) (v128.const i32x4 38470 38470 38470 38470)))
              (i32x4.add (i32x4.mul (local.get $b) (v128.const i32x4 7471 7471 7471 7471)) (v128.const i32x4 32768 32768 32768 32768))) (i32.const 16)))
            (local.set $sr (i32x4.add (local.get $sr) (local.get $r)))
            (local.set $sg (i32x4.add (local.get $sg) (local.get $gr)))
            (local.set $sb (i32x4.add (local.get $sb) (local.get $b)))
            ;; The blocks' top-right pixels: each lane's sample (times 4, a table offset) ...
            (local.set $y0 (i32.shl (i32.load16_u offset=2 (local.get $yp)) (i32.const 2)))
            (local.set $y1 (i32.shl (i32.load16_u offset=6 (local.get $yp)) (i32.const 2)))
            (local.set $y2 (i32.shl (i32.load16_u offset=10 (local.get $yp)) (i32.const 2)))
            (local.set $y3 (i32.shl (i32.load16_u offset=14 (local.get $yp)) (i32.const 2)))
            ;; ... in linear light ...
              (local.set $R (v128.load32_zero (i32.add (local.get $y0) (local.get $dr0))))
              (local.set $R (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $dr1)) (local.get $R)))
              (local.set $R (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $dr2)) (local.get $R)))
              (local.set $R (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $dr3)) (local.get $R)))
              (local.set $G (v128.load32_zero (i32.add (local.get $y0) (local.get $dg0))))
              (local.set $G (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $dg1)) (local.get $G)))
              (local.set $G (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $dg2)) (local.get $G)))
              (local.set $G (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $dg3)) (local.get $G)))
              (local.set $B (v128.load32_zero (i32.add (local.get $y0) (local.get $db0))))
              (local.set $B (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $db1)) (local.get $B)))
              (local.set $B (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $db2)) (local.get $B)))
              (local.set $B (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $db3)) (local.get $B)))
            ;; ... through the matrix, rounded to the nearest output table entry, and that entry (sRGB
            ;; in 1/16 units, u16 in the low half of each lane) ...
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=0 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=16 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=32 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $r (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $r (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $r)))
              (local.set $r (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $r)))
              (local.set $r (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $r)))
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=48 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=64 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=80 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $gr (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $gr (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $gr)))
              (local.set $gr (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $gr)))
              (local.set $gr (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $gr)))
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=96 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=112 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=128 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $b (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $b (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $b)))
              (local.set $b (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $b)))
              (local.set $b (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $b)))
            ;; ... and their new luma in 16-bit fixed point (the weights sum to 65536), kept for the stores.
            (v128.store offset=16 (local.get $scratch) (i32x4.shr_u (i32x4.add
              (i32x4.add (i32x4.mul (local.get $r) (v128.const i32x4 19595 19595 19595 19595)) (i32x4.mul (local.get $gr) (v128.const i32x4 38470 38470 38470 38470)))
              (i32x4.add (i32x4.mul (local.get $b) (v128.const i32x4 7471 7471 7471 7471)) (v128.const i32x4 32768 32768 32768 32768))) (i32.const 16)))
            (local.set $sr (i32x4.add (local.get $sr) (local.get $r)))
            (local.set $sg (i32x4.add (local.get $sg) (local.get $gr)))
            (local.set $sb (i32x4.add (local.get $sb) (local.get $b)))
            ;; The blocks' bottom-left pixels: each lane's sample (times 4, a table offset) ...
            (local.set $y0 (i32.shl (i32.load16_u offset=0 (local.get $yq)) (i32.const 2)))
            (local.set $y1 (i32.shl (i32.load16_u offset=4 (local.get $yq)) (i32.const 2)))
            (local.set $y2 (i32.shl (i32.load16_u offset=8 (local.get $yq)) (i32.const 2)))
            (local.set $y3 (i32.shl (i32.load16_u offset=12 (local.get $yq)) (i32.const 2)))
            ;; ... in linear light ...
              (local.set $R (v128.load32_zero (i32.add (local.get $y0) (local.get $dr0))))
              (local.set $R (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $dr1)) (local.get $R)))
              (local.set $R (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $dr2)) (local.get $R)))
              (local.set $R (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $dr3)) (local.get $R)))
              (local.set $G (v128.load32_zero (i32.add (local.get $y0) (local.get $dg0))))
              (local.set $G (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $dg1)) (local.get $G)))
              (local.set $G (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $dg2)) (local.get $G)))
              (local.set $G (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $dg3)) (local.get $G)))
              (local.set $B (v128.load32_zero (i32.add (local.get $y0) (local.get $db0))))
              (local.set $B (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $db1)) (local.get $B)))
              (local.set $B (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $db2)) (local.get $B)))
              (local.set $B (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $db3)) (local.get $B)))
            ;; ... through the matrix, rounded to the nearest output table entry, and that entry (sRGB
            ;; in 1/16 units, u16 in the low half of each lane) ...
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=0 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=16 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=32 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $r (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $r (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $r)))
              (local.set $r (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $r)))
              (local.set $r (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $r)))
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=48 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=64 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=80 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $gr (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $gr (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $gr)))
              (local.set $gr (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $gr)))
              (local.set $gr (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $gr)))
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=96 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=112 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=128 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $b (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $b (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $b)))
              (local.set $b (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $b)))
              (local.set $b (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $b)))
            ;; ... and their new luma in 16-bit fixed point (the weights sum to 65536), kept for the stores.
            (v128.store offset=32 (local.get $scratch) (i32x4.shr_u (i32x4.add
              (i32x4.add (i32x4.mul (local.get $r) (v128.const i32x4 19595 19595 19595 19595)) (i32x4.mul (local.get $gr) (v128.const i32x4 38470 38470 38470 38470)))
              (i32x4.add (i32x4.mul (local.get $b) (v128.const i32x4 7471 7471 7471 7471)) (v128.const i32x4 32768 32768 32768 32768))) (i32.const 16)))
            (local.set $sr (i32x4.add (local.get $sr) (local.get $r)))
            (local.set $sg (i32x4.add (local.get $sg) (local.get $gr)))
            (local.set $sb (i32x4.add (local.get $sb) (local.get $b)))
            ;; The blocks' bottom-right pixels: each lane's sample (times 4, a table offset) ...
            (local.set $y0 (i32.shl (i32.load16_u offset=2 (local.get $yq)) (i32.const 2)))
            (local.set $y1 (i32.shl (i32.load16_u offset=6 (local.get $yq)) (i32.const 2)))
            (local.set $y2 (i32.shl (i32.load16_u offset=10 (local.get $yq)) (i32.const 2)))
            (local.set $y3 (i32.shl (i32.load16_u offset=14 (local.get $yq)) (i32.const 2)))
            ;; ... in linear light ...
              (local.set $R (v128.load32_zero (i32.add (local.get $y0) (local.get $dr0))))
              (local.set $R (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $dr1)) (local.get $R)))
              (local.set $R (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $dr2)) (local.get $R)))
              (local.set $R (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $dr3)) (local.get $R)))
              (local.set $G (v128.load32_zero (i32.add (local.get $y0) (local.get $dg0))))
              (local.set $G (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $dg1)) (local.get $G)))
              (local.set $G (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $dg2)) (local.get $G)))
              (local.set $G (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $dg3)) (local.get $G)))
              (local.set $B (v128.load32_zero (i32.add (local.get $y0) (local.get $db0))))
              (local.set $B (v128.load32_lane 1 (i32.add (local.get $y1) (local.get $db1)) (local.get $B)))
              (local.set $B (v128.load32_lane 2 (i32.add (local.get $y2) (local.get $db2)) (local.get $B)))
              (local.set $B (v128.load32_lane 3 (i32.add (local.get $y3) (local.get $db3)) (local.get $B)))
            ;; ... through the matrix, rounded to the nearest output table entry, and that entry (sRGB
            ;; in 1/16 units, u16 in the low half of each lane) ...
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=0 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=16 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=32 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $r (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $r (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $r)))
              (local.set $r (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $r)))
              (local.set $r (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $r)))
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=48 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=64 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=80 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $gr (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $gr (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $gr)))
              (local.set $gr (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $gr)))
              (local.set $gr (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $gr)))
              (local.set $a (i32x4.shl (i32x4.sub (f32x4.add (f32x4.add (f32x4.add (f32x4.add
                (f32x4.mul (local.get $R) (v128.load offset=96 (local.get $k)))
                (f32x4.mul (local.get $G) (v128.load offset=112 (local.get $k))))
                (f32x4.mul (local.get $B) (v128.load offset=128 (local.get $k))))
                (v128.load offset=144 (local.get $k))) (global.get $magic)) (global.get $magicBits)) (i32.const 1)))
              (local.set $b (v128.load16_lane 0 (i32x4.extract_lane 0 (local.get $a)) (v128.const i32x4 0 0 0 0)))
              (local.set $b (v128.load16_lane 2 (i32x4.extract_lane 1 (local.get $a)) (local.get $b)))
              (local.set $b (v128.load16_lane 4 (i32x4.extract_lane 2 (local.get $a)) (local.get $b)))
              (local.set $b (v128.load16_lane 6 (i32x4.extract_lane 3 (local.get $a)) (local.get $b)))
            ;; ... and their new luma in 16-bit fixed point (the weights sum to 65536), kept for the stores.
            (v128.store offset=48 (local.get $scratch) (i32x4.shr_u (i32x4.add
              (i32x4.add (i32x4.mul (local.get $r) (v128.const i32x4 19595 19595 19595 19595)) (i32x4.mul (local.get $gr) (v128.const i32x4 38470 38470 38470 38470)))
              (i32x4.add (i32x4.mul (local.get $b) (v128.const i32x4 7471 7471 7471 7471)) (v128.const i32x4 32768 32768 32768 32768))) (i32.const 16)))
            (local.set $sr (i32x4.add (local.get $sr) (local.get $r)))
            (local.set $sg (i32x4.add (local.get $sg) (local.get $gr)))
            (local.set $sb (i32x4.add (local.get $sb) (local.get $b)))
            ;; The new luma, left pixels in the low halves.
            (v128.store (local.get $yp) (v128.or (v128.load offset=0 (local.get $scratch))
              (i32x4.shl (v128.load offset=16 (local.get $scratch)) (i32.const 16))))
            (v128.store (local.get $yq) (v128.or (v128.load offset=32 (local.get $scratch))
              (i32x4.shl (v128.load offset=48 (local.get $scratch)) (i32.const 16))))
            ;; The chroma of the blocks' mean colours (chroma is linear in R'G'B'): JFIF's weights
            ;; in 16-bit fixed point over the sums of four pixels, plus 128 and a rounding half, as
            ;; the JavaScript loop computes it (the sums are positive; only the top needs a clamp).
            (local.set $c (i32x4.min_s (i32x4.shr_s (i32x4.add
              (i32x4.add (i32x4.mul (local.get $sr) (v128.const i32x4 -11058 -11058 -11058 -11058)) (i32x4.mul (local.get $sg) (v128.const i32x4 -21710 -21710 -21710 -21710)))
              (i32x4.add (i32x4.mul (local.get $sb) (v128.const i32x4 32768 32768 32768 32768)) (v128.const i32x4 537001984 537001984 537001984 537001984))) (i32.const 18)) (v128.const i32x4 4080 4080 4080 4080)))
            (v128.store64_lane 0 (i32.add (local.get $cb) (local.get $cp)) (i16x8.narrow_i32x4_u (local.get $c) (local.get $c)))
            (local.set $c (i32x4.min_s (i32x4.shr_s (i32x4.add
              (i32x4.add (i32x4.mul (local.get $sr) (v128.const i32x4 32768 32768 32768 32768)) (i32x4.mul (local.get $sg) (v128.const i32x4 -27439 -27439 -27439 -27439)))
              (i32x4.add (i32x4.mul (local.get $sb) (v128.const i32x4 -5329 -5329 -5329 -5329)) (v128.const i32x4 537001984 537001984 537001984 537001984))) (i32.const 18)) (v128.const i32x4 4080 4080 4080 4080)))
            (v128.store64_lane 0 (i32.add (local.get $cr) (local.get $cp)) (i16x8.narrow_i32x4_u (local.get $c) (local.get $c)))
            (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
            (local.set $yq (i32.add (local.get $yq) (i32.const 16)))
            (local.set $cp (i32.add (local.get $cp) (i32.const 8)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $gloop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop))))
)
