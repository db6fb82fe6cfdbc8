;; Baseline JPEG entropy decoding (Huffman, T.81 F.2.2) for lib/codecs/jpegfast/huffwasm.ts.
;; It is the twin of the JavaScript path in scan.ts (decodeBlock with bitreader.ts) and must stay
;; bit-identical with it: the same 32-bit bit buffer, the same zero bytes fed past a marker, the
;; same 9-bit lookahead tables, the same wrapping integer arithmetic (JavaScript's shifts mask
;; their count to 5 bits, as i32.shl / i32.shr_u do).
;;
;; Memory layout, all set up by the caller before `start`:
;;   tabs:  8 table slots of SLOT=3584 bytes (slot i: DC table of scan component i; slot 4+i: AC):
;;          +0 look u16[512], +1024 fastAC i32[512], +3072 maxcode i32[18], +3152 valoff i32[18],
;;          +3232 values u8[256], +3488 number of values i32
;;   comps: 4 records of 384 bytes: +0 qz i32[80] (zig-zag order), +328 dcOnly i32, +332 pred i32
;;   zz:    i32[80], zig-zag index -> natural position (entries past 63 are 63)
;;   mcu:   i32[nb], the scan component of each block of one MCU, in stream order
;;   data:  the whole JPEG file (len bytes); decoding starts at pos
;;   out:   per block: i32 DC value, i32 n, then n pairs (natural position, dequantized value)
(module
  (memory (export "memory") 1)
  (global $tabs (mut i32) (i32.const 0))
  (global $comps (mut i32) (i32.const 0))
  (global $zz (mut i32) (i32.const 0))
  (global $mcu (mut i32) (i32.const 0))
  (global $nb (mut i32) (i32.const 0))
  (global $data (mut i32) (i32.const 0))
  (global $len (mut i32) (i32.const 0))
  (global $pos (mut i32) (i32.const 0))
  (global $buf (mut i32) (i32.const 0))
  (global $cnt (mut i32) (i32.const 0))
  (global $fake (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))
  (global $ri (mut i32) (i32.const 0))
  (global $until (mut i32) (i32.const 0))

  ;; start begins a scan: where everything is, the restart interval and the first byte to read.
  (func (export "start") (param $tabs i32) (param $comps i32) (param $zz i32) (param $mcu i32) (param $nb i32)
        (param $data i32) (param $len i32) (param $pos i32) (param $ri i32)
    (global.set $tabs (local.get $tabs)) (global.set $comps (local.get $comps))
    (global.set $zz (local.get $zz)) (global.set $mcu (local.get $mcu)) (global.set $nb (local.get $nb))
    (global.set $data (local.get $data)) (global.set $len (local.get $len)) (global.set $pos (local.get $pos))
    (global.set $ri (local.get $ri)) (global.set $until (local.get $ri))
    (global.set $buf (i32.const 0)) (global.set $cnt (i32.const 0)) (global.set $fake (i32.const 0))
    (call $clearPreds))

  (func (export "pos") (result i32) (global.get $pos))
  (func (export "cnt") (result i32) (global.get $cnt))
  (func (export "fake") (result i32) (global.get $fake))

  (func $clearPreds
    (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (i32.const 4)))
      (i32.store offset=332 (i32.add (global.get $comps) (i32.mul (local.get $i) (i32.const 384))) (i32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; fill tops the bit buffer up to more than 24 bits (BitReader.fill).
  (func $fill
    (local $pos i32) (local $buf i32) (local $cnt i32) (local $b i32) (local $n i32) (local $len i32) (local $data i32)
    (local.set $pos (global.get $pos)) (local.set $buf (global.get $buf)) (local.set $cnt (global.get $cnt))
    (local.set $len (global.get $len)) (local.set $data (global.get $data))
    (block $done (loop $l
      (br_if $done (i32.gt_s (local.get $cnt) (i32.const 24)))
      (local.set $b (i32.const 0))
      (if (i32.lt_s (local.get $pos) (local.get $len))
        (then
          (local.set $b (i32.load8_u (i32.add (local.get $data) (local.get $pos))))
          (if (i32.eq (local.get $b) (i32.const 0xff))
            (then
              (local.set $n (i32.const -1))
              (if (i32.lt_s (i32.add (local.get $pos) (i32.const 1)) (local.get $len))
                (then (local.set $n (i32.load8_u offset=1 (i32.add (local.get $data) (local.get $pos))))))
              (if (i32.eqz (local.get $n))
                (then (local.set $pos (i32.add (local.get $pos) (i32.const 2))))
                (else
                  (local.set $b (i32.const 0))
                  (global.set $fake (i32.add (global.get $fake) (i32.const 1))))))
            (else (local.set $pos (i32.add (local.get $pos) (i32.const 1))))))
        (else (global.set $fake (i32.add (global.get $fake) (i32.const 1)))))
      (local.set $buf (i32.or (i32.shl (local.get $buf) (i32.const 8)) (local.get $b)))
      (local.set $cnt (i32.add (local.get $cnt) (i32.const 8)))
      (br $l)))
    (global.set $pos (local.get $pos)) (global.set $buf (local.get $buf)) (global.set $cnt (local.get $cnt)))

  ;; decode reads one Huffman symbol with the table at $t (BitReader.decode and decodeSlow); a
  ;; code no table holds traps, which the caller reports as corrupt data.
  (func $decode (param $t i32) (result i32)
    (local $v i32) (local $l i32) (local $code i32) (local $idx i32)
    (if (i32.lt_s (global.get $cnt) (i32.const 16)) (then (call $fill)))
    (local.set $v (i32.load16_u (i32.add (local.get $t)
      (i32.shl (i32.and (i32.shr_u (global.get $buf) (i32.sub (global.get $cnt) (i32.const 9))) (i32.const 511)) (i32.const 1)))))
    (if (local.get $v)
      (then
        (global.set $cnt (i32.sub (global.get $cnt) (i32.shr_u (local.get $v) (i32.const 8))))
        (return (i32.and (local.get $v) (i32.const 255)))))
    (local.set $l (i32.const 10))
    (local.set $code (i32.and (i32.shr_u (global.get $buf) (i32.sub (global.get $cnt) (local.get $l)))
      (i32.sub (i32.shl (i32.const 1) (local.get $l)) (i32.const 1))))
    (block $found (loop $l2
      (br_if $found (i32.le_s (local.get $code)
        (i32.load offset=3072 (i32.add (local.get $t) (i32.shl (local.get $l) (i32.const 2))))))
      (local.set $l (i32.add (local.get $l) (i32.const 1)))
      (if (i32.gt_s (local.get $l) (i32.const 16)) (then unreachable))
      (local.set $code (i32.and (i32.shr_u (global.get $buf) (i32.sub (global.get $cnt) (local.get $l)))
        (i32.sub (i32.shl (i32.const 1) (local.get $l)) (i32.const 1))))
      (br $l2)))
    (global.set $cnt (i32.sub (global.get $cnt) (local.get $l)))
    (local.set $idx (i32.add (local.get $code)
      (i32.load offset=3152 (i32.add (local.get $t) (i32.shl (local.get $l) (i32.const 2))))))
    (if (i32.or (i32.lt_s (local.get $idx) (i32.const 0)) (i32.ge_s (local.get $idx) (i32.load offset=3488 (local.get $t))))
      (then unreachable))
    (i32.load8_u offset=3232 (i32.add (local.get $t) (local.get $idx))))

  ;; extend reads n raw bits and sign-extends them (BitReader.receiveExtend, n > 0).
  (func $extend (param $n i32) (result i32)
    (local $v i32)
    (if (i32.lt_s (global.get $cnt) (local.get $n)) (then (call $fill)))
    (global.set $cnt (i32.sub (global.get $cnt) (local.get $n)))
    (local.set $v (i32.and (i32.shr_u (global.get $buf) (global.get $cnt))
      (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1))))
    (if (result i32) (i32.lt_s (local.get $v) (i32.shl (i32.const 1) (i32.sub (local.get $n) (i32.const 1))))
      (then (i32.add (i32.sub (local.get $v) (i32.shl (i32.const 1) (local.get $n))) (i32.const 1)))
      (else (local.get $v))))

  ;; block decodes one block of scan component $ci into the output stream (scan.ts decodeBlock).
  (func $block (param $ci i32)
    (local $c i32) (local $dct i32) (local $act i32) (local $fast i32) (local $t i32) (local $k i32)
    (local $n i32) (local $o i32) (local $f i32) (local $rs i32) (local $s i32) (local $r i32) (local $v i32)
    (local $buf i32) (local $cnt i32)
    (local.set $c (i32.add (global.get $comps) (i32.mul (local.get $ci) (i32.const 384))))
    (local.set $dct (i32.add (global.get $tabs) (i32.mul (local.get $ci) (i32.const 3584))))
    (local.set $act (i32.add (local.get $dct) (i32.const 14336)))
    (local.set $fast (i32.add (local.get $act) (i32.const 1024)))
    (local.set $t (call $decode (local.get $dct)))
    (if (local.get $t)
      (then (i32.store offset=332 (local.get $c)
        (i32.add (i32.load offset=332 (local.get $c)) (call $extend (local.get $t))))))
    (local.set $o (global.get $out))
    (i32.store (local.get $o) (i32.mul (i32.load offset=332 (local.get $c)) (i32.load (local.get $c))))
    (local.set $k (i32.const 1))
    (if (i32.load offset=328 (local.get $c))
      (then
        ;; At 1/8 only the DC term is used: step over the AC codes (buffer in locals, as below).
        (local.set $buf (global.get $buf)) (local.set $cnt (global.get $cnt))
        (block $end (loop $ac
          (br_if $end (i32.ge_s (local.get $k) (i32.const 64)))
          (if (i32.lt_s (local.get $cnt) (i32.const 16))
            (then
              (global.set $cnt (local.get $cnt)) (call $fill)
              (local.set $buf (global.get $buf)) (local.set $cnt (global.get $cnt))))
          (local.set $f (i32.load (i32.add (local.get $fast)
            (i32.shl (i32.and (i32.shr_u (local.get $buf) (i32.sub (local.get $cnt) (i32.const 9))) (i32.const 511)) (i32.const 2)))))
          (if (local.get $f)
            (then
              (local.set $k (i32.add (local.get $k) (i32.add (i32.and (i32.shr_s (local.get $f) (i32.const 4)) (i32.const 15)) (i32.const 1))))
              (local.set $cnt (i32.sub (local.get $cnt) (i32.and (local.get $f) (i32.const 15))))
              (br $ac)))
          (global.set $cnt (local.get $cnt))
          (local.set $rs (call $decode (local.get $act)))
          (local.set $cnt (global.get $cnt))
          (local.set $s (i32.and (local.get $rs) (i32.const 15)))
          (if (i32.eqz (local.get $s))
            (then
              (br_if $end (i32.lt_s (i32.shr_s (local.get $rs) (i32.const 4)) (i32.const 15)))
              (local.set $k (i32.add (local.get $k) (i32.const 16)))
              (br $ac)))
          (local.set $k (i32.add (local.get $k) (i32.add (i32.shr_s (local.get $rs) (i32.const 4)) (i32.const 1))))
          (if (i32.lt_s (local.get $cnt) (local.get $s))
            (then
              (global.set $cnt (local.get $cnt)) (call $fill)
              (local.set $buf (global.get $buf)) (local.set $cnt (global.get $cnt))))
          (local.set $cnt (i32.sub (local.get $cnt) (local.get $s)))
          (br $ac)))
        (global.set $cnt (local.get $cnt))
        (i32.store offset=4 (local.get $o) (i32.const 0))
        (global.set $out (i32.add (local.get $o) (i32.const 8)))
        (return)))
    ;; The bit buffer lives in locals here and goes back to the globals around $fill and $decode.
    (local.set $o (i32.add (local.get $o) (i32.const 8)))
    (local.set $buf (global.get $buf)) (local.set $cnt (global.get $cnt))
    (block $end (loop $ac
      (br_if $end (i32.ge_s (local.get $k) (i32.const 64)))
      (if (i32.lt_s (local.get $cnt) (i32.const 16))
        (then
          (global.set $cnt (local.get $cnt)) (call $fill)
          (local.set $buf (global.get $buf)) (local.set $cnt (global.get $cnt))))
      (local.set $f (i32.load (i32.add (local.get $fast)
        (i32.shl (i32.and (i32.shr_u (local.get $buf) (i32.sub (local.get $cnt) (i32.const 9))) (i32.const 511)) (i32.const 2)))))
      (if (local.get $f)
        (then
          (local.set $k (i32.add (local.get $k) (i32.and (i32.shr_s (local.get $f) (i32.const 4)) (i32.const 15))))
          (local.set $cnt (i32.sub (local.get $cnt) (i32.and (local.get $f) (i32.const 15))))
          (i32.store (local.get $o) (i32.load (i32.add (global.get $zz) (i32.shl (local.get $k) (i32.const 2)))))
          (i32.store offset=4 (local.get $o) (i32.mul (i32.shr_s (local.get $f) (i32.const 8))
            (i32.load (i32.add (local.get $c) (i32.shl (local.get $k) (i32.const 2))))))
          (local.set $o (i32.add (local.get $o) (i32.const 8)))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $ac)))
      ;; Here cnt >= 16, so $decode does not fill and the buffer is unchanged.
      (local.set $v (i32.load16_u (i32.add (local.get $act)
        (i32.shl (i32.and (i32.shr_u (local.get $buf) (i32.sub (local.get $cnt) (i32.const 9))) (i32.const 511)) (i32.const 1)))))
      (if (local.get $v)
        (then
          (local.set $cnt (i32.sub (local.get $cnt) (i32.shr_u (local.get $v) (i32.const 8))))
          (local.set $rs (i32.and (local.get $v) (i32.const 255))))
        (else
          (global.set $cnt (local.get $cnt))
          (local.set $rs (call $decode (local.get $act)))
          (local.set $cnt (global.get $cnt))))
      (local.set $s (i32.and (local.get $rs) (i32.const 15)))
      (local.set $r (i32.shr_s (local.get $rs) (i32.const 4)))
      (if (i32.eqz (local.get $s))
        (then
          (br_if $end (i32.lt_s (local.get $r) (i32.const 15)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $ac)))
      (local.set $k (i32.add (local.get $k) (local.get $r)))
      ;; extend, inline: s raw bits, sign-extended.
      (if (i32.lt_s (local.get $cnt) (local.get $s))
        (then
          (global.set $cnt (local.get $cnt)) (call $fill)
          (local.set $buf (global.get $buf)) (local.set $cnt (global.get $cnt))))
      (local.set $cnt (i32.sub (local.get $cnt) (local.get $s)))
      (local.set $v (i32.and (i32.shr_u (local.get $buf) (local.get $cnt))
        (i32.sub (i32.shl (i32.const 1) (local.get $s)) (i32.const 1))))
      (if (i32.lt_s (local.get $v) (i32.shl (i32.const 1) (i32.sub (local.get $s) (i32.const 1))))
        (then (local.set $v (i32.add (i32.sub (local.get $v) (i32.shl (i32.const 1) (local.get $s))) (i32.const 1)))))
      (i32.store (local.get $o) (i32.load (i32.add (global.get $zz) (i32.shl (local.get $k) (i32.const 2)))))
      (i32.store offset=4 (local.get $o) (i32.mul (local.get $v)
        (i32.load (i32.add (local.get $c) (i32.shl (local.get $k) (i32.const 2))))))
      (local.set $o (i32.add (local.get $o) (i32.const 8)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $ac)))
    (global.set $cnt (local.get $cnt))
    (i32.store offset=4 (global.get $out) (local.get $n))
    (global.set $out (local.get $o)))

  ;; restart skips to just past the next RSTn marker and resets the bit buffer (scan.ts restart).
  (func $restart
    (local $p i32) (local $n i32)
    (global.set $buf (i32.const 0)) (global.set $cnt (i32.const 0)) (global.set $fake (i32.const 0))
    (local.set $p (global.get $pos))
    (block $done (loop $l
      (br_if $done (i32.ge_s (i32.add (local.get $p) (i32.const 1)) (global.get $len)))
      (if (i32.eq (i32.load8_u (i32.add (global.get $data) (local.get $p))) (i32.const 0xff))
        (then
          (local.set $n (i32.load8_u offset=1 (i32.add (global.get $data) (local.get $p))))
          (if (i32.and (i32.ge_u (local.get $n) (i32.const 0xd0)) (i32.le_u (local.get $n) (i32.const 0xd7)))
            (then (local.set $p (i32.add (local.get $p) (i32.const 2))) (br $done)))
          (br_if $done (i32.and (i32.ne (local.get $n) (i32.const 0)) (i32.ne (local.get $n) (i32.const 0xff))))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l)))
    (global.set $pos (local.get $p)))

  ;; run decodes up to $count MCUs into the output stream at $out and returns how many it decoded;
  ;; it stops early, after the MCU that did it, once more than 16 zero bytes were fed past the data.
  (func (export "run") (param $count i32) (param $out i32) (result i32)
    (local $m i32) (local $j i32)
    (global.set $out (local.get $out))
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $m) (local.get $count)))
      (if (i32.gt_s (global.get $ri) (i32.const 0))
        (then
          (if (i32.eqz (global.get $until))
            (then (call $restart) (call $clearPreds) (global.set $until (global.get $ri))))
          (global.set $until (i32.sub (global.get $until) (i32.const 1)))))
      (local.set $j (i32.const 0))
      (block $bd (loop $bl
        (br_if $bd (i32.ge_s (local.get $j) (global.get $nb)))
        (call $block (i32.load (i32.add (global.get $mcu) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $bl)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br_if $done (i32.gt_s (global.get $fake) (i32.const 16)))
      (br $l)))
    (local.get $m))
)
