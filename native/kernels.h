/*
 * TikTokToe's native drift kernels: plain C, no Node dependency (tested standalone and wrapped by
 * addon.c). Each one mirrors a JavaScript kernel of src/stats/ step for step, so that both give the
 * same bits; see docs/decisions.md ("Drift engine").
 */
#ifndef TIKTOKTOE_KERNELS_H
#define TIKTOKTOE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Number of uint32 counters ttt_sort_finite needs in `counts`. */
#define TTT_SORT_COUNTS (2 * 65536)

/*
 * The values of column[0, n) that are not NaN (all of them when has_nan is 0: the caller knows there
 * is none), sorted ascending (-0 before +0) into out[0, k); returns k. `out` may be `column` itself;
 * `temp` (n values) must overlap neither. Mirrors sortedFinite's radix path in src/stats/sort.ts.
 */
size_t ttt_sort_finite(const double *column, size_t n, int has_nan, double *out, double *temp,
                       uint32_t *counts);

/*
 * The merge walk of ksWassersteinSorted (src/stats/two-sample.ts) over ascending, NaN-free, non-empty
 * a[0, na) and b[0, nb). Writes its final state, as JavaScript numbers, to
 * state[0..5] = maxI, maxJ, minI, minJ, sum, comp; D and W are formed from it by the JS code.
 * in_doubles = 1 forces the path that samples too large for exact int64 products take (na·nb >= 2^53),
 * so that tests can check it on small samples.
 */
void ttt_ks_wasserstein(const double *a, size_t na, const double *b, size_t nb, int in_doubles,
                        double state[6]);

#endif
