/*
 * The update loop of learnSingle (src/learn/linear-updates.ts) for one output,
 * operation for operation: the same IEEE operations on the same values in the same order per
 * coordinate (compiled with -ffp-contract=off, no fast-math), so that every weight, every optimizer
 * sum and every running statistic comes out with the bits the JavaScript path gives. What differs is
 * only how the work is scheduled: the per-coordinate steps are independent of each other, so they run
 * as whole-array passes the compiler turns into vector instructions (and, with GCC on x86-64, into
 * AVX2 and AVX-512 clones chosen when the addon loads); a select replaces each branch, computing both
 * sides and keeping the one the JavaScript takes. The margin's sum stays one left-to-right sum, as in
 * JavaScript. Math.exp is V8's port of fdlibm, so the sigmoid uses the same port (ttt_fdlibm_exp).
 */
#include "learn.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define TTT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TTT_CLONES
#endif
/* C99's restrict (no two of a loop's arrays overlap, which lets the loops vectorise); MSVC spells it __restrict. */
#if defined(_MSC_VER)
#define TTT_RESTRICT __restrict
#else
#define TTT_RESTRICT restrict
#endif
#if defined(__GNUC__)
#define TTT_INLINE static inline __attribute__((always_inline))
#else
#define TTT_INLINE static inline
#endif

/* ---- fdlibm's e_exp.c, as V8's base::ieee754::exp (FreeBSD msun's version) ---- */

static uint32_t high_word(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  return (uint32_t)(bits >> 32);
}

static uint32_t low_word(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  return (uint32_t)bits;
}

static double from_words(uint32_t hi, uint32_t lo) {
  const uint64_t bits = ((uint64_t)hi << 32) | lo;
  double x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

double ttt_fdlibm_exp(double x) {
  static const double one = 1.0, halF[2] = {0.5, -0.5}, o_threshold = 7.09782712893383973096e+02,
                      u_threshold = -7.45133219101941108420e+02,
                      ln2HI[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01},
                      ln2LO[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10},
                      invln2 = 1.44269504088896338700e+00, P1 = 1.66666666666666019037e-01,
                      P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05,
                      P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08,
                      E = 2.718281828459045, /* exp(1) */
                      twom1000 = 9.33263618503218878990e-302; /* 2**-1000 */
  /* volatile: fdlibm's huge*huge and twom1000*twom1000 must be computed (they raise the flags). */
  volatile double huge = 1.0e+300;
  double y, hi = 0.0, lo = 0.0, c, t, twopk;
  int32_t k = 0;
  uint32_t hx = high_word(x);
  const int32_t xsb = (int32_t)((hx >> 31) & 1);
  hx &= 0x7fffffff;

  if (hx >= 0x40862E42) { /* |x| >= 709.78... */
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low_word(x)) != 0) return x + x; /* NaN */
      return (xsb == 0) ? x : 0.0;                          /* exp(+-inf) = {inf, 0} */
    }
    if (x > o_threshold) return huge * huge;                /* overflow */
    if (x < u_threshold) return twom1000 * twom1000;       /* underflow */
  }

  if (hx > 0x3fd62e42) {   /* |x| > 0.5 ln2 */
    if (hx < 0x3FF0A2B2) { /* and |x| < 1.5 ln2 */
      if (x == 1.0) return E;
      hi = x - ln2HI[xsb];
      lo = ln2LO[xsb];
      k = 1 - xsb - xsb;
    } else {
      k = (int32_t)(invln2 * x + halF[xsb]);
      t = k;
      hi = x - t * ln2HI[0]; /* t*ln2HI is exact here */
      lo = t * ln2LO[0];
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) { /* |x| < 2**-28 */
    if (huge + x > one) return one + x;
  } else {
    k = 0;
  }

  t = x * x;
  if (k >= -1021)
    twopk = from_words(0x3ff00000u + ((uint32_t)k << 20), 0);
  else
    twopk = from_words(0x3ff00000u + ((uint32_t)(k + 1000) << 20), 0);
  c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return one - ((x * c) / (c - 2.0) - x);
  y = one - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * 8.98846567431157953865e+307; /* 0x1p1023 */
    return y * twopk;
  }
  return y * twopk * twom1000;
}

/* JavaScript's sigmoid in linear-state.ts. */
static double sigmoid(double margin) {
  return margin >= 0 ? 1 / (1 + ttt_fdlibm_exp(-margin))
                     : ttt_fdlibm_exp(margin) / (1 + ttt_fdlibm_exp(margin));
}

