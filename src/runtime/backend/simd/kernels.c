/*
 * seqloom's WebAssembly SIMD kernels for the fused recurrences (backend/simd/recurrent.ts): the
 * per-step gate math of RNN/GRU/LSTM, forward and backward, on float32 buffers inside
 * tfjs-backend-wasm's own heap (the module imports that WebAssembly.Memory as env.memory).
 *
 * Build: `npm run simd:build` (scripts/build-simd.mjs: clang-14 --target=wasm32 -O3 -msimd128
 * -nostdlib -ffreestanding -fno-builtin, wasm-ld-14 --no-entry --import-memory). The script
 * verifies what this file promises:
 *
 *   - it writes nothing but the buffers it is given: no static data (no data section), no
 *     globals, no shadow stack (every function is a leaf with scalar/vector locals only);
 *   - pointers are byte offsets into the heap; n, B, H are element counts.
 *
 * Math: PyTorch's equations and gate order, exactly as backend/recurrent-forward.ts and
 * recurrent-backward.ts (the JS reference, also the cpu implementation) — same saved layouts
 * (GRU S = 4H: r, z, n, hn; LSTM S = 5H: i, f, g, o, tanh(c)) and the same masking rule: with
 * lengths, a row b with t >= lengths[b] keeps its previous state and saves zero gates; backward,
 * it passes dh (and dc) through and has zero gate gradients.
 *
 * Each row is processed 4 columns at a time (v128), with a scalar tail using the same code on a
 * splatted vector (lane 0 stored), so H need not be a multiple of 4.
 */
#include <wasm_simd128.h>

typedef float f4 __attribute__((vector_size(16)));
typedef double d2 __attribute__((vector_size(16)));

#define INLINE static inline __attribute__((always_inline))
#define EXPORT __attribute__((visibility("default")))

INLINE f4 splat(float x) { return (f4){x, x, x, x}; }

/* w = 4: one v128 from p; w = 1: p[0] in every lane. */
INLINE f4 ld(const float *p, int w) {
  return w == 4 ? (f4)wasm_v128_load(p) : splat(p[0]);
}

INLINE void st(float *p, f4 v, int w) {
  if (w == 4) wasm_v128_store(p, (v128_t)v);
  else p[0] = v[0];
}

/*
 * exp(x), branch-free: x clamped to [-87, 88] (2^n stays a normal float), n = round(x / ln 2),
 * r = x - n ln 2 (ln 2 in two parts), e^r by Cephes' degree-7 expf polynomial (max relative
 * error ~2e-7 over |r| <= ln2/2), times 2^n built in the exponent bits.
 */
INLINE f4 vexp(f4 x) {
  /* pmax/pmin (one x64 instruction each; NaN x stays NaN as first operand), not max/min. */
  x = (f4)wasm_f32x4_pmin(wasm_f32x4_pmax((v128_t)x, (v128_t)splat(-87.0f)), (v128_t)splat(88.0f));
  /* n = round-half-even(x log2 e) by the 1.5·2^23 shifter (|x log2 e| < 2^22): the low bits of
   * t then hold n as an integer (cheaper than f32x4.nearest + i32x4.trunc_sat on x64). */
  f4 t = x * splat(1.44269504088896341f) + splat(12582912.0f);
  f4 n = t - splat(12582912.0f);
  f4 r = x - n * splat(0.693359375f);
  r = r - n * splat(-2.12194440e-4f);
  f4 p = splat(1.9875691500e-4f);
  p = p * r + splat(1.3981999507e-3f);
  p = p * r + splat(8.3334519073e-3f);
  p = p * r + splat(4.1665795894e-2f);
  p = p * r + splat(1.6666665459e-1f);
  p = p * r + splat(5.0000001201e-1f);
  f4 y = p * (r * r) + r + splat(1.0f);
  v128_t bits = wasm_i32x4_shl(wasm_i32x4_sub((v128_t)t, wasm_i32x4_splat(0x4B400000 - 127)), 23);
  return y * (f4)bits;
}

