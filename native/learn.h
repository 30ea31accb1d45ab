/*
 * TikTokToe's native update loop of the online linear models with one output (binary and
 * regression): plain C, no Node dependency (wrapped by addon.c). It mirrors
 * learnSingle (src/learn/linear-updates.ts) operation for operation, so the model it
 * makes is bit for bit the one the JavaScript path makes; see docs/decisions.md ("Online learning").
 */
#ifndef TIKTOKTOE_LEARN_H
#define TIKTOKTOE_LEARN_H

#include <stddef.h>
#include <stdint.h>

/* The slots of the `io` array shared with src/learn/learn-kernel.ts (LEARN_IO there). */
enum {
  TTT_IO_KIND = 0,         /* 0 FTRL, 1 AdaGrad, 2 SGD */
  TTT_IO_TASK = 1,         /* 0 binary, 1 regression */
  TTT_IO_STANDARDIZE = 2,  /* 1: numeric columns standardised online */
  TTT_IO_P = 3,            /* numeric columns */
  TTT_IO_C = 4,            /* slots (categorical columns) per row */
  TTT_IO_CAPACITY = 5,     /* coordinates the state has room for */
  TTT_IO_COORDINATES = 6,  /* coordinates in use (a slot at or above is skipped) */
  TTT_IO_P0 = 7,           /* FTRL alpha, beta, l1, l2; AdaGrad eta, epsilon, l1, l2; SGD eta, l1, l2 */
  TTT_IO_P1 = 8,
  TTT_IO_P2 = 9,
  TTT_IO_P3 = 10,
  TTT_IO_U = 11,           /* SGD's cumulative L1 u (in and out) */
  TTT_IO_UPDATES = 12,     /* updates with a non-zero weight (in and out) */
  TTT_IO_TARGET_COUNT = 13, /* regression: Welford's count, mean and M2 of the target (in and out) */
  TTT_IO_TARGET_MEAN = 14,
  TTT_IO_TARGET_M2 = 15,
  TTT_IO_ROWS = 16,        /* rows to learn */
  TTT_IO_NUMERIC_OFFSET = 17,
  TTT_IO_SLOT_OFFSET = 18,
  TTT_IO_LABEL = 19,       /* the label when no labels array is given */
  TTT_IO_WEIGHT = 20,      /* the weight when no weights array is given */
  TTT_IO_LENGTH = 21
};

/*
 * Model state in one array, as the JavaScript model lays it out: count, mean, m2 and 1/sd (p values
 * each), then a, b (capacity each), then for FTRL w and sqrtN (capacity each).
 */
size_t ttt_learn_state_length(const double *io);

/*
 * Learns io[TTT_IO_ROWS] rows in order: row r has numeric[numeric_offset + r*p ...] and
 * slots[slot_offset + r*c ...], label labels[r] (io[TTT_IO_LABEL] when labels is NULL) and weight
 * weights[r] (io[TTT_IO_WEIGHT] when NULL). `scratch` holds 2*p doubles. The caller has checked
 * every length.
 */
void ttt_learn_rows(double *io, double *state, const double *numeric, const int32_t *slots,
                    const double *labels, const double *weights, double *scratch);

/* fdlibm's exp, as V8's Math.exp computes it (for the tests). */
double ttt_fdlibm_exp(double x);

#endif