/* Math.max(0, y) and Math.min(0, y): NaN stays NaN, max(0, -0) is +0, min(0, -0) is -0. */
TTT_INLINE double js_max0(double y) { return (y > 0 || y != y) ? y : 0.0; }
TTT_INLINE double js_min0(double y) { return (y <= 0 || y != y) ? y : 0.0; }

size_t ttt_learn_state_length(const double *io) {
  const size_t p = (size_t)io[TTT_IO_P];
  const size_t capacity = (size_t)io[TTT_IO_CAPACITY];
  const size_t arrays = io[TTT_IO_KIND] == 0 ? 4 : 2;
  return 4 * p + arrays * capacity;
}

/* marginSingle's numeric part: xs[j] the (standardised) value, prod[j] its weight times it. */
TTT_INLINE void numeric_products(size_t p, int standardize, const double *TTT_RESTRICT x,
                                 const double *TTT_RESTRICT mean, const double *TTT_RESTRICT inverse_sd,
                                 const double *TTT_RESTRICT weights, double *TTT_RESTRICT xs, double *TTT_RESTRICT prod) {
  if (standardize)
    for (size_t j = 0; j < p; j++) {
      const double v = x[j] != x[j] ? 0.0 : (x[j] - mean[j]) * inverse_sd[j];
      xs[j] = v;
      prod[j] = weights[j] * v;
    }
  else
    for (size_t j = 0; j < p; j++) {
      const double v = x[j] != x[j] ? 0.0 : x[j];
      xs[j] = v;
      prod[j] = weights[j] * v;
    }
}

/* learnSingle's FTRL step of the numeric coordinates (a zero gradient leaves a coordinate alone). */
TTT_INLINE void ftrl_numeric(size_t p, double gm, double inverse_alpha, double beta, double l1, double l2,
                             const double *TTT_RESTRICT xs, double *TTT_RESTRICT a, double *TTT_RESTRICT b,
                             double *TTT_RESTRICT w, double *TTT_RESTRICT sqrt_n) {
  for (size_t j = 0; j < p; j++) {
    const double g = gm * xs[j];
    const double a0 = a[j], b0 = b[j], w0 = w[j], s0 = sqrt_n[j];
    const double n2 = b0 + g * g;
    const double root = sqrt(n2);
    const double z = a0 + g - (root - s0) * inverse_alpha * w0;
    const int zero = (z <= l1) & (z >= -l1);
    const double weight = zero ? 0.0 : -(z - (z > 0 ? l1 : -l1)) / ((beta + root) * inverse_alpha + l2);
    const int step = g != 0;
    a[j] = step ? z : a0;
    b[j] = step ? n2 : b0;
    sqrt_n[j] = step ? root : s0;
    w[j] = step ? weight : w0;
  }
}

TTT_INLINE void adagrad_numeric(size_t p, double gm, double eta, double epsilon, double l1, double l2,
                                const double *TTT_RESTRICT xs, double *TTT_RESTRICT a, double *TTT_RESTRICT b) {
  for (size_t j = 0; j < p; j++) {
    const double wt = a[j];
    const double g = gm * xs[j] + l2 * wt;
    const double G = b[j] + g * g;
    b[j] = G;
    const double h = epsilon + sqrt(G);
    const double u = wt - (eta * g) / h;
    const double t = (eta * l1) / h;
    a[j] = u > t ? u - t : u < -t ? u + t : 0.0;
  }
}

TTT_INLINE void sgd_numeric(size_t p, double shrink, double step, double u, const double *TTT_RESTRICT xs,
                            double *TTT_RESTRICT a, double *TTT_RESTRICT b) {
  for (size_t j = 0; j < p; j++) {
    const double wt = a[j] * shrink - step * xs[j];
    const double q = b[j];
    /* js_max0 and js_min0 without the short circuits, so that the loop has no branch. */
    const double down = wt - (u + q);
    const double up = wt + (u - q);
    const double maxed = (down > 0) | (down != down) ? down : 0.0;
    const double mined = (up <= 0) | (up != up) ? up : 0.0;
    const double pulled = wt > 0 ? maxed : wt < 0 ? mined : wt;
    b[j] = q + (pulled - wt);
    a[j] = pulled;
  }
}

