/*
 * A training step for a chain of Dense layers (relu or linear hidden layers,
 * a sigmoid output) under the masked binary cross-entropy, in one call:
 * forward, loss, backward and Adam, eight rows at a time with every
 * activation of those rows in L1 cache. What tfjs does in ~60 kernel calls per
 * batch (each a trip through the backend and a pass over memory) is one pass.
 *
 * Built to WebAssembly SIMD by packages/core/scripts/build-wasm.mjs (clang +
 * lld, `npm run build:wasm -w @mtl/core`); the bytes are committed in
 * src/dense-chain-wasm.ts. No libc: exp and log are below.
 *
 * Layout (all offsets are byte addresses in this module's memory, laid out by
 * host-chain.ts): every layer's output width is padded to a multiple of 4
 * (`outp`) with zero weights, so every row of activations is whole vectors.
 *   W   [in][outp]   kernel, row-major as tfjs stores it, padded columns 0
 *   WT  [out][inp]   its transpose (inp = in padded to 4), for the backward pass
 *   b   [outp]
 * Gradients, Adam's moments and the weights share one flat parameter vector
 * per chain (`params`): W and b of layer 0, then of layer 1, ...
 */
#include <wasm_simd128.h>

#define MAX_LAYERS 8
#define R 8 /* rows per block */

typedef struct {
  int layers;
  int in[MAX_LAYERS], out[MAX_LAYERS], inp[MAX_LAYERS], outp[MAX_LAYERS];
  int relu[MAX_LAYERS];   /* hidden layer activation: 1 relu, 0 linear (the last layer is sigmoid) */
  int w[MAX_LAYERS];      /* offset of W in params, in floats */
  int b[MAX_LAYERS];      /* offset of b in params, in floats */
  int wt[MAX_LAYERS];     /* offset of WT in the transposed buffer, in floats */
  int act[MAX_LAYERS + 1];/* offset of each layer's activations (layer -1 = the input rows) in the block scratch, in floats */
  int params;             /* floats in the parameter vector */
  int cols;               /* features per input row */
  int tasks;              /* label columns (= out of the last layer) */
  int deltaSecond;        /* offset of the second delta buffer from the first, in floats (R x the widest padded layer) */
  float *x;               /* rows x cols */
  float *y;               /* rows x tasks; < 0 or NaN = missing */
  float *taskWeight;      /* tasks */
  float *positiveWeight;  /* tasks */
  float *weights;         /* params */
  float *transposed;      /* WT of every layer */
  float *m, *v;           /* Adam's moments, params each */
  float *scratch;         /* R rows of every layer's activations, then R rows of two gradient buffers */
  float *delta;           /* two buffers of R rows x the widest padded layer */
  int *blockIds;          /* R row ids of the block at hand */
} Chain;

/* ---- exp and log, in double (no libc) ---------------------------------- */

static double exp_d(double x) {
  if (x != x) return x;
  if (x > 700) return 1e300 * 1e300;
  if (x < -700) return 0;
  const double ln2 = 0.6931471805599453;
  double k = __builtin_floor(x / ln2 + 0.5);
  double r = x - k * ln2;
  /* Taylor to r^12: |r| <= 0.35, error < 1e-16 relative */
  double p = 1.0 / 479001600;
  p = p * r + 1.0 / 39916800;
  p = p * r + 1.0 / 3628800;
  p = p * r + 1.0 / 362880;
  p = p * r + 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  union { double d; long long i; } scale;
  scale.i = (long long)(k + 1023) << 52;
  return p * scale.d;
}

static double log_d(double x) {
  if (x != x || x < 0) return 0.0 / 0.0;
  if (x == 0) return -1.0 / 0.0;
  union { double d; long long i; } u = {x};
  int e = (int)((u.i >> 52) & 0x7ff) - 1023;
  u.i = (u.i & 0x000fffffffffffffLL) | 0x3ff0000000000000LL; /* mantissa in [1, 2) */
  double m = u.d;
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  double s = (m - 1) / (m + 1), s2 = s * s;
  /* 2 atanh(s), |s| <= 0.172: terms to s^17 */
  double t = 1.0 / 17;
  t = t * s2 + 1.0 / 15;
  t = t * s2 + 1.0 / 13;
  t = t * s2 + 1.0 / 11;
  t = t * s2 + 1.0 / 9;
  t = t * s2 + 1.0 / 7;
  t = t * s2 + 1.0 / 5;
  t = t * s2 + 1.0 / 3;
  t = t * s2 + 1.0;
  return 2 * s * t + e * 0.6931471805599453;
}

