/*
 * TikTokToe's native drift kernels (see kernels.h). Compiled with -ffp-contract=off: every
 * floating-point operation here is the one the JavaScript kernel performs, in the same order, with
 * no fused multiply-add, so both paths give the same bits.
 */
#include "kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Runs of equal upper words up to this length are put in order by insertion (as in sort.ts). */
#define INSERTION_MAX 16

static inline uint32_t upper_word(double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return (uint32_t)(u >> 32);
}

/* Order-preserving key of an upper word: negatives flip every bit, positives flip the sign bit. */
static inline uint32_t key_of(uint32_t hi) { return hi ^ ((0u - (hi >> 31)) | 0x80000000u); }

static int compare_doubles(const void *x, const void *y) {
  const double a = *(const double *)x;
  const double b = *(const double *)y;
  return (a > b) - (a < b);
}

/* Orders values[0, len) in place: insertion for short runs; long runs are often one repeated value. */
static void sort_run(double *values, size_t len) {
  if (len <= INSERTION_MAX) {
    for (size_t a = 1; a < len; a++) {
      const double v = values[a];
      size_t j = a;
      while (j > 0 && values[j - 1] > v) {
        values[j] = values[j - 1];
        j--;
      }
      values[j] = v;
    }
    return;
  }
  for (size_t i = 1; i < len; i++)
    if (values[i - 1] > values[i]) {
      /* Values sharing an upper word share a sign, so numeric order is the only order. */
      qsort(values, len, sizeof(double), compare_doubles);
      return;
    }
}

size_t ttt_sort_finite(const double *column, size_t n, int has_nan, double *out, double *temp,
                       uint32_t *counts) {
  uint32_t *const low = counts;
  uint32_t *const high = counts + 65536;
  memset(counts, 0, TTT_SORT_COUNTS * sizeof(uint32_t));
  /* Pass 1: count both 16-bit digits of each value's key, leaving NaN out when there may be some. */
  size_t k = 0;
  if (has_nan) {
    for (size_t i = 0; i < n; i++) {
      const double v = column[i];
      if (v != v) continue;
      k++;
      const uint32_t key = key_of(upper_word(v));
      low[key & 0xffff]++;
      high[key >> 16]++;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const uint32_t key = key_of(upper_word(column[i]));
      low[key & 0xffff]++;
      high[key >> 16]++;
    }
    k = n;
  }
  if (k == 0) return 0;
  uint32_t low_sum = 0;
  uint32_t high_sum = 0;
  int skip_low = 0;
  int skip_high = 0;
  for (size_t b = 0; b < 65536; b++) {
    const uint32_t cl = low[b];
    const uint32_t ch = high[b];
    /* A digit shared by every value leaves the order unchanged: its pass is a plain copy. */
    if (cl == k) skip_low = 1;
    if (ch == k) skip_high = 1;
    low[b] = low_sum;
    high[b] = high_sum;
    low_sum += cl;
    high_sum += ch;
  }
  /* Pass 2: column -> temp by the low digit (dropping NaN); pass 3: temp -> out by the high digit.
     The column is read completely before `out` is written, so `out` may be the column. */
  if (has_nan) {
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
      const double v = column[i];
      if (v != v) continue;
      if (skip_low)
        temp[j++] = v;
      else
        temp[low[key_of(upper_word(v)) & 0xffff]++] = v;
    }
  } else if (skip_low) {
    memcpy(temp, column, k * sizeof(double));
  } else {
    for (size_t i = 0; i < n; i++) {
      const double v = column[i];
      temp[low[key_of(upper_word(v)) & 0xffff]++] = v;
    }
  }
  if (skip_high) {
    memcpy(out, temp, k * sizeof(double));
  } else {
    for (size_t i = 0; i < k; i++) {
      const double v = temp[i];
      out[high[key_of(upper_word(v)) >> 16]++] = v;
    }
  }
  /* Values sharing their upper word are adjacent now; order each such run in place. */
  size_t start = 0;
  while (start < k) {
    const uint32_t hi = upper_word(out[start]);
    size_t end = start + 1;
    while (end < k && upper_word(out[end]) == hi) end++;
    if (end - start > 1) sort_run(out + start, end - start);
    start = end;
  }
  return k;
}

/* JavaScript's Math.min for numbers that are not NaN (-0 is below +0). */
static inline double js_min(double x, double y) {
  if (x < y) return x;
  if (y < x) return y;
  return signbit(x) ? x : y;
}

/* True when a sample of adjacent pairs finds more than a quarter of them equal (n > 1). */
static int many_ties(const double *sorted, size_t n) {
  const size_t probes = n - 1 < 64 ? n - 1 : 64;
  size_t stride = (n - 1) / probes;
  if (stride < 1) stride = 1;
  size_t equal = 0;
  for (size_t p = 0; p < probes; p++)
    if (sorted[p * stride] == sorted[p * stride + 1]) equal++;
  return equal * 4 > probes;
}

/* The walk's running state, as ksWassersteinSorted's Walk class holds it. */
typedef struct {
  int64_t i, j;
  double max_cross, max_i, max_j, min_cross, min_i, min_j, sum, comp;
} Walk;

/* One step of Neumaier's compensated sum, exactly as the JS code writes it. */
#define NEUMAIER(w, term)                                                                       \
  do {                                                                                         \
    const double s_ = (w).sum + (term);                                                         \
    const double when_sum_larger_ = (w).sum - s_ + (term);                                      \
    const double when_term_larger_ = (term) - s_ + (w).sum;                                     \
    (w).comp += (w).sum >= (term) ? when_sum_larger_ : when_term_larger_;                       \
    (w).sum = s_;                                                                               \
  } while (0)

