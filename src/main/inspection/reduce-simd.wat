;; reduce.ts's two passes with WebAssembly SIMD. The vertical pass (libvips' reducev, 12-bit fixed
;; point) for rows of 3 or 4 weights, 16 samples a step: ~10× the JS loop. Weights are 0..4096 and sum to ≤ 4096,
;; so each 32-bit sum fits and every result is 0..255 (the narrowing never saturates).
;; Source rows and the output row live in this module's memory, which the caller grows and fills.
;; Built into reduce-simd.wasm.ts by scripts/build-wasm.ts (wabt); `--check` keeps the two in step.
(module
  (memory (export "memory") 1)
  ;; One output row of the vertical pass from 3 source rows: out[j] = (2048 + Σ w_i·b_i[j]) >> 12 for j < len,
  ;; 16 bytes at a time (up to 15 bytes past len are written: the caller leaves room).
  (func (export "row3") (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $w0 i32) (param $w1 i32) (param $w2 i32) (param $dst i32) (param $len i32)
    (local $j i32) (local $x v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128)
    (local.set $k0 (i16x8.splat (local.get $w0)))
    (local.set $k1 (i16x8.splat (local.get $w1)))
    (local.set $k2 (i16x8.splat (local.get $w2)))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $len)))
        (local.set $a0 (v128.const i32x4 2048 2048 2048 2048))
        (local.set $a1 (v128.const i32x4 2048 2048 2048 2048))
        (local.set $a2 (v128.const i32x4 2048 2048 2048 2048))
        (local.set $a3 (v128.const i32x4 2048 2048 2048 2048))
        (local.set $x (v128.load (i32.add (local.get $b0) (local.get $j))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $x)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $x)))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $k0))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $k0))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $k0))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $k0))))
        (local.set $x (v128.load (i32.add (local.get $b1) (local.get $j))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $x)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $x)))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $k1))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $k1))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $k1))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $k1))))
        (local.set $x (v128.load (i32.add (local.get $b2) (local.get $j))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $x)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $x)))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $k2))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $k2))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $k2))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $k2))))
        (v128.store (i32.add (local.get $dst) (local.get $j))
          (i8x16.narrow_i16x8_u
            (i16x8.narrow_i32x4_u (i32x4.shr_u (local.get $a0) (i32.const 12)) (i32x4.shr_u (local.get $a1) (i32.const 12)))
            (i16x8.narrow_i32x4_u (i32x4.shr_u (local.get $a2) (i32.const 12)) (i32x4.shr_u (local.get $a3) (i32.const 12)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols))))
  ;; One output row of the vertical pass from 4 source rows: out[j] = (2048 + Σ w_i·b_i[j]) >> 12 for j < len,
  ;; 16 bytes at a time (up to 15 bytes past len are written: the caller leaves room).
  (func (export "row4") (param $b0 i32) (param $b1 i32) (param $b2 i32) (param $b3 i32) (param $w0 i32) (param $w1 i32) (param $w2 i32) (param $w3 i32) (param $dst i32) (param $len i32)
    (local $j i32) (local $x v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128)
    (local.set $k0 (i16x8.splat (local.get $w0)))
    (local.set $k1 (i16x8.splat (local.get $w1)))
    (local.set $k2 (i16x8.splat (local.get $w2)))
    (local.set $k3 (i16x8.splat (local.get $w3)))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_u (local.get $j) (local.get $len)))
        (local.set $a0 (v128.const i32x4 2048 2048 2048 2048))
        (local.set $a1 (v128.const i32x4 2048 2048 2048 2048))
        (local.set $a2 (v128.const i32x4 2048 2048 2048 2048))
        (local.set $a3 (v128.const i32x4 2048 2048 2048 2048))
        (local.set $x (v128.load (i32.add (local.get $b0) (local.get $j))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $x)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $x)))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $k0))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $k0))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $k0))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $k0))))
        (local.set $x (v128.load (i32.add (local.get $b1) (local.get $j))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $x)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $x)))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $k1))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $k1))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $k1))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $k1))))
        (local.set $x (v128.load (i32.add (local.get $b2) (local.get $j))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $x)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $x)))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $k2))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $k2))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $k2))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $k2))))
        (local.set $x (v128.load (i32.add (local.get $b3) (local.get $j))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $x)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $x)))
        (local.set $a0 (i32x4.add (local.get $a0) (i32x4.extmul_low_i16x8_u (local.get $lo) (local.get $k3))))
        (local.set $a1 (i32x4.add (local.get $a1) (i32x4.extmul_high_i16x8_u (local.get $lo) (local.get $k3))))
        (local.set $a2 (i32x4.add (local.get $a2) (i32x4.extmul_low_i16x8_u (local.get $hi) (local.get $k3))))
        (local.set $a3 (i32x4.add (local.get $a3) (i32x4.extmul_high_i16x8_u (local.get $hi) (local.get $k3))))
        (v128.store (i32.add (local.get $dst) (local.get $j))
          (i8x16.narrow_i16x8_u
            (i16x8.narrow_i32x4_u (i32x4.shr_u (local.get $a0) (i32.const 12)) (i32x4.shr_u (local.get $a1) (i32.const 12)))
            (i16x8.narrow_i32x4_u (i32x4.shr_u (local.get $a2) (i32.const 12)) (i32x4.shr_u (local.get $a3) (i32.const 12)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols))))
  ;; The horizontal pass of RGB rows straight into float planes, through per-channel lookup tables (the
  ;; tensor's normalisation). Output pixel o of a row reads 4 neighbouring source pixels from byte
  ;; rec[o].off of the row with weights rec[o].w0..w3 (16-byte records: i32 off, i32 unused, 4 × i16
  ;; weights; clamped duplicate taps merged into one weight by the caller, unused ones 0). The 12 bytes
  ;; are gathered per channel with a swizzle, two dot products give the pairwise sums, two shuffles and an
  ;; add the per-channel sums: (2048 + Σ) >> 12, as in the JS pass. Plane c of the output is at
  ;; out + c·plane, outW × outH floats each.
  (func (export "hrows") (param $rows i32) (param $rowLen i32) (param $outH i32) (param $rec i32) (param $outW i32)
    (param $lut i32) (param $out i32) (param $plane i32)
    (local $oy i32) (local $o i32) (local $row i32) (local $r i32) (local $dst i32)
    (local $w v128) (local $y v128) (local $a v128) (local $b v128) (local $s v128) (local $base v128)
    (local.set $base (i32x4.replace_lane 2
      (i32x4.replace_lane 1 (i32x4.splat (local.get $lut)) (i32.add (local.get $lut) (i32.const 1024)))
      (i32.add (local.get $lut) (i32.const 2048))))
    (local.set $dst (local.get $out))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $row (i32.add (local.get $rows) (i32.mul (local.get $oy) (local.get $rowLen))))
        (local.set $o (i32.const 0))
        (local.set $r (local.get $rec))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $o) (local.get $outW)))
            (local.set $w (v128.load64_splat offset=8 (local.get $r)))
            (local.set $y (i8x16.swizzle
              (v128.load (i32.add (local.get $row) (i32.load (local.get $r))))
              (v128.const i8x16 0 3 6 9 1 4 7 10 2 5 8 11 255 255 255 255)))
            (local.set $a (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $y)) (local.get $w)))
            (local.set $b (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $y)) (local.get $w)))
            (local.set $s (i32x4.add
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 16 17 18 19 (local.get $a) (local.get $b))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 20 21 22 23 (local.get $a) (local.get $b))))
            (local.set $s (i32x4.add (local.get $base)
              (i32x4.shl (i32x4.shr_u (i32x4.add (local.get $s) (v128.const i32x4 2048 2048 2048 2048)) (i32.const 12)) (i32.const 2))))
            (f32.store (local.get $dst) (f32.load (i32x4.extract_lane 0 (local.get $s))))
            (f32.store (i32.add (local.get $dst) (local.get $plane)) (f32.load (i32x4.extract_lane 1 (local.get $s))))
            (f32.store (i32.add (local.get $dst) (i32.shl (local.get $plane) (i32.const 1))) (f32.load (i32x4.extract_lane 2 (local.get $s))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $r (i32.add (local.get $r) (i32.const 16)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $colLoop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rowLoop))))
)