/* ---- the building blocks, R rows at a time ------------------------------ */

/* out[r][j] = bias[j] + sum_i a[r][i] * M[i][j] for R rows; j over np (multiple of 4); k terms. Optional relu. */
static void rows_times(const float *a, int sa, const float *M, int k, int np, const float *bias, float *out, int so, int relu) {
  for (int j = 0; j < np; j += 4) {
    v128_t b = bias ? wasm_v128_load(bias + j) : wasm_f32x4_splat(0);
    v128_t c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b;
    for (int i = 0; i < k; i++) {
      v128_t w = wasm_v128_load(M + i * np + j);
      c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_v128_load32_splat(a + 0 * sa + i), w));
      c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_v128_load32_splat(a + 1 * sa + i), w));
      c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_v128_load32_splat(a + 2 * sa + i), w));
      c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_v128_load32_splat(a + 3 * sa + i), w));
      c4 = wasm_f32x4_add(c4, wasm_f32x4_mul(wasm_v128_load32_splat(a + 4 * sa + i), w));
      c5 = wasm_f32x4_add(c5, wasm_f32x4_mul(wasm_v128_load32_splat(a + 5 * sa + i), w));
      c6 = wasm_f32x4_add(c6, wasm_f32x4_mul(wasm_v128_load32_splat(a + 6 * sa + i), w));
      c7 = wasm_f32x4_add(c7, wasm_f32x4_mul(wasm_v128_load32_splat(a + 7 * sa + i), w));
    }
    if (relu) {
      v128_t z = wasm_f32x4_splat(0);
      c0 = wasm_f32x4_pmax(c0, z), c1 = wasm_f32x4_pmax(c1, z), c2 = wasm_f32x4_pmax(c2, z), c3 = wasm_f32x4_pmax(c3, z);
      c4 = wasm_f32x4_pmax(c4, z), c5 = wasm_f32x4_pmax(c5, z), c6 = wasm_f32x4_pmax(c6, z), c7 = wasm_f32x4_pmax(c7, z);
    }
    wasm_v128_store(out + 0 * so + j, c0);
    wasm_v128_store(out + 1 * so + j, c1);
    wasm_v128_store(out + 2 * so + j, c2);
    wasm_v128_store(out + 3 * so + j, c3);
    wasm_v128_store(out + 4 * so + j, c4);
    wasm_v128_store(out + 5 * so + j, c5);
    wasm_v128_store(out + 6 * so + j, c6);
    wasm_v128_store(out + 7 * so + j, c7);
  }
}

/* dW[i][j] += sum_r a[r][i] * d[r][j]; db[j] += sum_r d[r][j]. */
static void outer_accumulate(const float *a, int sa, int k, const float *d, int sd, int np, float *dW, float *db) {
  for (int j = 0; j < np; j += 4) {
    v128_t d0 = wasm_v128_load(d + 0 * sd + j), d1 = wasm_v128_load(d + 1 * sd + j), d2 = wasm_v128_load(d + 2 * sd + j),
           d3 = wasm_v128_load(d + 3 * sd + j), d4 = wasm_v128_load(d + 4 * sd + j), d5 = wasm_v128_load(d + 5 * sd + j),
           d6 = wasm_v128_load(d + 6 * sd + j), d7 = wasm_v128_load(d + 7 * sd + j);
    v128_t s = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(d0, d1), wasm_f32x4_add(d2, d3)), wasm_f32x4_add(wasm_f32x4_add(d4, d5), wasm_f32x4_add(d6, d7)));
    wasm_v128_store(db + j, wasm_f32x4_add(wasm_v128_load(db + j), s));
    for (int i = 0; i < k; i++) {
      v128_t t0 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load32_splat(a + 0 * sa + i), d0), wasm_f32x4_mul(wasm_v128_load32_splat(a + 1 * sa + i), d1));
      v128_t t1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load32_splat(a + 2 * sa + i), d2), wasm_f32x4_mul(wasm_v128_load32_splat(a + 3 * sa + i), d3));
      v128_t t2 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load32_splat(a + 4 * sa + i), d4), wasm_f32x4_mul(wasm_v128_load32_splat(a + 5 * sa + i), d5));
      v128_t t3 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load32_splat(a + 6 * sa + i), d6), wasm_f32x4_mul(wasm_v128_load32_splat(a + 7 * sa + i), d7));
      float *p = dW + i * np + j;
      wasm_v128_store(p, wasm_f32x4_add(wasm_v128_load(p), wasm_f32x4_add(wasm_f32x4_add(t0, t1), wasm_f32x4_add(t2, t3))));
    }
  }
}