INLINE f4 vsigmoid(f4 x) { return splat(1.0f) / (splat(1.0f) + vexp(-x)); }

/* tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|) (no overflow; absolute error ~1e-7). */
INLINE f4 vtanh(f4 x) {
  v128_t sign = wasm_v128_and((v128_t)x, wasm_i32x4_splat((int)0x80000000u));
  f4 ax = (f4)wasm_f32x4_abs((v128_t)x);
  f4 e = vexp(splat(-2.0f) * ax);
  f4 t = (splat(1.0f) - e) / (splat(1.0f) + e);
  return (f4)wasm_v128_or((v128_t)t, sign);
}

/* max(x, 0), with NaN -> 0 (as the JS `!(x > 0) -> 0`). */
INLINE f4 vrelu(f4 x) {
  return (f4)wasm_v128_and((v128_t)x, wasm_f32x4_gt((v128_t)x, (v128_t)splat(0.0f)));
}

INLINE int valid_row(const int *lengths, int t, int b) { return lengths == 0 || t < lengths[b]; }

/* The i-th row processed: order[i] (a permutation of 0 … B−1), or i when order is 0. */
INLINE int row_of(const int *order, int i) { return order == 0 ? i : order[i]; }

/* ---------------------------------------------------------------- helpers */

EXPORT void copy_f32(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

EXPORT void fill_zero(float *dst, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_splat(0.0f));
  for (; i < n; i++) dst[i] = 0.0f;
}

/* out = a + b (out may alias either). */
EXPORT void add_f32(const float *a, const float *b, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  for (; i < n; i++) out[i] = a[i] + b[i];
}

/* x [rows, cols] -> out[j * out_stride + i] (out_stride = rows: the plain [cols, rows] transpose). */
EXPORT void transpose_f32(const float *x, float *out, int rows, int cols, int out_stride) {
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) out[j * out_stride + i] = x[i * cols + j];
}

/* dst row i = src row rows[i], i < n (rows of `width` floats). */
EXPORT void gather_rows(const float *src, float *dst, const int *rows, int n, int width) {
  for (int i = 0; i < n; i++) copy_f32(dst + i * width, src + rows[i] * width, width);
}

/* out[j * out_stride + i] = src[rows[i] * cols + j], i < n: gathered rows, written transposed. */
EXPORT void gather_transpose_f32(const float *src, const int *rows, int n, int cols, float *out, int out_stride) {
  for (int i = 0; i < n; i++) {
    const float *x = src + rows[i] * cols;
    for (int j = 0; j < cols; j++) out[j * out_stride + i] = x[j];
  }
}

/*
 * out row rows[i] = prod row i + extra row rows[i] for i < active, = extra row rows[i] for
 * active <= i < B (rows of `width` floats; out may alias extra).
 */
EXPORT void scatter_add_rows(const float *prod, const float *extra, float *out, const int *rows, int active, int B,
                             int width) {
  for (int i = 0; i < B; i++) {
    int o = rows[i] * width;
    if (i < active) add_f32(prod + i * width, extra + o, out + o, width);
    else copy_f32(out + o, extra + o, width);
  }
}

