;; Adam on a row of logits, then the row's softmax, two doubles at a time (WebAssembly SIMD).
;;
;; The source of src/numerics/wasm/adamSoftmaxWasm.ts (`npm run wasm` assembles it with wabt;
;; test/numerics/adamSoftmaxKernel.test.ts checks the two agree). The JavaScript wrapper is
;; src/numerics/wasm/adamSoftmax.ts.
;;
;; Every operation is the one scalar code does, in the same order: `adamRow` is torch.optim.Adam's
;; update written out (as the optimizers had it in TypeScript, and as the test's oracle has it),
;; `expRow` + `scaleRow` are TabularPolicy.normalize with fastExp.ts's exponential (same tables,
;; same polynomial, same clamps), so results are bit-identical to the scalar code; only the lanes
;; are new. Memory layout: fastExp's tables at fixed offsets (written by
;; the wrapper), then the arrays; arrays are passed as byte offsets, lengths in entries.
(module
  (import "env" "memory" (memory 1))

  ;; FRACTION[j] = 2^{j/128} at byte 0, HALF_POW2[m + 1077] = 2^{m-1} at byte 1024.
  (global $FRACTION i32 (i32.const 0))
  (global $HALF_POW2 i32 (i32.const 1024))

  ;; Adam (torch.optim.Adam's update) on n logits with the gradient g − c·p (g the tokens'
  ;; part, c the row's chain-rule coefficient, p the probabilities), m and v moments, z logits.
  ;; step = lr/(1 − β1^t), c2 = 1/√(1 − β2^t). Returns the largest new logit (NaN ignored, −∞ if none).
  (func $adamRow
    (param $g i32) (param $p i32) (param $c f64) (param $m i32) (param $v i32) (param $z i32) (param $n i32)
    (param $step f64) (param $c2 f64) (param $eps f64) (param $b1 f64) (param $b2 f64) (result f64)
    (local $i i32) (local $o i32) (local $end i32)
    (local $gv v128) (local $mv v128) (local $vv v128) (local $zv v128) (local $maxv v128)
    (local $cv v128) (local $b1v v128) (local $b2v v128) (local $ob1v v128) (local $ob2v v128) (local $stepv v128) (local $c2v v128) (local $epsv v128)
    (local $gs f64) (local $ms f64) (local $vs f64) (local $zs f64) (local $max f64)
    (local.set $cv (f64x2.splat (local.get $c)))
    (local.set $b1v (f64x2.splat (local.get $b1)))
    (local.set $b2v (f64x2.splat (local.get $b2)))
    (local.set $ob1v (f64x2.splat (f64.sub (f64.const 1) (local.get $b1))))
    (local.set $ob2v (f64x2.splat (f64.sub (f64.const 1) (local.get $b2))))
    (local.set $stepv (f64x2.splat (local.get $step)))
    (local.set $c2v (f64x2.splat (local.get $c2)))
    (local.set $epsv (f64x2.splat (local.get $eps)))
    (local.set $maxv (f64x2.splat (f64.const -inf)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $gv (f64x2.sub (v128.load (i32.add (local.get $g) (local.get $o)))
                                  (f64x2.mul (local.get $cv) (v128.load (i32.add (local.get $p) (local.get $o))))))
        ;; m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g·g
        (local.set $mv (f64x2.add (f64x2.mul (local.get $b1v) (v128.load (i32.add (local.get $m) (local.get $o))))
                                  (f64x2.mul (local.get $ob1v) (local.get $gv))))
        (local.set $vv (f64x2.add (f64x2.mul (local.get $b2v) (v128.load (i32.add (local.get $v) (local.get $o))))
                                  (f64x2.mul (f64x2.mul (local.get $ob2v) (local.get $gv)) (local.get $gv))))
        (v128.store (i32.add (local.get $m) (local.get $o)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $o)) (local.get $vv))
        ;; z −= step·m/(√v·c2 + ε)  (z + (−step·m)/(…) in the scalar code: the same double; no
        ;; f64x2.neg here, which V8 lowers slowly)
        (local.set $zv (f64x2.sub (v128.load (i32.add (local.get $z) (local.get $o)))
                                  (f64x2.div (f64x2.mul (local.get $stepv) (local.get $mv))
                                             (f64x2.add (f64x2.mul (f64x2.sqrt (local.get $vv)) (local.get $c2v)) (local.get $epsv)))))
        (v128.store (i32.add (local.get $z) (local.get $o)) (local.get $zv))
        ;; pmax(a, b) = a < b ? b : a: a NaN logit never becomes the max, as in the scalar code.
        (local.set $maxv (f64x2.pmax (local.get $maxv) (local.get $zv)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $pairs)))
    (local.set $max (f64x2.extract_lane 0 (local.get $maxv)))
    (if (f64.gt (f64x2.extract_lane 1 (local.get $maxv)) (local.get $max))
      (then (local.set $max (f64x2.extract_lane 1 (local.get $maxv)))))
    ;; An odd last entry.
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $gs (f64.sub (f64.load (i32.add (local.get $g) (local.get $end)))
                                (f64.mul (local.get $c) (f64.load (i32.add (local.get $p) (local.get $end))))))
        (local.set $ms (f64.add (f64.mul (local.get $b1) (f64.load (i32.add (local.get $m) (local.get $end))))
                                (f64.mul (f64.sub (f64.const 1) (local.get $b1)) (local.get $gs))))
        (local.set $vs (f64.add (f64.mul (local.get $b2) (f64.load (i32.add (local.get $v) (local.get $end))))
                                (f64.mul (f64.mul (f64.sub (f64.const 1) (local.get $b2)) (local.get $gs)) (local.get $gs))))
        (f64.store (i32.add (local.get $m) (local.get $end)) (local.get $ms))
        (f64.store (i32.add (local.get $v) (local.get $end)) (local.get $vs))
        (local.set $zs (f64.sub (f64.load (i32.add (local.get $z) (local.get $end)))
                                (f64.div (f64.mul (local.get $step) (local.get $ms))
                                         (f64.add (f64.mul (f64.sqrt (local.get $vs)) (local.get $c2)) (local.get $eps)))))
        (f64.store (i32.add (local.get $z) (local.get $end)) (local.get $zs))
        (if (f64.gt (local.get $zs) (local.get $max)) (then (local.set $max (local.get $zs))))))
    (local.get $max))

  ;; p = e^{z − max} for n entries; returns their sum, added left to right. fastExp.ts's
  ;; exponential, inlined (written out three times below: WebAssembly has no macros, and a call per
  ;; pair was as slow as one pair per iteration). It is a chain of ~25 dependent operations: with one
  ;; pair in flight the core waits on it, so the main loop runs two independent pairs per iteration
  ;; (4.6 → 2.7 ns an entry here); the last 1–3 entries go through the pair loop, whose odd last entry
  ;; reads, in lane 1, the double that follows in memory (the next row, or the array after this one)
  ;; and drops it.
  (func $expRow (param $z i32) (param $p i32) (param $n i32) (param $max f64) (result f64)
    (local $o i32) (local $end i32) (local $x v128) (local $u v128) (local $maxv v128) (local $sum f64)
    (local $xc v128) (local $t v128) (local $kf v128) (local $r v128) (local $p2 v128) (local $k v128) (local $k0 i32) (local $k1 i32)
    (local $xB v128) (local $xcB v128) (local $tB v128) (local $kfB v128) (local $rB v128) (local $p2B v128) (local $kB v128) (local $k0B i32) (local $k1B i32) (local $uB v128)
    (local.set $maxv (f64x2.splat (local.get $max)))
    (local.set $end (i32.shl (local.get $n) (i32.const 3)))
    ;; Two pairs (the second: names ending in B) per iteration while four entries remain.
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $o) (i32.const 32)) (local.get $end)))
        (local.set $x (f64x2.sub (v128.load (i32.add (local.get $z) (local.get $o))) (local.get $maxv)))
        ;; Clamp to [−745.2, 710] with pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a
        ;; (single instructions). A NaN becomes −745.2 here, so that the table index below stays in
        ;; range, and NaN again at the end.
        (local.set $xc (f64x2.pmin (f64x2.pmax (f64x2.splat (f64.const -745.2)) (local.get $x)) (f64x2.splat (f64.const 710))))
        ;; t = 128·x/ln 2 + 1.5·2^52 holds k = round(128·x/ln 2) in its low bits; kf = t − 1.5·2^52.
        (local.set $t (f64x2.add (f64x2.mul (local.get $xc) (f64x2.splat (f64.const 184.6649652337873))) (f64x2.splat (f64.const 6755399441055744))))
        (local.set $kf (f64x2.sub (local.get $t) (f64x2.splat (f64.const 6755399441055744))))
        ;; r = x − k·(ln 2/128), the step split in a high and a low part.
        (local.set $r (f64x2.sub (f64x2.sub (local.get $xc) (f64x2.mul (local.get $kf) (f64x2.splat (f64.const 0.00541521234663378))))
                                 (f64x2.mul (local.get $kf) (f64x2.splat (f64.const 1.4907929134926466e-12)))))
        ;; 2e^r, degree 5.
        (local.set $p2 (f64x2.add (f64x2.splat (f64.const 2)) (f64x2.mul (local.get $r)
          (f64x2.add (f64x2.splat (f64.const 2)) (f64x2.mul (local.get $r)
            (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $r)
              (f64x2.add (f64x2.splat (f64.const 0.3333333333333333)) (f64x2.mul (local.get $r)
                (f64x2.add (f64x2.splat (f64.const 0.08333333333333333))
                           (f64x2.mul (local.get $r) (f64x2.splat (f64.const 0.016666666666666666)))))))))))))
        ;; k per lane: the bits of t minus those of 1.5·2^52 (0x4338000000000000).
        (local.set $k (i64x2.sub (local.get $t) (v128.const i64x2 0x4338000000000000 0x4338000000000000)))
        (local.set $k0 (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $k))))
        (local.set $k1 (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $k))))
        ;; HALF_POW2[(k >> 7) + 1077] · FRACTION[k & 127] · 2e^r, then NaN where x was NaN.
        (local.set $u (v128.bitselect (f64x2.splat (f64.const nan)) (f64x2.mul
          (f64x2.mul
            (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (global.get $HALF_POW2) (i32.shl (i32.add (i32.shr_s (local.get $k0) (i32.const 7)) (i32.const 1077)) (i32.const 3)))))
              (f64.load (i32.add (global.get $HALF_POW2) (i32.shl (i32.add (i32.shr_s (local.get $k1) (i32.const 7)) (i32.const 1077)) (i32.const 3)))))
            (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (global.get $FRACTION) (i32.shl (i32.and (local.get $k0) (i32.const 127)) (i32.const 3)))))
              (f64.load (i32.add (global.get $FRACTION) (i32.shl (i32.and (local.get $k1) (i32.const 127)) (i32.const 3))))))
          (local.get $p2)) (f64x2.ne (local.get $x) (local.get $x))))
        (local.set $xB (f64x2.sub (v128.load offset=16 (i32.add (local.get $z) (local.get $o))) (local.get $maxv)))
        (local.set $xcB (f64x2.pmin (f64x2.pmax (f64x2.splat (f64.const -745.2)) (local.get $xB)) (f64x2.splat (f64.const 710))))
        (local.set $tB (f64x2.add (f64x2.mul (local.get $xcB) (f64x2.splat (f64.const 184.6649652337873))) (f64x2.splat (f64.const 6755399441055744))))
        (local.set $kfB (f64x2.sub (local.get $tB) (f64x2.splat (f64.const 6755399441055744))))
        (local.set $rB (f64x2.sub (f64x2.sub (local.get $xcB) (f64x2.mul (local.get $kfB) (f64x2.splat (f64.const 0.00541521234663378))))
                                 (f64x2.mul (local.get $kfB) (f64x2.splat (f64.const 1.4907929134926466e-12)))))
        (local.set $p2B (f64x2.add (f64x2.splat (f64.const 2)) (f64x2.mul (local.get $rB)
          (f64x2.add (f64x2.splat (f64.const 2)) (f64x2.mul (local.get $rB)
            (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $rB)
              (f64x2.add (f64x2.splat (f64.const 0.3333333333333333)) (f64x2.mul (local.get $rB)
                (f64x2.add (f64x2.splat (f64.const 0.08333333333333333))
                           (f64x2.mul (local.get $rB) (f64x2.splat (f64.const 0.016666666666666666)))))))))))))
        (local.set $kB (i64x2.sub (local.get $tB) (v128.const i64x2 0x4338000000000000 0x4338000000000000)))
        (local.set $k0B (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $kB))))
        (local.set $k1B (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $kB))))
        (local.set $uB (v128.bitselect (f64x2.splat (f64.const nan)) (f64x2.mul
          (f64x2.mul
            (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (global.get $HALF_POW2) (i32.shl (i32.add (i32.shr_s (local.get $k0B) (i32.const 7)) (i32.const 1077)) (i32.const 3)))))
              (f64.load (i32.add (global.get $HALF_POW2) (i32.shl (i32.add (i32.shr_s (local.get $k1B) (i32.const 7)) (i32.const 1077)) (i32.const 3)))))
            (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (global.get $FRACTION) (i32.shl (i32.and (local.get $k0B) (i32.const 127)) (i32.const 3)))))
              (f64.load (i32.add (global.get $FRACTION) (i32.shl (i32.and (local.get $k1B) (i32.const 127)) (i32.const 3))))))
          (local.get $p2B)) (f64x2.ne (local.get $xB) (local.get $xB))))
        (v128.store (i32.add (local.get $p) (local.get $o)) (local.get $u))
        (v128.store offset=16 (i32.add (local.get $p) (local.get $o)) (local.get $uB))
        (local.set $sum (f64.add (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $u))) (f64x2.extract_lane 1 (local.get $u))))
        (local.set $sum (f64.add (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $uB))) (f64x2.extract_lane 1 (local.get $uB))))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $quads)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $x (f64x2.sub (v128.load (i32.add (local.get $z) (local.get $o))) (local.get $maxv)))
        ;; Clamp to [−745.2, 710] with pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a
        ;; (single instructions). A NaN becomes −745.2 here, so that the table index below stays in
        ;; range, and NaN again at the end.
        (local.set $xc (f64x2.pmin (f64x2.pmax (f64x2.splat (f64.const -745.2)) (local.get $x)) (f64x2.splat (f64.const 710))))
        ;; t = 128·x/ln 2 + 1.5·2^52 holds k = round(128·x/ln 2) in its low bits; kf = t − 1.5·2^52.
        (local.set $t (f64x2.add (f64x2.mul (local.get $xc) (f64x2.splat (f64.const 184.6649652337873))) (f64x2.splat (f64.const 6755399441055744))))
        (local.set $kf (f64x2.sub (local.get $t) (f64x2.splat (f64.const 6755399441055744))))
        ;; r = x − k·(ln 2/128), the step split in a high and a low part.
        (local.set $r (f64x2.sub (f64x2.sub (local.get $xc) (f64x2.mul (local.get $kf) (f64x2.splat (f64.const 0.00541521234663378))))
                                 (f64x2.mul (local.get $kf) (f64x2.splat (f64.const 1.4907929134926466e-12)))))
        ;; 2e^r, degree 5.
        (local.set $p2 (f64x2.add (f64x2.splat (f64.const 2)) (f64x2.mul (local.get $r)
          (f64x2.add (f64x2.splat (f64.const 2)) (f64x2.mul (local.get $r)
            (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $r)
              (f64x2.add (f64x2.splat (f64.const 0.3333333333333333)) (f64x2.mul (local.get $r)
                (f64x2.add (f64x2.splat (f64.const 0.08333333333333333))
                           (f64x2.mul (local.get $r) (f64x2.splat (f64.const 0.016666666666666666)))))))))))))
        ;; k per lane: the bits of t minus those of 1.5·2^52 (0x4338000000000000).
        (local.set $k (i64x2.sub (local.get $t) (v128.const i64x2 0x4338000000000000 0x4338000000000000)))
        (local.set $k0 (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $k))))
        (local.set $k1 (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $k))))
        ;; HALF_POW2[(k >> 7) + 1077] · FRACTION[k & 127] · 2e^r, then NaN where x was NaN.
        (local.set $u (v128.bitselect (f64x2.splat (f64.const nan)) (f64x2.mul
          (f64x2.mul
            (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (global.get $HALF_POW2) (i32.shl (i32.add (i32.shr_s (local.get $k0) (i32.const 7)) (i32.const 1077)) (i32.const 3)))))
              (f64.load (i32.add (global.get $HALF_POW2) (i32.shl (i32.add (i32.shr_s (local.get $k1) (i32.const 7)) (i32.const 1077)) (i32.const 3)))))
            (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (global.get $FRACTION) (i32.shl (i32.and (local.get $k0) (i32.const 127)) (i32.const 3)))))
              (f64.load (i32.add (global.get $FRACTION) (i32.shl (i32.and (local.get $k1) (i32.const 127)) (i32.const 3))))))
          (local.get $p2)) (f64x2.ne (local.get $x) (local.get $x))))
        (if (i32.lt_u (i32.add (local.get $o) (i32.const 8)) (local.get $end))
          (then
            (v128.store (i32.add (local.get $p) (local.get $o)) (local.get $u))
            (local.set $sum (f64.add (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $u))) (f64x2.extract_lane 1 (local.get $u)))))
          (else
            (f64.store (i32.add (local.get $p) (local.get $o)) (f64x2.extract_lane 0 (local.get $u)))
            (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $u))))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $pairs)))
    (local.get $sum))

  ;; lp = z − lz, p = p·inv for n entries.
  (func $scaleRow (param $z i32) (param $p i32) (param $lp i32) (param $n i32) (param $lz f64) (param $inv f64)
    (local $o i32) (local $end i32) (local $lzv v128) (local $invv v128)
    (local.set $lzv (f64x2.splat (local.get $lz)))
    (local.set $invv (f64x2.splat (local.get $inv)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (v128.store (i32.add (local.get $lp) (local.get $o)) (f64x2.sub (v128.load (i32.add (local.get $z) (local.get $o))) (local.get $lzv)))
        (v128.store (i32.add (local.get $p) (local.get $o)) (f64x2.mul (v128.load (i32.add (local.get $p) (local.get $o))) (local.get $invv)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $pairs)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (f64.store (i32.add (local.get $lp) (local.get $end)) (f64.sub (f64.load (i32.add (local.get $z) (local.get $end))) (local.get $lz)))
        (f64.store (i32.add (local.get $p) (local.get $end)) (f64.mul (f64.load (i32.add (local.get $p) (local.get $end))) (local.get $inv))))))

  ;; The row loops, one call per step (a call from JavaScript costs ~200 ns). Rows r = 0..rows−1
  ;; span entries off[r] .. off[r+1] (an i32 array at byte `off`); `stats` holds two doubles per row.

  ;; Adam on every row (the gradient g − coef[r]·p); with `softmax`, each row's exponentials too,
  ;; into p. stats[r] = (max, Σ e^{z − max}).
  (func (export "adamExpRows")
    (param $g i32) (param $m i32) (param $v i32) (param $z i32) (param $p i32) (param $off i32) (param $rows i32) (param $coef i32) (param $stats i32)
    (param $softmax i32) (param $step f64) (param $c2 f64) (param $eps f64) (param $b1 f64) (param $b2 f64)
    (local $r i32) (local $a i32) (local $n i32) (local $max f64) (local $s i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (i32.shl (i32.load (i32.add (local.get $off) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 3)))
        (local.set $n (i32.sub (i32.load offset=4 (i32.add (local.get $off) (i32.shl (local.get $r) (i32.const 2))))
                               (i32.shr_u (local.get $a) (i32.const 3))))
        (local.set $max (call $adamRow (i32.add (local.get $g) (local.get $a)) (i32.add (local.get $p) (local.get $a))
                                       (f64.load (i32.add (local.get $coef) (i32.shl (local.get $r) (i32.const 3))))
                                       (i32.add (local.get $m) (local.get $a))
                                       (i32.add (local.get $v) (local.get $a)) (i32.add (local.get $z) (local.get $a)) (local.get $n)
                                       (local.get $step) (local.get $c2) (local.get $eps) (local.get $b1) (local.get $b2)))
        (local.set $s (i32.add (local.get $stats) (i32.shl (local.get $r) (i32.const 4))))
        (f64.store (local.get $s) (local.get $max))
        (if (local.get $softmax)
          (then (f64.store offset=8 (local.get $s)
                  (call $expRow (i32.add (local.get $z) (local.get $a)) (i32.add (local.get $p) (local.get $a)) (local.get $n) (local.get $max)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Every row's logp = z − lz and p = p·inv, with stats[r] = (lz, inv).
  (func (export "scaleRows") (param $z i32) (param $p i32) (param $lp i32) (param $off i32) (param $rows i32) (param $stats i32)
    (local $r i32) (local $a i32) (local $s i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (i32.shl (i32.load (i32.add (local.get $off) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 3)))
        (local.set $s (i32.add (local.get $stats) (i32.shl (local.get $r) (i32.const 4))))
        (call $scaleRow (i32.add (local.get $z) (local.get $a)) (i32.add (local.get $p) (local.get $a)) (i32.add (local.get $lp) (local.get $a))
                        (i32.sub (i32.load offset=4 (i32.add (local.get $off) (i32.shl (local.get $r) (i32.const 2))))
                                 (i32.shr_u (local.get $a) (i32.const 3)))
                        (f64.load (local.get $s)) (f64.load offset=8 (local.get $s)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