/* ---- one block of R rows ------------------------------------------------ */

/* Forward, loss and backward for R rows (row ids in `ids`, -1 = padding); adds to grad; returns the block's loss sum. */
static double block(const Chain *c, const int *ids, double scale, float *grad) {
  float *s = c->scratch;
  const int L = c->layers;
  /* the input rows, padded to inp[0] columns */
  float *a0 = s + c->act[0];
  const int in0 = c->inp[0];
  for (int r = 0; r < R; r++) {
    float *row = a0 + r * in0;
    for (int i = 0; i < in0; i++) row[i] = 0;
    if (ids[r] >= 0)
      for (int i = 0; i < c->cols; i++) row[i] = c->x[(long)ids[r] * c->cols + i];
  }
  for (int l = 0; l < L; l++) {
    rows_times(s + c->act[l], c->inp[l], c->weights + c->w[l], c->in[l], c->outp[l], c->weights + c->b[l], s + c->act[l + 1], c->outp[l],
               l < L - 1 && c->relu[l]);
  }
  /* the output: sigmoid, the masked loss and its gradient with respect to the logits */
  const int T = c->tasks, tp = c->outp[L - 1];
  float *z = s + c->act[L];
  float *d = c->delta;
  const float low = 1e-7f, high = 1 - 1e-7f;
  double loss = 0;
  for (int r = 0; r < R; r++) {
    for (int t = 0; t < tp; t++) {
      float g = 0;
      if (t < T && ids[r] >= 0) {
        float y = c->y[(long)ids[r] * T + t];
        if (y >= 0) {
          float p = (float)(1 / (1 + exp_d(-(double)z[r * tp + t])));
          float q = p < low ? low : p > high ? high : p;
          double pw = c->positiveWeight[t], tw = c->taskWeight[t];
          double positive = y == 0 ? 0 : pw * y * log_d(q);
          double negative = y == 1 ? 0 : (1 - y) * log_d(1 - (double)q);
          loss -= tw * (positive + negative);
          double dp = p >= low && p <= high ? -tw * ((pw * y) / q - (1 - y) / (1 - (double)q)) : p != p ? p : 0;
          float gp = (float)(dp * scale);
          g = gp * (p * (1 - p));
        }
      }
      d[r * tp + t] = g;
    }
  }
  /* backward, last layer first; d holds the gradient with respect to the layer's pre-activation */
  float *dnext = c->delta + c->deltaSecond;
  for (int l = L - 1; l >= 0; l--) {
    const int np = c->outp[l];
    outer_accumulate(s + c->act[l], c->inp[l], c->in[l], d, np, np, grad + c->w[l], grad + c->b[l]);
    if (l == 0) break;
    /* d_prev[r][i] = sum_j d[r][j] * W[i][j], times relu'(a_prev) */
    const int kp = c->inp[l]; /* = outp[l - 1] */
    rows_times(d, np, c->transposed + c->wt[l], c->out[l], kp, 0, dnext, kp, 0);
    if (c->relu[l - 1]) {
      const float *ap = s + c->act[l];
      for (int i = 0; i < R * kp; i += 4) {
        v128_t on = wasm_f32x4_gt(wasm_v128_load(ap + i), wasm_f32x4_splat(0));
        wasm_v128_store(dnext + i, wasm_v128_and(wasm_v128_load(dnext + i), on));
      }
    }
    float *t = d;
    d = dnext;
    dnext = t;
  }
  return loss;
}

/* ---- exports ------------------------------------------------------------ */