/* out[j] = sum over rows of x [rows, cols], accumulated in float64 (8 columns per pass). */
EXPORT void col_sums_f32(const float *x, float *out, int rows, int cols) {
  int c = 0;
  for (; c + 8 <= cols; c += 8) {
    d2 a0 = {0, 0}, a1 = {0, 0}, a2 = {0, 0}, a3 = {0, 0};
    for (int r = 0; r < rows; r++) {
      v128_t lo = wasm_v128_load(x + r * cols + c), hi = wasm_v128_load(x + r * cols + c + 4);
      a0 += (d2)wasm_f64x2_promote_low_f32x4(lo);
      a1 += (d2)wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(lo, lo, 2, 3, 0, 1));
      a2 += (d2)wasm_f64x2_promote_low_f32x4(hi);
      a3 += (d2)wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(hi, hi, 2, 3, 0, 1));
    }
    v128_t s0 = wasm_f32x4_demote_f64x2_zero((v128_t)a0), s1 = wasm_f32x4_demote_f64x2_zero((v128_t)a1);
    v128_t s2 = wasm_f32x4_demote_f64x2_zero((v128_t)a2), s3 = wasm_f32x4_demote_f64x2_zero((v128_t)a3);
    wasm_v128_store(out + c, wasm_i32x4_shuffle(s0, s1, 0, 1, 4, 5));
    wasm_v128_store(out + c + 4, wasm_i32x4_shuffle(s2, s3, 0, 1, 4, 5));
  }
  for (; c < cols; c++) {
    double a = 0;
    for (int r = 0; r < rows; r++) a += x[r * cols + c];
    out[c] = (float)a;
  }
}

/* ---------------------------------------------------------------- forward steps */
/*
 * order: 0 (rows in order, gh [B, ·]) or a permutation of the rows sorted by length, longest
 * first (recurrent.ts): the i-th row processed is order[i], and gh row i is its product. The rows
 * valid at t are then a prefix, and gh holds only that prefix's rows (it is read for valid rows
 * only). x, hprev, h, c, saved stay in the original row order.
 */

/*
 * RNN step t, all B rows: h = act(x + gh) (x: this step's [B, H] block of the projection, which
 * holds b_ih + b_hh; gh = h_prev W_hh, [B, H]).
 */
INLINE void rnn_fwd_cols(int j, int w, const float *x, const float *g, float *h, int relu) {
  f4 pre = ld(x + j, w) + ld(g + j, w);
  st(h + j, relu ? vrelu(pre) : vtanh(pre), w);
}

EXPORT void rnn_fwd(const float *x, const float *gh, const float *hprev, float *h, const int *lengths,
                    const int *order, int t, int B, int H, int relu) {
  for (int i = 0; i < B; i++) {
    int b = row_of(order, i);
    const float *xr = x + b * H, *gr = gh + i * H;
    float *hr = h + b * H;
    if (!valid_row(lengths, t, b)) { copy_f32(hr, hprev + b * H, H); continue; }
    int j = 0;
    for (; j + 4 <= H; j += 4) rnn_fwd_cols(j, 4, xr, gr, hr, relu);
    for (; j < H; j++) rnn_fwd_cols(j, 1, xr, gr, hr, relu);
  }
}

/*
 * GRU step t: x [B, 3H] (x W_ih + b_ih), gh [B, 3H] (h_prev W_hh), bhh [3H];
 * r = σ(x_r + gh_r + b_r), z = σ(x_z + gh_z + b_z), hn = gh_n + b_n, n = tanh(x_n + r hn),
 * h = n + z (h_prev - n); saved [B, 4H] = r, z, n, hn.
 */
INLINE void gru_fwd_cols(int j, int w, const float *x, const float *g, const float *bhh, const float *hp,
                         float *h, float *sv, int H) {
  f4 r = vsigmoid(ld(x + j, w) + ld(g + j, w) + ld(bhh + j, w));
  f4 z = vsigmoid(ld(x + H + j, w) + ld(g + H + j, w) + ld(bhh + H + j, w));
  f4 hn = ld(g + 2 * H + j, w) + ld(bhh + 2 * H + j, w);
  f4 n = vtanh(ld(x + 2 * H + j, w) + r * hn);
  st(h + j, n + z * (ld(hp + j, w) - n), w);
  st(sv + j, r, w);
  st(sv + H + j, z, w);
  st(sv + 2 * H + j, n, w);
  st(sv + 3 * H + j, hn, w);
}

