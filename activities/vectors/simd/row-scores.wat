;; Dot products of one query against packed rows, four floats at a time (WebAssembly SIMD).
;; The embedded vector store's exact scan: about five times faster than the same loop in
;; JavaScript, which multiplies one float at a time (activities/vectors/row-matrix.ts).
;; Built into row-scores-wasm.ts by `node bin/run-ts.js scripts/build-wasm.ts`.
(module
  (import "env" "memory" (memory 1))
  ;; scores(query, rows, count, dim, out): out[r] = query . rows[r] for r < count, where every
  ;; vector is dim f32 values, dim a multiple of 8; all offsets are byte offsets.
  (func (export "scores") (param $q i32) (param $row i32) (param $count i32) (param $dim i32) (param $out i32)
    (local $end i32) (local $rowBytes i32) (local $i i32) (local $a v128) (local $b v128)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $a (v128.const f32x4 0 0 0 0))
        (local.set $b (v128.const f32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $rowDone
          (loop $cols
            (br_if $rowDone (i32.ge_u (local.get $i) (local.get $rowBytes)))
            (local.set $a (f32x4.add (local.get $a)
              (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $i)))
                         (v128.load (i32.add (local.get $row) (local.get $i))))))
            (local.set $b (f32x4.add (local.get $b)
              (f32x4.mul (v128.load offset=16 (i32.add (local.get $q) (local.get $i)))
                         (v128.load offset=16 (i32.add (local.get $row) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $cols)))
        (local.set $a (f32x4.add (local.get $a) (local.get $b)))
        (f32.store (local.get $out)
          (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
                   (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (br $rows)))))
