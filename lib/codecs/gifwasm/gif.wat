;; GIF LZW decoding and encoding, the decoder's compositing steps, the integer resize of frames
;; for GIF output and the writer's index mapping and differencing, for
;; lib/codecs/gifwasm/gifwasm.ts. It is the twin of lib/codecs/gif-lzw.ts (lzwDecode, lzwEncode),
;; gif.ts (blit, hasTransparency), gif-resize.ts (resizeOpaqueJs), quantize.ts (the mapping loop)
;; and gif-anim.ts (changedRect) and must give exactly what they give: the same indices and counts for
;; every input, valid or not, and the same bytes out.
;; Source for lib/codecs/gifwasm/gif-bytes.ts (regenerate with `npm run build:wasm`).
;;
;; Memory layout is the caller's (gifwasm.ts lays it out with runtime.ts's Layout):
;;   decode: src (the sub-block data, dechunked, followed by 8 zero bytes), out (count + 8 bytes:
;;           string copies may write up to 7 bytes past what they keep), tab (offsets i32[4096],
;;           then lengths i32[4096])
;;   encode: idx (the indices), raw (the packed codes, at most 1.51 bytes per index plus 16, and 8
;;           bytes of slack), tab (the dictionary: 4096 << code size u16 entries), out
(module
  (memory (export "memory") 1)

  ;; dechunk copies the data of the sub-block chain whose first length byte is at $q to $dst,
  ;; up to a block terminator or to $end (the end of the file: a cut chain keeps what it has),
  ;; then 8 zero bytes, and returns how many data bytes it copied.
  (func (export "dechunk") (param $q i32) (param $end i32) (param $dst i32) (result i32)
    (local $d i32) (local $n i32)
    (local.set $d (local.get $dst))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $n (i32.load8_u (local.get $q)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br_if $done (i32.eqz (local.get $n)))
        (if (i32.gt_u (local.get $n) (i32.sub (local.get $end) (local.get $q)))
          (then (local.set $n (i32.sub (local.get $end) (local.get $q)))))
        (memory.copy (local.get $d) (local.get $q) (local.get $n))
        (local.set $d (i32.add (local.get $d) (local.get $n)))
        (local.set $q (i32.add (local.get $q) (local.get $n)))
        (br $next)))
    (i64.store (local.get $d) (i64.const 0))
    (i32.sub (local.get $d) (local.get $dst)))

  ;; decode decodes the $len bytes of LZW data at $src (code size $min) into at most $count
  ;; indices at $out and returns how many it produced: lzwDecode's loop, reading codes straight
  ;; from the dechunked data (a code that needs bits past its end ends the frame, as the chain's
  ;; end does there). A table entry is an earlier output string plus one byte, kept as its
  ;; address and length, so decoding a code is a forward copy, eight bytes at a time when the
  ;; source ends at least eight bytes before the destination (so every byte read is final).
  (func (export "decode") (param $src i32) (param $len i32) (param $min i32) (param $out i32) (param $count i32)
    (param $tab i32) (result i32)
    (local $clear i32) (local $next i32) (local $width i32) (local $mask i32) (local $prev i32)
    (local $prevPos i32) (local $prevLen i32) (local $op i32) (local $outEnd i32) (local $pos i32)
    (local $bits i32) (local $code i32) (local $n i32) (local $s i32) (local $stop i32) (local $lens i32)
    (if (i32.eqz (local.get $count)) (then (return (i32.const 0))))
    (local.set $lens (i32.add (local.get $tab) (i32.const 16384)))
    (local.set $clear (i32.shl (i32.const 1) (local.get $min)))
    (local.set $next (i32.add (local.get $clear) (i32.const 2)))
    (local.set $width (i32.add (local.get $min) (i32.const 1)))
    (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $width)) (i32.const 1)))
    (local.set $prev (i32.const -1))
    (local.set $op (local.get $out))
    (local.set $outEnd (i32.add (local.get $out) (local.get $count)))
    (local.set $bits (i32.shl (local.get $len) (i32.const 3)))
    (block $ret
      (loop $loop
        (br_if $ret (i32.gt_u (i32.add (local.get $pos) (local.get $width)) (local.get $bits)))
        (local.set $code (i32.and
          (i32.shr_u (i32.load (i32.add (local.get $src) (i32.shr_u (local.get $pos) (i32.const 3))))
            (i32.and (local.get $pos) (i32.const 7)))
          (local.get $mask)))
        (local.set $pos (i32.add (local.get $pos) (local.get $width)))
        (if (i32.eq (local.get $code) (local.get $clear))
          (then
            (local.set $next (i32.add (local.get $clear) (i32.const 2)))
            (local.set $width (i32.add (local.get $min) (i32.const 1)))
            (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $width)) (i32.const 1)))
            (local.set $prev (i32.const -1))
            (br $loop)))
        (br_if $ret (i32.eq (local.get $code) (i32.add (local.get $clear) (i32.const 1))))
        (if (i32.lt_s (local.get $prev) (i32.const 0))
          (then (br_if $ret (i32.ge_u (local.get $code) (local.get $clear))))
          (else
            (br_if $ret (i32.gt_u (local.get $code) (local.get $next)))
            (if (i32.lt_u (local.get $next) (i32.const 4096))
              (then
                (i32.store (i32.add (local.get $tab) (i32.shl (local.get $next) (i32.const 2))) (local.get $prevPos))
                (i32.store (i32.add (local.get $lens) (i32.shl (local.get $next) (i32.const 2)))
                  (i32.add (local.get $prevLen) (i32.const 1)))
                (local.set $next (i32.add (local.get $next) (i32.const 1)))
                (if (i32.and (i32.eq (local.get $next) (i32.shl (i32.const 1) (local.get $width)))
                      (i32.lt_u (local.get $width) (i32.const 12)))
                  (then
                    (local.set $width (i32.add (local.get $width) (i32.const 1)))
                    (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $width)) (i32.const 1))))))
              (else (br_if $ret (i32.eq (local.get $code) (local.get $next)))))))
        (local.set $prevPos (local.get $op))
        (if (i32.lt_u (local.get $code) (local.get $clear))
          (then
            (i32.store8 (local.get $op) (local.get $code))
            (local.set $op (i32.add (local.get $op) (i32.const 1)))
            (local.set $prevLen (i32.const 1)))
          (else
            (local.set $n (i32.load (i32.add (local.get $lens) (i32.shl (local.get $code) (i32.const 2)))))
            (local.set $s (i32.load (i32.add (local.get $tab) (i32.shl (local.get $code) (i32.const 2)))))
            (local.set $stop (i32.add (local.get $op) (local.get $n)))
            (if (i32.gt_u (local.get $stop) (local.get $outEnd)) (then (local.set $stop (local.get $outEnd))))
            (if (i32.ge_u (i32.sub (local.get $op) (local.get $s)) (i32.const 8))
              (then
                (loop $wide
                  (i64.store (local.get $op) (i64.load (local.get $s)))
                  (local.set $op (i32.add (local.get $op) (i32.const 8)))
                  (local.set $s (i32.add (local.get $s) (i32.const 8)))
                  (br_if $wide (i32.lt_u (local.get $op) (local.get $stop))))
                (local.set $op (local.get $stop)))
              (else
                ;; code === next: the source overlaps the destination by one byte, which a forward
                ;; byte copy gets right (the last byte read is the first one written).
                (loop $narrow
                  (i32.store8 (local.get $op) (i32.load8_u (local.get $s)))
                  (local.set $op (i32.add (local.get $op) (i32.const 1)))
                  (local.set $s (i32.add (local.get $s) (i32.const 1)))
                  (br_if $narrow (i32.lt_u (local.get $op) (local.get $stop))))))
            (local.set $prevLen (local.get $n))))
        (local.set $prev (i32.const 0))
        (br_if $loop (i32.lt_u (local.get $op) (local.get $outEnd)))))
    (i32.sub (local.get $op) (local.get $out)))

  ;; blit draws the first $decoded of a $fw-wide frame's indices at $idx onto the RGBA canvas:
  ;; index row r goes to the canvas address rows[r] (an i32 each, interlacing and placement
  ;; already applied), each index as its pal entry (an RGBA word); index $t (-1 for none) is
  ;; left out.
  (func (export "blit") (param $idx i32) (param $decoded i32) (param $fw i32) (param $fh i32) (param $rows i32)
    (param $pal i32) (param $t i32)
    (local $row i32) (local $i i32) (local $end i32) (local $o i32) (local $v i32)
    (block $done
      (loop $nextRow
        (br_if $done (i32.ge_u (local.get $row) (local.get $fh)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $decoded)))
        (local.set $end (i32.add (local.get $i) (local.get $fw)))
        (if (i32.gt_u (local.get $end) (local.get $decoded)) (then (local.set $end (local.get $decoded))))
        (local.set $o (i32.load (i32.add (local.get $rows) (i32.shl (local.get $row) (i32.const 2)))))
        (if (i32.lt_s (local.get $t) (i32.const 0))
          (then
            (loop $px
              (i32.store (local.get $o) (i32.load (i32.add (local.get $pal)
                (i32.shl (i32.load8_u (i32.add (local.get $idx) (local.get $i))) (i32.const 2)))))
              (local.set $o (i32.add (local.get $o) (i32.const 4)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $px (i32.lt_u (local.get $i) (local.get $end)))))
          (else
            (loop $px
              (local.set $v (i32.load8_u (i32.add (local.get $idx) (local.get $i))))
              (if (i32.ne (local.get $v) (local.get $t))
                (then (i32.store (local.get $o) (i32.load (i32.add (local.get $pal) (i32.shl (local.get $v) (i32.const 2)))))))
              (local.set $o (i32.add (local.get $o) (i32.const 4)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $px (i32.lt_u (local.get $i) (local.get $end))))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $nextRow))))

  ;; transparent reports whether any of the $n RGBA pixels at $p has alpha below 255.
  (func (export "transparent") (param $p i32) (param $n i32) (result i32)
    (local $end i32) (local $vend i32) (local $alpha v128)
    (local.set $alpha (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.sub (local.get $end) (i32.and (i32.shl (local.get $n) (i32.const 2)) (i32.const 63))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $p) (local.get $vend)))
        (if (v128.any_true (v128.or
              (v128.or
                (i32x4.ne (v128.and (v128.load offset=0 (local.get $p)) (local.get $alpha)) (local.get $alpha))
                (i32x4.ne (v128.and (v128.load offset=16 (local.get $p)) (local.get $alpha)) (local.get $alpha)))
              (v128.or
                (i32x4.ne (v128.and (v128.load offset=32 (local.get $p)) (local.get $alpha)) (local.get $alpha))
                (i32x4.ne (v128.and (v128.load offset=48 (local.get $p)) (local.get $alpha)) (local.get $alpha)))))
          (then (return (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $block)))
    (block $end2
      (loop $tail
        (br_if $end2 (i32.ge_u (local.get $p) (local.get $end)))
        (if (i32.ne (i32.load8_u offset=3 (local.get $p)) (i32.const 255)) (then (return (i32.const 1))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (i32.const 0))

  ;; map is quantize.ts's index mapping from pixel $from on: pixel i of the $n RGBA pixels at
  ;; $rgba gets lut[15-bit key of its colour] (u16 entries at $lut), or $tIndex when $keepAlpha
  ;; and its alpha is below 128. It stops at the first pixel whose cell is unset (0xffff) and
  ;; returns its number, for the caller to fill that cell and call again; $n when done.
  (func (export "map") (param $rgba i32) (param $n i32) (param $from i32) (param $lut i32) (param $idx i32)
    (param $keepAlpha i32) (param $tIndex i32) (result i32)
    (local $i i32) (local $px i32) (local $v i32)
    (local.set $i (local.get $from))
    (block $done
      (loop $pixel
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $px (i32.load (i32.add (local.get $rgba) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.and (local.get $keepAlpha) (i32.lt_u (i32.shr_u (local.get $px) (i32.const 24)) (i32.const 128)))
          (then (local.set $v (local.get $tIndex)))
          (else
            ;; Little-endian RGBA: red is the low byte. Key: r >> 3 << 10 | g >> 3 << 5 | b >> 3.
            (local.set $v (i32.load16_u (i32.add (local.get $lut) (i32.shl
              (i32.or (i32.or
                (i32.shl (i32.and (local.get $px) (i32.const 0xf8)) (i32.const 7))
                (i32.shr_u (i32.and (local.get $px) (i32.const 0xf800)) (i32.const 6)))
                (i32.shr_u (i32.and (local.get $px) (i32.const 0xf80000)) (i32.const 19)))
              (i32.const 1)))))
            (br_if $done (i32.eq (local.get $v) (i32.const 0xffff)))))
        (i32.store8 (i32.add (local.get $idx) (local.get $i)) (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pixel)))
    (local.get $i))

  ;; changed is gif-anim.ts's changedRect: the bounding rectangle of the indices at $idx (a
  ;; $width x $height frame) that differ from $prev, stored as i32 x, y, w, h at $rect, and the
  ;; frame's indices inside it at $px with the unchanged ones set to $t; it returns how many
  ;; indices it wrote. A frame that changes nothing is one pixel of $t at (0, 0).
  (func (export "changed") (param $idx i32) (param $prev i32) (param $width i32) (param $height i32) (param $t i32)
    (param $px i32) (param $rect i32) (result i32)
    (local $x0 i32) (local $y0 i32) (local $x1 i32) (local $y1 i32) (local $y i32) (local $row i32)
    (local $first i32) (local $last i32) (local $d i64) (local $w i32) (local $h i32) (local $o i32)
    (local $a i32) (local $b i32) (local $x i32) (local $v i32) (local $tv v128) (local $va v128)
    (local.set $x0 (local.get $width))
    (local.set $y0 (i32.const -1))
    (local.set $x1 (i32.const -1))
    (local.set $y1 (i32.const -1))
    (block $rows
      (loop $nextRow
        (br_if $rows (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $row (i32.mul (local.get $y) (local.get $width)))
        (local.set $a (i32.add (local.get $idx) (local.get $row)))
        (local.set $b (i32.add (local.get $prev) (local.get $row)))
        ;; The first change, eight indices at a time, then one at a time.
        (local.set $first (i32.const 0))
        (block $found
          (loop $wide
            (br_if $found (i32.gt_u (i32.add (local.get $first) (i32.const 8)) (local.get $width)))
            (local.set $d (i64.xor (i64.load (i32.add (local.get $a) (local.get $first)))
              (i64.load (i32.add (local.get $b) (local.get $first)))))
            (if (i64.ne (local.get $d) (i64.const 0))
              (then
                (local.set $first (i32.add (local.get $first) (i32.wrap_i64 (i64.shr_u (i64.ctz (local.get $d)) (i64.const 3)))))
                (br $found)))
            (local.set $first (i32.add (local.get $first) (i32.const 8)))
            (br $wide)))
        (block $scanned
          (loop $narrow
            (br_if $scanned (i32.ge_u (local.get $first) (local.get $width)))
            (br_if $scanned (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $first)))
              (i32.load8_u (i32.add (local.get $b) (local.get $first)))))
            (local.set $first (i32.add (local.get $first) (i32.const 1)))
            (br $narrow)))
        (if (i32.lt_u (local.get $first) (local.get $width))
          (then
            ;; The last change, from the row's end: there is one, at $first or after.
            (local.set $last (i32.sub (local.get $width) (i32.const 1)))
            (block $foundLast
              (loop $wideBack
                (br_if $foundLast (i32.lt_s (i32.sub (local.get $last) (i32.const 7)) (local.get $first)))
                (local.set $d (i64.xor (i64.load (i32.add (local.get $a) (i32.sub (local.get $last) (i32.const 7))))
                  (i64.load (i32.add (local.get $b) (i32.sub (local.get $last) (i32.const 7))))))
                (if (i64.ne (local.get $d) (i64.const 0))
                  (then
                    (local.set $last (i32.sub (local.get $last) (i32.wrap_i64 (i64.shr_u (i64.clz (local.get $d)) (i64.const 3)))))
                    (br $foundLast)))
                (local.set $last (i32.sub (local.get $last) (i32.const 8)))
                (br $wideBack)))
            (block $scannedBack
              (loop $narrowBack
                (br_if $scannedBack (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $last)))
                  (i32.load8_u (i32.add (local.get $b) (local.get $last)))))
                (local.set $last (i32.sub (local.get $last) (i32.const 1)))
                (br $narrowBack)))
            (if (i32.lt_s (local.get $y0) (i32.const 0)) (then (local.set $y0 (local.get $y))))
            (local.set $y1 (local.get $y))
            (if (i32.lt_u (local.get $first) (local.get $x0)) (then (local.set $x0 (local.get $first))))
            (if (i32.gt_s (local.get $last) (local.get $x1)) (then (local.set $x1 (local.get $last))))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $nextRow)))
    (if (i32.lt_s (local.get $y0) (i32.const 0))
      (then
        (i64.store (local.get $rect) (i64.const 0))
        (i64.store offset=8 (local.get $rect) (i64.const 0x0000000100000001))
        (i32.store8 (local.get $px) (local.get $t))
        (return (i32.const 1))))
    (local.set $w (i32.add (i32.sub (local.get $x1) (local.get $x0)) (i32.const 1)))
    (local.set $h (i32.add (i32.sub (local.get $y1) (local.get $y0)) (i32.const 1)))
    (i32.store (local.get $rect) (local.get $x0))
    (i32.store offset=4 (local.get $rect) (local.get $y0))
    (i32.store offset=8 (local.get $rect) (local.get $w))
    (i32.store offset=12 (local.get $rect) (local.get $h))
    ;; The rectangle's indices, unchanged ones as $t: sixteen at a time, then one at a time.
    (local.set $tv (i8x16.splat (local.get $t)))
    (local.set $o (local.get $px))
    (local.set $y (local.get $y0))
    (loop $copyRow
      (local.set $a (i32.add (local.get $idx) (i32.add (i32.mul (local.get $y) (local.get $width)) (local.get $x0))))
      (local.set $b (i32.add (local.get $prev) (i32.add (i32.mul (local.get $y) (local.get $width)) (local.get $x0))))
      (local.set $x (i32.const 0))
      (block $tail
        (loop $vec
          (br_if $tail (i32.gt_u (i32.add (local.get $x) (i32.const 16)) (local.get $w)))
          (local.set $va (v128.load (i32.add (local.get $a) (local.get $x))))
          (v128.store (i32.add (local.get $o) (local.get $x))
            (v128.bitselect (local.get $tv) (local.get $va)
              (i8x16.eq (local.get $va) (v128.load (i32.add (local.get $b) (local.get $x))))))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (br $vec)))
      (block $rowDone
        (loop $one
          (br_if $rowDone (i32.ge_u (local.get $x) (local.get $w)))
          (local.set $v (i32.load8_u (i32.add (local.get $a) (local.get $x))))
          (i32.store8 (i32.add (local.get $o) (local.get $x))
            (select (local.get $t) (local.get $v)
              (i32.eq (local.get $v) (i32.load8_u (i32.add (local.get $b) (local.get $x))))))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br $one)))
      (local.set $o (i32.add (local.get $o) (local.get $w)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br_if $copyRow (i32.le_s (local.get $y) (local.get $y1))))
    (i32.mul (local.get $w) (local.get $h)))

  ;; encode writes the $n indices at $idx as a GIF LZW stream at $out: the code size byte, the
  ;; sub-blocks and their terminator; it returns how many bytes that took. lzwEncode's loop with
  ;; another dictionary (the codes written depend only on which strings are in it): the code of
  ;; string `cur` + index k is the u16 at $tab + ((cur << $min) | k) * 2, (generation << 12) |
  ;; code, live when its 4-bit generation is the current one, so starting the table again is a new
  ;; generation rather than clearing it ($tab has 4096 << $min entries, cleared here and after
  ;; every fifteenth generation). A direct table beat hashing into a small one (7.3 ms against
  ;; 4.6 for the bench's five frames) and u16 entries beat i32 ones (5.7 ms): each step waits on
  ;; the previous one's load, so what matters is the table fitting a near cache. Codes
  ;; are packed at $raw, from the low bit up in a 64-bit accumulator ($acc, $bits; $rp is where its
  ;; next four bytes go), and cut into sub-blocks at the end.
  (func (export "encode") (param $idx i32) (param $n i32) (param $min i32) (param $raw i32) (param $tab i32)
    (param $out i32) (result i32)
    (local $clear i32) (local $eoi i32) (local $indexMask i32) (local $next i32) (local $width i32)
    (local $i i32) (local $k i32) (local $cur i32) (local $e i32) (local $v i32) (local $gen i32)
    (local $acc i64) (local $bits i32) (local $rp i32) (local $len i32) (local $p i32) (local $q i32) (local $m i32)
    (local.set $clear (i32.shl (i32.const 1) (local.get $min)))
    (local.set $eoi (i32.add (local.get $clear) (i32.const 1)))
    (local.set $indexMask (i32.sub (local.get $clear) (i32.const 1)))
    (local.set $next (i32.add (local.get $eoi) (i32.const 1)))
    (local.set $width (i32.add (local.get $min) (i32.const 1)))
    (memory.fill (local.get $tab) (i32.const 0) (i32.shl (i32.const 8192) (local.get $min)))
    (local.set $gen (i32.const 1))
    (local.set $rp (local.get $raw))
    ;; A stream starts with a clear code.
    (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.extend_i32_u (local.get $clear)) (i64.extend_i32_u (local.get $bits)))))
    (local.set $bits (i32.add (local.get $bits) (local.get $width)))
    (if (i32.ge_u (local.get $bits) (i32.const 32))
      (then
        (i32.store (local.get $rp) (i32.wrap_i64 (local.get $acc)))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (local.set $acc (i64.shr_u (local.get $acc) (i64.const 32)))
        (local.set $bits (i32.sub (local.get $bits) (i32.const 32)))))
    (if (i32.gt_u (local.get $n) (i32.const 0))
      (then (local.set $cur (i32.and (i32.load8_u (local.get $idx)) (local.get $indexMask)))))
    (local.set $i (i32.const 1))
    (block $done
      (loop $pixel
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $k (i32.and (i32.load8_u (i32.add (local.get $idx) (local.get $i))) (local.get $indexMask)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $e (i32.add (local.get $tab)
          (i32.shl (i32.or (i32.shl (local.get $cur) (local.get $min)) (local.get $k)) (i32.const 1))))
        (local.set $v (i32.load16_u (local.get $e)))
        (if (i32.eq (i32.shr_u (local.get $v) (i32.const 12)) (local.get $gen))
          (then
            (local.set $cur (i32.and (local.get $v) (i32.const 4095)))
            (br $pixel)))
        ;; The string cur + k is new: code cur, then add the string (or start again when full).
        (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.extend_i32_u (local.get $cur)) (i64.extend_i32_u (local.get $bits)))))
        (local.set $bits (i32.add (local.get $bits) (local.get $width)))
        (if (i32.ge_u (local.get $bits) (i32.const 32))
          (then
            (i32.store (local.get $rp) (i32.wrap_i64 (local.get $acc)))
            (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
            (local.set $acc (i64.shr_u (local.get $acc) (i64.const 32)))
            (local.set $bits (i32.sub (local.get $bits) (i32.const 32)))))
        (if (i32.eq (local.get $next) (i32.const 4096))
          (then
            ;; The table is full: start again, as decoders expect, rather than coding on with a stale table.
            (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.extend_i32_u (local.get $clear)) (i64.extend_i32_u (local.get $bits)))))
            (local.set $bits (i32.add (local.get $bits) (local.get $width)))
            (if (i32.ge_u (local.get $bits) (i32.const 32))
              (then
                (i32.store (local.get $rp) (i32.wrap_i64 (local.get $acc)))
                (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
                (local.set $acc (i64.shr_u (local.get $acc) (i64.const 32)))
                (local.set $bits (i32.sub (local.get $bits) (i32.const 32)))))
            (local.set $next (i32.add (local.get $eoi) (i32.const 1)))
            (local.set $width (i32.add (local.get $min) (i32.const 1)))
            (local.set $gen (i32.add (local.get $gen) (i32.const 1)))
            ;; Four bits of generation: after fifteen, the table is cleared and they start again.
            (if (i32.eq (local.get $gen) (i32.const 16))
              (then
                (memory.fill (local.get $tab) (i32.const 0) (i32.shl (i32.const 8192) (local.get $min)))
                (local.set $gen (i32.const 1)))))
          (else
            ;; The decoder widens when its table reaches 1 << width, one code after the encoder adds the entry.
            (if (i32.ge_u (local.get $next) (i32.shl (i32.const 1) (local.get $width)))
              (then (local.set $width (i32.add (local.get $width) (i32.const 1)))))
            (i32.store16 (local.get $e) (i32.or (i32.shl (local.get $gen) (i32.const 12)) (local.get $next)))
            (local.set $next (i32.add (local.get $next) (i32.const 1)))))
        (local.set $cur (local.get $k))
        (br $pixel)))
    (if (i32.gt_u (local.get $n) (i32.const 0))
      (then
        (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.extend_i32_u (local.get $cur)) (i64.extend_i32_u (local.get $bits)))))
        (local.set $bits (i32.add (local.get $bits) (local.get $width)))
        (if (i32.ge_u (local.get $bits) (i32.const 32))
          (then
            (i32.store (local.get $rp) (i32.wrap_i64 (local.get $acc)))
            (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
            (local.set $acc (i64.shr_u (local.get $acc) (i64.const 32)))
            (local.set $bits (i32.sub (local.get $bits) (i32.const 32)))))
))
    (local.set $acc (i64.or (local.get $acc) (i64.shl (i64.extend_i32_u (local.get $eoi)) (i64.extend_i32_u (local.get $bits)))))
    (local.set $bits (i32.add (local.get $bits) (local.get $width)))
    (if (i32.ge_u (local.get $bits) (i32.const 32))
      (then
        (i32.store (local.get $rp) (i32.wrap_i64 (local.get $acc)))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (local.set $acc (i64.shr_u (local.get $acc) (i64.const 32)))
        (local.set $bits (i32.sub (local.get $bits) (i32.const 32)))))
    ;; The bits left (under 32) take their whole bytes.
    (i64.store (local.get $rp) (local.get $acc))
    (local.set $len (i32.add (i32.sub (local.get $rp) (local.get $raw))
      (i32.shr_u (i32.add (local.get $bits) (i32.const 7)) (i32.const 3))))
    ;; Sub-blocks of 255 bytes, the last one shorter, then the terminator.
    (i32.store8 (local.get $out) (local.get $min))
    (local.set $p (i32.add (local.get $out) (i32.const 1)))
    (local.set $q (local.get $raw))
    (block $packed
      (loop $chunk
        (br_if $packed (i32.eqz (local.get $len)))
        (local.set $m (select (i32.const 255) (local.get $len) (i32.gt_u (local.get $len) (i32.const 255))))
        (i32.store8 (local.get $p) (local.get $m))
        (memory.copy (i32.add (local.get $p) (i32.const 1)) (local.get $q) (local.get $m))
        (local.set $p (i32.add (local.get $p) (i32.add (local.get $m) (i32.const 1))))
        (local.set $q (i32.add (local.get $q) (local.get $m)))
        (local.set $len (i32.sub (local.get $len) (local.get $m)))
        (br $chunk)))
    (i32.store8 (local.get $p) (i32.const 0))
    (i32.sub (i32.add (local.get $p) (i32.const 1)) (local.get $out)))
  ;; vresize is gif-resize.ts's vertical pass: sample x of output row y (x < $w, the row's bytes:
  ;; four per RGBA pixel) is clamp((sum of src[row][x] * weight + 512) >> 10, 0, 4080) as u16
  ;; (1/16 units) over its taps. The taps of row y are the i32 triples (offset of row a, offset
  ;; of row b, weight a | weight b << 16) at $pairs + 12 * [start[y], start[y+1]); a lone last tap
  ;; has row b = row a and weight b = 0. The two rows' bytes are interleaved, so that one
  ;; i32x4.dot_i16x8_s adds both taps of four samples; 32 samples a sweep share each triple's
  ;; loads. Reads and writes up to 31 samples past a row.
  (func (export "vresize") (param $src i32) (param $w i32) (param $h i32) (param $start i32) (param $pairs i32)
    (param $out i32)
    (local $y i32) (local $x i32) (local $k i32) (local $k0 i32) (local $kEnd i32) (local $o i32) (local $p i32)
    (local $pa i32) (local $pb i32)
    (local $wv v128) (local $va v128) (local $vb v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $half v128) (local $max v128) (local $zero v128)
    (local.set $half (v128.const i32x4 512 512 512 512))
    (local.set $max (v128.const i32x4 4080 4080 4080 4080))
    (local.set $o (local.get $out))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $p (i32.add (local.get $start) (i32.shl (local.get $y) (i32.const 2))))
        (local.set $k0 (i32.add (local.get $pairs) (i32.mul (i32.load (local.get $p)) (i32.const 12))))
        (local.set $kEnd (i32.add (local.get $pairs) (i32.mul (i32.load offset=4 (local.get $p)) (i32.const 12))))
        (local.set $x (i32.const 0))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_u (local.get $x) (local.get $w)))
            (local.set $a0 (local.get $zero))
            (local.set $a1 (local.get $zero))
            (local.set $a2 (local.get $zero))
            (local.set $a3 (local.get $zero))
            (local.set $a4 (local.get $zero))
            (local.set $a5 (local.get $zero))
            (local.set $a6 (local.get $zero))
            (local.set $a7 (local.get $zero))
            (local.set $k (local.get $k0))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_u (local.get $k) (local.get $kEnd)))
                (local.set $pa (i32.add (i32.add (local.get $src) (local.get $x)) (i32.load (local.get $k))))
                (local.set $pb (i32.add (i32.add (local.get $src) (local.get $x)) (i32.load offset=4 (local.get $k))))
                (local.set $wv (v128.load32_splat offset=8 (local.get $k)))
                (local.set $va (v128.load (local.get $pa)))
                (local.set $vb (v128.load (local.get $pb)))
                (local.set $lo (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $va) (local.get $vb)))
                (local.set $hi (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $va) (local.get $vb)))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $lo)) (local.get $wv))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $lo)) (local.get $wv))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $hi)) (local.get $wv))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $hi)) (local.get $wv))))
                (local.set $va (v128.load offset=16 (local.get $pa)))
                (local.set $vb (v128.load offset=16 (local.get $pb)))
                (local.set $lo (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $va) (local.get $vb)))
                (local.set $hi (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $va) (local.get $vb)))
                (local.set $a4 (i32x4.add (local.get $a4) (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $lo)) (local.get $wv))))
                (local.set $a5 (i32x4.add (local.get $a5) (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $lo)) (local.get $wv))))
                (local.set $a6 (i32x4.add (local.get $a6) (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $hi)) (local.get $wv))))
                (local.set $a7 (i32x4.add (local.get $a7) (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $hi)) (local.get $wv))))
                (local.set $k (i32.add (local.get $k) (i32.const 12)))
                (br $kloop)))
            ;; (a + 512) >> 10, clamped to 0..4080; narrowed to u16.
            (v128.store (local.get $o) (i16x8.narrow_i32x4_u
              (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (local.get $a0) (local.get $half)) (i32.const 10)) (local.get $zero)) (local.get $max))
              (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (local.get $a1) (local.get $half)) (i32.const 10)) (local.get $zero)) (local.get $max))))
            (v128.store offset=16 (local.get $o) (i16x8.narrow_i32x4_u
              (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (local.get $a2) (local.get $half)) (i32.const 10)) (local.get $zero)) (local.get $max))
              (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (local.get $a3) (local.get $half)) (i32.const 10)) (local.get $zero)) (local.get $max))))
            (v128.store offset=32 (local.get $o) (i16x8.narrow_i32x4_u
              (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (local.get $a4) (local.get $half)) (i32.const 10)) (local.get $zero)) (local.get $max))
              (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (local.get $a5) (local.get $half)) (i32.const 10)) (local.get $zero)) (local.get $max))))
            (v128.store offset=48 (local.get $o) (i16x8.narrow_i32x4_u
              (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (local.get $a6) (local.get $half)) (i32.const 10)) (local.get $zero)) (local.get $max))
              (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (local.get $a7) (local.get $half)) (i32.const 10)) (local.get $zero)) (local.get $max))))
            (local.set $o (i32.add (local.get $o) (i32.const 64)))
            (local.set $x (i32.add (local.get $x) (i32.const 32)))
            (br $xloop)))
        ;; Rows are $w samples apart: step back over what the last sweep wrote past the row.
        (local.set $o (i32.sub (local.get $o) (i32.shl (i32.sub (local.get $x) (local.get $w)) (i32.const 1))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yloop))))

  ;; hresize is gif-resize.ts's horizontal pass: channel c of output pixel x of row y (of $rows
  ;; rows of $srcW u16 RGBA pixels at $src, to $n RGBA bytes each at $out) is clamp((sum over t <
  ;; 2 * $pairs of src[y][first[x] + t][c] * weight + 131072) >> 18, 0, 255). Output x's weights are
  ;; $pairs i16x8 vectors at $weight + 16 * $pairs * x, taps 2j and 2j+1 as [w w' w w' w w' w w']
  ;; (zero past its real taps); a pair's two pixels are regrouped channel by channel, so one
  ;; i32x4.dot_i16x8_s adds both taps of all four channels. Rows go four at a time, sharing the
  ;; weights' loads: it reads up to three rows past the last and writes up to three output rows
  ;; past it, and reads up to 2 * $pairs - 1 pixels past a row.
  (func (export "hresize") (param $src i32) (param $srcW i32) (param $rows i32) (param $n i32) (param $first i32)
    (param $pairs i32) (param $weight i32) (param $out i32)
    (local $y i32) (local $x i32) (local $t i32) (local $row i32) (local $stride i32) (local $ostride i32)
    (local $p i32) (local $wp i32) (local $o i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $wv v128) (local $half v128) (local $grp v128)
    (local.set $half (v128.const i32x4 131072 131072 131072 131072))
    (local.set $grp (v128.const i8x16 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15))
    (local.set $stride (i32.shl (local.get $srcW) (i32.const 3)))
    (local.set $ostride (i32.shl (local.get $n) (i32.const 2)))
    (local.set $row (local.get $src))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_u (local.get $y) (local.get $rows)))
        (local.set $wp (local.get $weight))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $y) (local.get $ostride))))
        (local.set $x (i32.const 0))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_u (local.get $x) (local.get $n)))
            (local.set $p (i32.add (local.get $row)
              (i32.shl (i32.load (i32.add (local.get $first) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 3))))
            (local.set $acc0 (local.get $half))
            (local.set $acc1 (local.get $half))
            (local.set $acc2 (local.get $half))
            (local.set $acc3 (local.get $half))
            (local.set $t (local.get $pairs))
            (block $tdone
              (loop $tloop
                (br_if $tdone (i32.eqz (local.get $t)))
                (local.set $wv (v128.load (local.get $wp)))
                (local.set $acc0 (i32x4.add (local.get $acc0) (i32x4.dot_i16x8_s
                  (i8x16.swizzle (v128.load (local.get $p)) (local.get $grp)) (local.get $wv))))
                (local.set $acc1 (i32x4.add (local.get $acc1) (i32x4.dot_i16x8_s
                  (i8x16.swizzle (v128.load (i32.add (local.get $p) (local.get $stride))) (local.get $grp)) (local.get $wv))))
                (local.set $acc2 (i32x4.add (local.get $acc2) (i32x4.dot_i16x8_s
                  (i8x16.swizzle (v128.load (i32.add (local.get $p) (i32.shl (local.get $stride) (i32.const 1)))) (local.get $grp)) (local.get $wv))))
                (local.set $acc3 (i32x4.add (local.get $acc3) (i32x4.dot_i16x8_s
                  (i8x16.swizzle (v128.load (i32.add (local.get $p) (i32.mul (local.get $stride) (i32.const 3)))) (local.get $grp)) (local.get $wv))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                (local.set $t (i32.sub (local.get $t) (i32.const 1)))
                (br $tloop)))
            ;; The rounding half went in first; the saturating narrows clamp to 0..255.
            (local.set $acc0 (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $acc0) (i32.const 18)) (i32x4.shr_s (local.get $acc1) (i32.const 18)))
              (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $acc2) (i32.const 18)) (i32x4.shr_s (local.get $acc3) (i32.const 18)))))
            (v128.store32_lane 0 (local.get $o) (local.get $acc0))
            (v128.store32_lane 1 (i32.add (local.get $o) (local.get $ostride)) (local.get $acc0))
            (v128.store32_lane 2 (i32.add (local.get $o) (i32.shl (local.get $ostride) (i32.const 1))) (local.get $acc0))
            (v128.store32_lane 3 (i32.add (local.get $o) (i32.mul (local.get $ostride) (i32.const 3))) (local.get $acc0))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $xloop)))
        (local.set $row (i32.add (local.get $row) (i32.shl (local.get $stride) (i32.const 2))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $yloop))))
)