EXPORT void gru_fwd(const float *x, const float *gh, const float *bhh, const float *hprev, float *h, float *saved,
                    const int *lengths, const int *order, int t, int B, int H) {
  for (int i = 0; i < B; i++) {
    int b = row_of(order, i);
    const float *xr = x + b * 3 * H, *gr = gh + i * 3 * H, *hp = hprev + b * H;
    float *hr = h + b * H, *sv = saved + b * 4 * H;
    if (!valid_row(lengths, t, b)) { copy_f32(hr, hp, H); fill_zero(sv, 4 * H); continue; }
    int j = 0;
    for (; j + 4 <= H; j += 4) gru_fwd_cols(j, 4, xr, gr, bhh, hp, hr, sv, H);
    for (; j < H; j++) gru_fwd_cols(j, 1, xr, gr, bhh, hp, hr, sv, H);
  }
}

/*
 * LSTM step t: x [B, 4H] (x W_ih + b_ih + b_hh), gh [B, 4H]; i, f, o = σ, g = tanh of x + gh;
 * c = f c_prev + i g, h = o tanh(c); saved [B, 5H] = i, f, g, o, tanh(c).
 */
INLINE void lstm_fwd_cols(int j, int w, const float *x, const float *gh, const float *cp, float *h, float *c,
                          float *sv, int H) {
  f4 i = vsigmoid(ld(x + j, w) + ld(gh + j, w));
  f4 f = vsigmoid(ld(x + H + j, w) + ld(gh + H + j, w));
  f4 g = vtanh(ld(x + 2 * H + j, w) + ld(gh + 2 * H + j, w));
  f4 o = vsigmoid(ld(x + 3 * H + j, w) + ld(gh + 3 * H + j, w));
  f4 cn = f * ld(cp + j, w) + i * g;
  f4 tc = vtanh(cn);
  st(c + j, cn, w);
  st(h + j, o * tc, w);
  st(sv + j, i, w);
  st(sv + H + j, f, w);
  st(sv + 2 * H + j, g, w);
  st(sv + 3 * H + j, o, w);
  st(sv + 4 * H + j, tc, w);
}

EXPORT void lstm_fwd(const float *x, const float *gh, const float *hprev, const float *cprev, float *h, float *c,
                     float *saved, const int *lengths, const int *order, int t, int B, int H) {
  for (int i = 0; i < B; i++) {
    int b = row_of(order, i);
    const float *xr = x + b * 4 * H, *gr = gh + i * 4 * H, *cp = cprev + b * H;
    float *hr = h + b * H, *cr = c + b * H, *sv = saved + b * 5 * H;
    if (!valid_row(lengths, t, b)) {
      copy_f32(hr, hprev + b * H, H); copy_f32(cr, cp, H); fill_zero(sv, 5 * H);
      continue;
    }
    int j = 0;
    for (; j + 4 <= H; j += 4) lstm_fwd_cols(j, 4, xr, gr, cp, hr, cr, sv, H);
    for (; j < H; j++) lstm_fwd_cols(j, 1, xr, gr, cp, hr, cr, sv, H);
  }
}

/* ---------------------------------------------------------------- backward steps */
/*
 * Common shape: dy [B, H] (this step's rows of the output gradient), carry [B, H] (dh from the
 * later step), dG [B, G·H] (gradient at h W_hh (+ b_hh)), extra [B, H] (dh_prev terms outside
 * dG W_hhᵀ). A row past its length: extra = dy + carry, dG = 0.
 */

INLINE void rnn_bwd_cols(int j, int w, const float *dy, const float *carry, const float *h, float *dg, int relu) {
  f4 dh = ld(dy + j, w) + ld(carry + j, w);
  f4 a = ld(h + j, w);
  f4 d = relu ? (f4)wasm_v128_and((v128_t)dh, wasm_f32x4_gt((v128_t)a, (v128_t)splat(0.0f)))
              : dh * (splat(1.0f) - a * a);
  st(dg + j, d, w);
}