/* Writes WT of every layer from W (after the weights change). */
__attribute__((export_name("transpose"))) void transpose(Chain *c) {
  for (int l = 0; l < c->layers; l++) {
    const float *W = c->weights + c->w[l];
    float *WT = c->transposed + c->wt[l];
    const int np = c->outp[l], kp = c->inp[l];
    for (int j = 0; j < c->out[l]; j++)
      for (int i = 0; i < kp; i++) WT[j * kp + i] = i < c->in[l] ? W[i * np + j] : 0;
  }
}

/* Labelled entries among the rows ids[0..n). */
__attribute__((export_name("labelled"))) int labelled(const Chain *c, const int *ids, int n) {
  int count = 0;
  for (int r = 0; r < n; r++)
    for (int t = 0; t < c->tasks; t++) count += c->y[(long)ids[r] * c->tasks + t] >= 0;
  return count;
}

/*
 * Adds the gradient of the rows ids[0..n) to grad (params floats), each
 * entry's loss gradient scaled by `scale` (1 / the batch's labelled entries);
 * returns their loss sum (unscaled). Rows go R at a time; the last block is
 * padded with rows that contribute nothing.
 */
__attribute__((export_name("gradient"))) double gradient(const Chain *c, const int *ids, int n, double scale, float *grad) {
  double loss = 0;
  int *block_ids = c->blockIds;
  for (int r0 = 0; r0 < n; r0 += R) {
    for (int r = 0; r < R; r++) block_ids[r] = r0 + r < n ? ids[r0 + r] : -1;
    loss += block(c, block_ids, scale, grad);
  }
  return loss;
}

/* a[i] += b[i] */
__attribute__((export_name("add"))) void add(float *a, const float *b, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(a + i, wasm_f32x4_add(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  for (; i < n; i++) a[i] += b[i];
}

/* a[i] = 0 */
__attribute__((export_name("clear"))) void clear(float *a, int n) {
  for (int i = 0; i < n; i++) a[i] = 0;
}

/*
 * Adam, each operation rounded to float32 in the order tfjs' AdamOptimizer
 * runs its kernels (the same loop as fused-adam.ts): bit-for-bit its update.
 */
__attribute__((export_name("adam"))) void adam(Chain *c, const float *g, float beta1, float beta2, float oneMinusBeta1, float oneMinusBeta2,
                                              float oneMinusAccBeta1, float oneMinusAccBeta2, float epsilon, float minusRate) {
  float *w = c->weights, *m = c->m, *v = c->v;
  for (int j = 0; j < c->params; j++) {
    float gj = g[j];
    float mj = m[j] * beta1 + gj * oneMinusBeta1;
    float vj = v[j] * beta2 + (gj * gj) * oneMinusBeta2;
    m[j] = mj;
    v[j] = vj;
    float mHat = mj / oneMinusAccBeta1;
    float vHat = vj / oneMinusAccBeta2;
    w[j] = (mHat / (__builtin_sqrtf(vHat) + epsilon)) * minusRate + w[j];
  }
}

/* Forward only, for prediction: probabilities of the n rows at x (n x cols, contiguous) into out (n x tasks). */
__attribute__((export_name("predict"))) void predict(const Chain *c, const float *x, int n, float *out) {
  float *s = c->scratch;
  const int L = c->layers, T = c->tasks, tp = c->outp[L - 1], in0 = c->inp[0];
  for (int r0 = 0; r0 < n; r0 += R) {
    float *a0 = s + c->act[0];
    for (int r = 0; r < R; r++) {
      float *row = a0 + r * in0;
      for (int i = 0; i < in0; i++) row[i] = 0;
      if (r0 + r < n)
        for (int i = 0; i < c->cols; i++) row[i] = x[(long)(r0 + r) * c->cols + i];
    }
    for (int l = 0; l < L; l++)
      rows_times(s + c->act[l], c->inp[l], c->weights + c->w[l], c->in[l], c->outp[l], c->weights + c->b[l], s + c->act[l + 1], c->outp[l],
                 l < L - 1 && c->relu[l]);
    const float *z = s + c->act[L];
    for (int r = 0; r < R && r0 + r < n; r++)
      for (int t = 0; t < T; t++) out[(long)(r0 + r) * T + t] = (float)(1 / (1 + exp_d(-(double)z[r * tp + t])));
  }
}
