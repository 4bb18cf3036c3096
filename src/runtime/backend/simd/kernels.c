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
  x = (f4)wasm_f32x4_min(wasm_f32x4_max((v128_t)x, (v128_t)splat(-87.0f)), (v128_t)splat(88.0f));
  f4 n = (f4)wasm_f32x4_nearest((v128_t)(x * splat(1.44269504088896341f)));
  f4 r = x - n * splat(0.693359375f);
  r = r - n * splat(-2.12194440e-4f);
  f4 p = splat(1.9875691500e-4f);
  p = p * r + splat(1.3981999507e-3f);
  p = p * r + splat(8.3334519073e-3f);
  p = p * r + splat(4.1665795894e-2f);
  p = p * r + splat(1.6666665459e-1f);
  p = p * r + splat(5.0000001201e-1f);
  f4 y = p * (r * r) + r + splat(1.0f);
  v128_t bits = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4((v128_t)n), wasm_i32x4_splat(127)), 23);
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
 * RNN step t, all B rows: h = act(x + gh) (x: this step's [B, H] block of the projection, which
 * holds b_ih + b_hh; gh = h_prev W_hh, [B, H]).
 */
INLINE void rnn_fwd_cols(int j, int w, const float *x, const float *g, float *h, int relu) {
  f4 pre = ld(x + j, w) + ld(g + j, w);
  st(h + j, relu ? vrelu(pre) : vtanh(pre), w);
}

EXPORT void rnn_fwd(const float *x, const float *gh, const float *hprev, float *h, const int *lengths,
                    int t, int B, int H, int relu) {
  for (int b = 0; b < B; b++) {
    const float *xr = x + b * H, *gr = gh + b * H;
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
                    const int *lengths, int t, int B, int H) {
  for (int b = 0; b < B; b++) {
    const float *xr = x + b * 3 * H, *gr = gh + b * 3 * H, *hp = hprev + b * H;
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
                     float *saved, const int *lengths, int t, int B, int H) {
  for (int b = 0; b < B; b++) {
    const float *xr = x + b * 4 * H, *gr = gh + b * 4 * H, *cp = cprev + b * H;
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