/*
 * Walk.branchFree when every product i·nb and j·na is below 2^53: then the JS code's double
 * i·nb − j·na is the exact integer, so it is computed in int64 and the running extremes are tracked
 * with integer selects (conditional moves). Where the ECDF difference climbs, "new maximum" is a coin
 * toss at every step, and as a branch it cost more than the rest of the step.
 */
static void branch_free_exact(const double *a, int64_t na, const double *b, int64_t nb, Walk *w) {
  /* Called on a fresh walk only: the extremes start at 0, as the JS Walk's do. */
  int64_t i = w->i;
  int64_t j = w->j;
  int64_t max_cross = 0;
  int64_t max_i = 0;
  int64_t max_j = 0;
  int64_t min_cross = 0;
  int64_t min_i = 0;
  int64_t min_j = 0;
  double sum = w->sum;
  double comp = w->comp;
  double x = a[i];
  double y = b[j];
  int64_t le = x <= y;
  while (i < na - 1 && j < nb - 1) {
    const double t = (double)le;
    const double v = t * x + (1 - t) * y;
    i += le;
    j += 1 - le;
    x = a[i];
    y = b[j];
    le = x <= y;
    const double u = (double)le;
    const double gap = u * x + (1 - u) * y - v;
    const int64_t cross = i * nb - j * na;
    const double term = fabs((double)cross) * gap;
    const double s = sum + term;
    const double when_sum_larger = sum - s + term;
    const double when_term_larger = term - s + sum;
    comp += sum >= term ? when_sum_larger : when_term_larger;
    sum = s;
    /* if (gap > 0) { if (cross > maxCross) … else if (cross < minCross) … }: the else is implied,
       since maxCross >= 0 >= minCross. */
    const int changes = gap > 0;
    const int up = changes & (cross > max_cross);
    const int down = changes & (cross < min_cross);
    max_cross = up ? cross : max_cross;
    max_i = up ? i : max_i;
    max_j = up ? j : max_j;
    min_cross = down ? cross : min_cross;
    min_i = down ? i : min_i;
    min_j = down ? j : min_j;
  }
  w->i = i;
  w->j = j;
  w->max_cross = (double)max_cross;
  w->max_i = (double)max_i;
  w->max_j = (double)max_j;
  w->min_cross = (double)min_cross;
  w->min_i = (double)min_i;
  w->min_j = (double)min_j;
  w->sum = sum;
  w->comp = comp;
}

/* Walk.branchFree in the JS code's own double arithmetic, for samples too large for the above. */
static void branch_free_double(const double *a, int64_t na, const double *b, int64_t nb, Walk *w) {
  const double dna = (double)na;
  const double dnb = (double)nb;
  int64_t i = w->i;
  int64_t j = w->j;
  double di = (double)i;
  double dj = (double)j;
  double x = a[i];
  double y = b[j];
  int64_t le = x <= y;
  while (i < na - 1 && j < nb - 1) {
    const double t = (double)le;
    const double v = t * x + (1 - t) * y;
    i += le;
    j += 1 - le;
    di += t;
    dj += 1 - t;
    x = a[i];
    y = b[j];
    le = x <= y;
    const double u = (double)le;
    const double gap = u * x + (1 - u) * y - v;
    const double cross = di * dnb - dj * dna;
    const double term = fabs(cross) * gap;
    NEUMAIER(*w, term);
    if (gap > 0) {
      if (cross > w->max_cross) {
        w->max_cross = cross;
        w->max_i = di;
        w->max_j = dj;
      } else if (cross < w->min_cross) {
        w->min_cross = cross;
        w->min_i = di;
        w->min_j = dj;
      }
    }
  }
  w->i = i;
  w->j = j;
}

void ttt_ks_wasserstein(const double *a, size_t na, const double *b, size_t nb, int in_doubles,
                        double state[6]) {
  const int64_t la = (int64_t)na;
  const int64_t lb = (int64_t)nb;
  const double dna = (double)na;
  const double dnb = (double)nb;
  Walk w = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  if (na > 1 && nb > 1 && !many_ties(a, na) && !many_ties(b, nb)) {
    if (!in_doubles && dna * dnb < 9007199254740992.0) /* 2^53 */
      branch_free_exact(a, la, b, lb, &w);
    else
      branch_free_double(a, la, b, lb, &w);
  }
  /* Walk.finish: the tie-skipping walk to the end of both samples. */
  int64_t i = w.i;
  int64_t j = w.j;
  double cur = js_min(i < la ? a[i] : INFINITY, j < lb ? b[j] : INFINITY);
  for (;;) {
    while (i < la && a[i] <= cur) i++;
    while (j < lb && b[j] <= cur) j++;
    const double cross = (double)i * dnb - (double)j * dna;
    if (cross > w.max_cross) {
      w.max_cross = cross;
      w.max_i = (double)i;
      w.max_j = (double)j;
    } else if (cross < w.min_cross) {
      w.min_cross = cross;
      w.min_i = (double)i;
      w.min_j = (double)j;
    }
    if (i == la && j == lb) break;
    const double next = js_min(i < la ? a[i] : INFINITY, j < lb ? b[j] : INFINITY);
    const double term = fabs(cross) * (next - cur);
    NEUMAIER(w, term);
    cur = next;
  }
  state[0] = w.max_i;
  state[1] = w.max_j;
  state[2] = w.min_i;
  state[3] = w.min_j;
  state[4] = w.sum;
  state[5] = w.comp;
}