/*
 * absorb(): Welford's update. When no value is missing and every column has the same count (the
 * usual dense row), 1/n is one division for all, as the JavaScript caches it; otherwise per column.
 */
TTT_INLINE void absorb(size_t p, const double *TTT_RESTRICT x, double *TTT_RESTRICT count, double *TTT_RESTRICT mean,
                       double *TTT_RESTRICT m2, double *TTT_RESTRICT inverse_sd) {
  int uniform = 1;
  const double first = p > 0 ? count[0] : 0;
  for (size_t j = 0; j < p; j++) uniform &= (x[j] == x[j]) & (count[j] == first);
  if (uniform) {
    const double n = first + 1;
    const double inverse_n = 1 / n;
    const int spread = n >= 2;
    for (size_t j = 0; j < p; j++) {
      count[j] = n;
      const double delta = x[j] - mean[j];
      const double next = mean[j] + delta * inverse_n;
      mean[j] = next;
      const double m2j = m2[j] + delta * (x[j] - next);
      m2[j] = m2j;
      inverse_sd[j] = spread & (m2j > 0) ? sqrt(n / m2j) : 0.0;
    }
    return;
  }
  for (size_t j = 0; j < p; j++) {
    const double xj = x[j];
    if (xj != xj) continue;
    const double n = count[j] + 1;
    count[j] = n;
    const double inverse_n = 1 / n;
    const double delta = xj - mean[j];
    const double next = mean[j] + delta * inverse_n;
    mean[j] = next;
    const double m2j = m2[j] + delta * (xj - next);
    m2[j] = m2j;
    inverse_sd[j] = n >= 2 && m2j > 0 ? sqrt(n / m2j) : 0.0;
  }
}