/* RNN: dG = dh act'(h) (tanh: 1 - h², relu: h > 0), extra = 0. h: this step's outputs [B, H]. */
EXPORT void rnn_bwd(const float *dy, const float *carry, const float *h, float *dg, float *extra,
                    const int *lengths, int t, int B, int H, int relu) {
  for (int b = 0; b < B; b++) {
    int o = b * H;
    if (!valid_row(lengths, t, b)) { add_f32(dy + o, carry + o, extra + o, H); fill_zero(dg + o, H); continue; }
    int j = 0;
    for (; j + 4 <= H; j += 4) rnn_bwd_cols(j, 4, dy + o, carry + o, h + o, dg + o, relu);
    for (; j < H; j++) rnn_bwd_cols(j, 1, dy + o, carry + o, h + o, dg + o, relu);
    fill_zero(extra + o, H);
  }
}

INLINE void gru_bwd_cols(int j, int w, const float *dy, const float *carry, const float *sv, const float *hp,
                         float *dg, float *dp, float *extra, int H) {
  f4 one = splat(1.0f);
  f4 dh = ld(dy + j, w) + ld(carry + j, w);
  f4 r = ld(sv + j, w), z = ld(sv + H + j, w), n = ld(sv + 2 * H + j, w), hn = ld(sv + 3 * H + j, w);
  f4 dan = dh * (one - z) * (one - n * n);
  f4 dr = dan * hn * r * (one - r);
  f4 dz = dh * (ld(hp + j, w) - n) * z * (one - z);
  st(dg + j, dr, w); st(dg + H + j, dz, w); st(dg + 2 * H + j, dan * r, w);
  st(dp + j, dr, w); st(dp + H + j, dz, w); st(dp + 2 * H + j, dan, w);
  st(extra + j, dh * z, w);
}

/*
 * GRU: dG = [dr, dz, dan r] at h W_hh + b_hh, dProj = [dr, dz, dan] at the projection,
 * extra = dh z. saved [B, 4H] = r, z, n, hn of this step; hprev [B, H] the state before it.
 */
EXPORT void gru_bwd(const float *dy, const float *carry, const float *saved, const float *hprev, float *dg,
                    float *dproj, float *extra, const int *lengths, int t, int B, int H) {
  for (int b = 0; b < B; b++) {
    int o = b * H, g = b * 3 * H;
    if (!valid_row(lengths, t, b)) {
      add_f32(dy + o, carry + o, extra + o, H); fill_zero(dg + g, 3 * H); fill_zero(dproj + g, 3 * H);
      continue;
    }
    const float *sv = saved + b * 4 * H;
    int j = 0;
    for (; j + 4 <= H; j += 4) gru_bwd_cols(j, 4, dy + o, carry + o, sv, hprev + o, dg + g, dproj + g, extra + o, H);
    for (; j < H; j++) gru_bwd_cols(j, 1, dy + o, carry + o, sv, hprev + o, dg + g, dproj + g, extra + o, H);
  }
}

INLINE void lstm_bwd_cols(int j, int w, const float *dy, const float *carry, float *carryc, const float *sv,
                          const float *cp, float *dg, int H) {
  f4 one = splat(1.0f);
  f4 dh = ld(dy + j, w) + ld(carry + j, w);
  f4 i = ld(sv + j, w), f = ld(sv + H + j, w), g = ld(sv + 2 * H + j, w), o = ld(sv + 3 * H + j, w);
  f4 tc = ld(sv + 4 * H + j, w);
  f4 dct = dh * o * (one - tc * tc) + ld(carryc + j, w);
  st(dg + j, dct * g * i * (one - i), w);
  st(dg + H + j, dct * ld(cp + j, w) * f * (one - f), w);
  st(dg + 2 * H + j, dct * i * (one - g * g), w);
  st(dg + 3 * H + j, dh * tc * o * (one - o), w);
  st(carryc + j, dct * f, w);
}

/*
 * LSTM: dG = [di, df, dg, do]; carryc ← dct f (unchanged past a row's length); extra = 0.
 * saved [B, 5H] of this step; cprev [B, H] the cell state before it.
 */
EXPORT void lstm_bwd(const float *dy, const float *carry, float *carryc, const float *saved, const float *cprev,
                     float *dg, float *extra, const int *lengths, int t, int B, int H) {
  for (int b = 0; b < B; b++) {
    int o = b * H, g = b * 4 * H;
    if (!valid_row(lengths, t, b)) { add_f32(dy + o, carry + o, extra + o, H); fill_zero(dg + g, 4 * H); continue; }
    const float *sv = saved + b * 5 * H;
    int j = 0;
    for (; j + 4 <= H; j += 4) lstm_bwd_cols(j, 4, dy + o, carry + o, carryc + o, sv, cprev + o, dg + g, H);
    for (; j < H; j++) lstm_bwd_cols(j, 1, dy + o, carry + o, carryc + o, sv, cprev + o, dg + g, H);
    fill_zero(extra + o, H);
  }
}

/* Accuracy probes for the tests: out = exp / σ / tanh of x (n values). */
EXPORT void exp_f32(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(out + i, vexp(ld(x + i, 4)), 4);
  for (; i < n; i++) st(out + i, vexp(ld(x + i, 1)), 1);
}

EXPORT void sigmoid_f32(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(out + i, vsigmoid(ld(x + i, 4)), 4);
  for (; i < n; i++) st(out + i, vsigmoid(ld(x + i, 1)), 1);
}

EXPORT void tanh_f32(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(out + i, vtanh(ld(x + i, 4)), 4);
  for (; i < n; i++) st(out + i, vtanh(ld(x + i, 1)), 1);
}

/* ---------------------------------------------------------------- loss, optimizer, transpose */
/*
 * The fused softmax cross-entropy, Adam and Σx² kernels (backend/simd/loss.ts, optimizer.ts) and
 * the cache-blocked transpose (kernels-wasm.ts's Transpose fix). Where the JS reference
 * (loss-kernels.ts, optimizer-kernels.ts) computes in float64, so do these: values are promoted
 * to f64x2, combined in the same order and rounded to float32 where the JS stores to a
 * Float32Array, so results equal the JS up to the order of float64 sums.
 */

INLINE d2 lo2(v128_t v) { return (d2)wasm_f64x2_promote_low_f32x4(v); }
INLINE d2 hi2(v128_t v) { return (d2)wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)); }
INLINE v128_t join2(d2 a, d2 b) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero((v128_t)a), wasm_f32x4_demote_f64x2_zero((v128_t)b), 0, 1, 4, 5);
}

/* exp(z) for z <= 0, as float32; 0 below -87 (where float32 exp is denormal or 0). */
INLINE f4 vexp_nonpos(f4 z) {
  v128_t keep = wasm_f32x4_ge((v128_t)z, (v128_t)splat(-87.0f));
  return (f4)wasm_v128_and((v128_t)vexp(z), keep);
}

/*
 * Softmax cross-entropy forward, row by row of logits [N, V]: m = max (NaN ignored, as the JS
 * `if (x > max)`), z = x - m (float32), e = exp(z), s = Σ e (float64), probs = e / s (float64
 * product, rounded). stats (8-byte aligned, 2N doubles): s_n, and z at label_n (0 when the label
 * is out of range) — the caller adds Σ_n w_n (log s_n - z_label).
 */