TTT_CLONES
void ttt_learn_rows(double *io, double *state, const double *numeric, const int32_t *slots,
                    const double *labels, const double *weights, double *scratch) {
  const int kind = (int)io[TTT_IO_KIND];
  const int regression = io[TTT_IO_TASK] == 1;
  const int standardize = io[TTT_IO_STANDARDIZE] != 0;
  const size_t p = (size_t)io[TTT_IO_P];
  const size_t c = (size_t)io[TTT_IO_C];
  const size_t capacity = (size_t)io[TTT_IO_CAPACITY];
  const int64_t limit = (int64_t)io[TTT_IO_COORDINATES];
  const size_t rows = (size_t)io[TTT_IO_ROWS];
  const double p0 = io[TTT_IO_P0], p1 = io[TTT_IO_P1], p2 = io[TTT_IO_P2], p3 = io[TTT_IO_P3];
  double u_sum = io[TTT_IO_U];
  double updates = io[TTT_IO_UPDATES];
  double target_count = io[TTT_IO_TARGET_COUNT];
  double target_mean = io[TTT_IO_TARGET_MEAN];
  double target_m2 = io[TTT_IO_TARGET_M2];

  double *TTT_RESTRICT count = state;
  double *TTT_RESTRICT mean = state + p;
  double *TTT_RESTRICT m2 = state + 2 * p;
  double *TTT_RESTRICT inverse_sd = state + 3 * p;
  double *TTT_RESTRICT a = state + 4 * p;
  double *TTT_RESTRICT b = a + capacity;
  /* FTRL only: each coordinate's weight and square root of n, derived from z and n. */
  double *TTT_RESTRICT w = kind == 0 ? b + capacity : NULL;
  double *TTT_RESTRICT sqrt_n = kind == 0 ? b + 2 * capacity : NULL;
  double *TTT_RESTRICT xs = scratch;
  double *TTT_RESTRICT prod = scratch + p;
  const double *current = kind == 0 ? w : a;

  for (size_t r = 0; r < rows; r++) {
    const double *TTT_RESTRICT x = numeric + (size_t)io[TTT_IO_NUMERIC_OFFSET] + r * p;
    const int32_t *row_slots = slots + (size_t)io[TTT_IO_SLOT_OFFSET] + r * c;
    const double label = labels != NULL ? labels[r] : io[TTT_IO_LABEL];
    const double weight = weights != NULL ? weights[r] : io[TTT_IO_WEIGHT];
    if (weight != 0) {
      /* marginSingle: bias, numeric columns, then slots, one left-to-right sum. */
      numeric_products(p, standardize, x, mean, inverse_sd, current + 1, xs, prod);
      double sum = 0;
      sum += current[0] * 1;
      for (size_t j = 0; j < p; j++) sum += prod[j];
      for (size_t k = 0; k < c; k++) {
        const int32_t slot = row_slots[k];
        if (slot < 0 || slot >= limit) continue;
        sum += current[slot] * 1;
      }
      double gm;
      if (regression) {
        const double center = target_count >= 1 ? target_mean : 0;
        const double variance = target_count >= 2 ? target_m2 / target_count : 0;
        const double scale = variance > 0 ? sqrt(variance) : 1;
        gm = (sum - (label - center) / scale) * weight;
      } else {
        gm = (sigmoid(sum) - label) * weight;
      }
      switch (kind) {
        case 0: {
          const double beta = p1, l1 = p2, l2 = p3;
          const double inverse_alpha = 1 / p0;
          if (gm != 0) {
            const double n2 = b[0] + gm * gm;
            const double root = sqrt(n2);
            const double z = a[0] + gm - (root - sqrt_n[0]) * inverse_alpha * w[0];
            a[0] = z;
            b[0] = n2;
            sqrt_n[0] = root;
            w[0] = z <= 0.0 && z >= -0.0 ? 0.0 : -(z - (z > 0 ? 0.0 : -0.0)) / ((beta + root) * inverse_alpha + 0.0);
          }
          ftrl_numeric(p, gm, inverse_alpha, beta, l1, l2, xs, a + 1, b + 1, w + 1, sqrt_n + 1);
          if (gm != 0)
            for (size_t k = 0; k < c; k++) {
              const int32_t at = row_slots[k];
              if (at < 0 || at >= limit) continue;
              const double n2 = b[at] + gm * gm;
              const double root = sqrt(n2);
              const double z = a[at] + gm - (root - sqrt_n[at]) * inverse_alpha * w[at];
              a[at] = z;
              b[at] = n2;
              sqrt_n[at] = root;
              w[at] = z <= l1 && z >= -l1 ? 0.0 : -(z - (z > 0 ? l1 : -l1)) / ((beta + root) * inverse_alpha + l2);
            }
          break;
        }
        case 1: {
          const double eta = p0, epsilon = p1, l1 = p2, l2 = p3;
          {
            const double g = gm * 1 + 0;
            const double G = b[0] + g * g;
            b[0] = G;
            const double u = a[0] - (eta * g) / (epsilon + sqrt(G));
            a[0] = u > 0 ? u - 0 : u < 0 ? u + 0 : 0.0;
          }
          adagrad_numeric(p, gm, eta, epsilon, l1, l2, xs, a + 1, b + 1);
          for (size_t k = 0; k < c; k++) {
            const int32_t at = row_slots[k];
            if (at < 0 || at >= limit) continue;
            const double wt = a[at];
            const double g = gm * 1 + l2 * wt;
            const double G = b[at] + g * g;
            b[at] = G;
            const double h = epsilon + sqrt(G);
            const double u = wt - (eta * g) / h;
            const double t = (eta * l1) / h;
            a[at] = u > t ? u - t : u < -t ? u + t : 0.0;
          }
          break;
        }
        default: {
          const double eta = p0, l1 = p1, l2 = p2;
          const double shrink = js_max0(1 - eta * l2);
          u_sum += eta * l1;
          const double u = u_sum;
          const double step = eta * gm;
          a[0] = a[0] * 1 - step * 1;
          sgd_numeric(p, shrink, step, u, xs, a + 1, b + 1);
          for (size_t k = 0; k < c; k++) {
            const int32_t at = row_slots[k];
            if (at < 0 || at >= limit) continue;
            double wt = a[at] * shrink - step * 1;
            const double before = wt;
            const double q = b[at];
            if (wt > 0)
              wt = js_max0(wt - (u + q));
            else if (wt < 0)
              wt = js_min0(wt + (u - q));
            b[at] = q + (wt - before);
            a[at] = wt;
          }
          break;
        }
      }
      updates++;
    }
    if (standardize) absorb(p, x, count, mean, m2, inverse_sd);
    if (regression && isfinite(label)) {
      target_count++;
      const double delta = label - target_mean;
      target_mean += delta / target_count;
      target_m2 += delta * (label - target_mean);
    }
  }
  io[TTT_IO_U] = u_sum;
  io[TTT_IO_UPDATES] = updates;
  io[TTT_IO_TARGET_COUNT] = target_count;
  io[TTT_IO_TARGET_MEAN] = target_mean;
  io[TTT_IO_TARGET_M2] = target_m2;
}