EXPORT void softmax_xent_fwd(const float *logits, const int *labels, float *probs, double *stats, int N, int V) {
  for (int n = 0; n < N; n++) {
    const float *x = logits + n * V;
    float *p = probs + n * V;
    v128_t mv = wasm_f32x4_splat(-__builtin_inff());
    int v = 0;
    for (; v + 4 <= V; v += 4) mv = wasm_f32x4_pmax(mv, wasm_v128_load(x + v));
    f4 mf = (f4)mv;
    float max = -__builtin_inff();
    if (mf[0] > max) max = mf[0];
    if (mf[1] > max) max = mf[1];
    if (mf[2] > max) max = mf[2];
    if (mf[3] > max) max = mf[3];
    for (; v < V; v++) if (x[v] > max) max = x[v];
    f4 mx = splat(max);
    d2 s0 = {0, 0}, s1 = {0, 0};
    v = 0;
    for (; v + 4 <= V; v += 4) {
      v128_t e = (v128_t)vexp_nonpos((f4)wasm_v128_load(x + v) - mx);
      wasm_v128_store(p + v, e);
      s0 += lo2(e);
      s1 += hi2(e);
    }
    double sum = (s0[0] + s1[0]) + (s0[1] + s1[1]);
    for (; v < V; v++) {
      float e = vexp_nonpos(splat(x[v] - max))[0];
      p[v] = e;
      sum += e;
    }
    double inv = 1 / sum;
    d2 iv = {inv, inv};
    v = 0;
    for (; v + 4 <= V; v += 4) {
      v128_t e = wasm_v128_load(p + v);
      wasm_v128_store(p + v, join2(lo2(e) * iv, hi2(e) * iv));
    }
    for (; v < V; v++) p[v] = (float)(p[v] * inv);
    int label = labels[n];
    stats[2 * n] = sum;
    stats[2 * n + 1] = label >= 0 && label < V ? (double)(x[label] - max) : 0;
  }
}

/*
 * Its gradient: out_n = s_n p_n, out_n,label = s_n (p_n,label - 1), s_n = dy w_n (float64);
 * rows with s_n = 0 are zeros.
 */
EXPORT void softmax_xent_bwd(const float *p, const int *labels, const float *w, double dy, float *out, int N, int V) {
  for (int n = 0; n < N; n++) {
    const float *pr = p + n * V;
    float *o = out + n * V;
    double s = dy * (double)w[n];
    if (s == 0) { fill_zero(o, V); continue; }
    d2 sv = {s, s};
    int v = 0;
    for (; v + 4 <= V; v += 4) {
      v128_t x = wasm_v128_load(pr + v);
      wasm_v128_store(o + v, join2(lo2(x) * sv, hi2(x) * sv));
    }
    for (; v < V; v++) o[v] = (float)(s * pr[v]);
    int label = labels[n];
    if (label >= 0 && label < V) o[label] = (float)(s * ((double)pr[label] - 1));
  }
}

/* Σ x² (float64: the products are exact, four partial sums). */
EXPORT double sum_squares_f32(const float *x, int n) {
  d2 a0 = {0, 0}, a1 = {0, 0};
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    d2 l = lo2(v), h = hi2(v);
    a0 += l * l;
    a1 += h * h;
  }
  double s = (a0[0] + a1[0]) + (a0[1] + a1[1]);
  for (; i < n; i++) s += (double)x[i] * x[i];
  return s;
}

/*
 * Adam, as optimizer-kernels.ts's adamLoop, in float64 with the same operation order: gi = scale g,
 * m' = β1 m + (1-β1) gi, v' = β2 v + (1-β2) gi gi (both rounded to float32), then
 * x' = x - lr (m'/c1) / (√(v'/c2) + ε) from the rounded m', v' — except that /c1, /c2 are products
 * with their float64 reciprocals (f64x2 division is the loop's bottleneck; relative difference
 * ~1e-16 before the float32 rounding, so x' equals the JS but in rare rounding ties).
 */
INLINE void adam2(d2 x, d2 g, d2 m, d2 v, d2 *x1, d2 *m1, d2 *v1, d2 lr, d2 b1, d2 b2, d2 a1, d2 a2, d2 eps,
                  d2 scale, d2 c1, d2 c2) {
  d2 gi = scale * g;
  d2 mm = b1 * m + a1 * gi;
  d2 vv = b2 * v + a2 * gi * gi;
  mm = (d2)wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero((v128_t)mm));
  vv = (d2)wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero((v128_t)vv));
  *m1 = mm;
  *v1 = vv;
  *x1 = x - lr * (mm * c1) / ((d2)wasm_f64x2_sqrt((v128_t)(vv * c2)) + eps);
}

EXPORT void adam_f32(const float *x, const float *g, const float *m, const float *v, float *x1, float *m1, float *v1,
                     int n, double lr, double beta1, double beta2, double epsilon, double scale, double c1, double c2) {
  d2 LR = {lr, lr}, B1 = {beta1, beta1}, B2 = {beta2, beta2}, A1 = {1 - beta1, 1 - beta1}, A2 = {1 - beta2, 1 - beta2};
  d2 EPS = {epsilon, epsilon}, S = {scale, scale}, C1 = {1 / c1, 1 / c1}, C2 = {1 / c2, 1 / c2};
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t xv = wasm_v128_load(x + i), gv = wasm_v128_load(g + i), mv = wasm_v128_load(m + i), vv = wasm_v128_load(v + i);
    d2 xa, ma, va, xb, mb, vb;
    adam2(lo2(xv), lo2(gv), lo2(mv), lo2(vv), &xa, &ma, &va, LR, B1, B2, A1, A2, EPS, S, C1, C2);
    adam2(hi2(xv), hi2(gv), hi2(mv), hi2(vv), &xb, &mb, &vb, LR, B1, B2, A1, A2, EPS, S, C1, C2);
    wasm_v128_store(x1 + i, join2(xa, xb));
    wasm_v128_store(m1 + i, join2(ma, mb));
    wasm_v128_store(v1 + i, join2(va, vb));
  }
  for (; i < n; i++) {
    d2 xa, ma, va;
    adam2((d2){x[i], 0}, (d2){g[i], 0}, (d2){m[i], 0}, (d2){v[i], 1}, &xa, &ma, &va, LR, B1, B2, A1, A2, EPS, S, C1, C2);
    x1[i] = (float)xa[0];
    m1[i] = (float)ma[0];
    v1[i] = (float)va[0];
  }
}

/* 4×4 block of 32-bit values: rows x[0..3] (stride sx) → out columns (stride so). */
INLINE void block4(const float *x, float *out, int sx, int so) {
  v128_t r0 = wasm_v128_load(x), r1 = wasm_v128_load(x + sx), r2 = wasm_v128_load(x + 2 * sx), r3 = wasm_v128_load(x + 3 * sx);
  v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(out, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
  wasm_v128_store(out + so, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
  wasm_v128_store(out + 2 * so, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
  wasm_v128_store(out + 3 * so, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
}

#define TILE 32

/* x [rows, cols] → out [cols, rows], 32-bit values, in TILE×TILE tiles of 4×4 blocks. */
static void transpose2d(const float *x, float *out, int rows, int cols) {
  for (int i0 = 0; i0 < rows; i0 += TILE) {
    int i1 = i0 + TILE < rows ? i0 + TILE : rows;
    for (int j0 = 0; j0 < cols; j0 += TILE) {
      int j1 = j0 + TILE < cols ? j0 + TILE : cols;
      int i = i0;
      for (; i + 4 <= i1; i += 4) {
        int j = j0;
        for (; j + 4 <= j1; j += 4) block4(x + i * cols + j, out + j * rows + i, cols, rows);
        for (; j < j1; j++)
          for (int k = i; k < i + 4; k++) out[j * rows + k] = x[k * cols + j];
      }
      for (; i < i1; i++)
        for (int j = j0; j < j1; j++) out[j * rows + i] = x[i * cols + j];
    }
  }
}

/*
 * x [batch, rows, cols, inner] → out [batch, cols, rows, inner] for 32-bit values (float32 or
 * int32: only bits are moved). inner = 1: blocked 2-D transposes; inner > 1: row copies.
 */
EXPORT void transpose32(const float *x, float *out, int batch, int rows, int cols, int inner) {
  int plane = rows * cols * inner;
  for (int b = 0; b < batch; b++) {
    const float *xb = x + b * plane;
    float *ob = out + b * plane;
    if (inner == 1) { transpose2d(xb, ob, rows, cols); continue; }
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < cols; j++) copy_f32(ob + (j * rows + i) * inner, xb + (i * cols + j) * inner, inner);
  }
}
