/*
 * The numeric CSV record scanner (see csv.h): the common case of src/data/csv-parser.ts compiled.
 * Every value it accepts is a mantissa below 2^53 and a power of ten within ±22, for which one IEEE
 * division or multiplication is the correctly rounded result (Clinger's fast path): the same bits
 * as the JavaScript parser, which gets them the same way or from Number(). Anything else (quotes,
 * spaces, missing-value words, long mantissas, big exponents, blank lines, ragged rows) ends the run
 * before that record, and the JavaScript parser takes it, with its errors and line numbers.
 */
#include "csv.h"

#include <math.h>
#include <string.h>
#if defined(_MSC_VER)
#include <intrin.h>
#endif

#define TWO_53 9007199254740992ULL
/* Exponent digits saturate here, as in parse-decimal.ts: the value is out of the fast path anyway. */
#define EXPONENT_CAP 100000000

static const double POWERS_OF_TEN[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* More digits than this could overflow 64 bits; such a mantissa is left to JavaScript. */
#define MAX_DIGITS 19

static const uint64_t POWERS_OF_TEN_U64[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

static inline uint64_t load8(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/*
 * How many of the 8 bytes in v (first byte lowest) are ASCII digits before the first that is not.
 * A byte below '0' borrows and one above '9' carries only into the bytes after it, so the lowest
 * flagged byte is exactly the first non-digit.
 */
static inline unsigned leading_digits(uint64_t v) {
  const uint64_t flags = ((v - 0x3030303030303030ULL) | (v + 0x4646464646464646ULL)) & 0x8080808080808080ULL;
  if (flags == 0) return 8;
#if defined(_MSC_VER)
  unsigned long bit;
  _BitScanForward64(&bit, flags);
  return (unsigned)bit >> 3;
#else
  return (unsigned)__builtin_ctzll(flags) >> 3;
#endif
}

/* The value of the first k (1..8) digits of v, eight at a time (the usual SWAR reduction). */
static inline uint64_t digits_value(uint64_t v, unsigned k) {
  uint64_t x = (v - 0x3030303030303030ULL) << (8 * (8 - k));
  x = x * 10 + (x >> 8);
  x = (((x & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((x >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
      32;
  return x & 0xFFFFFFFFULL;
}

/*
 * Appends the digits at buf[*pos, end) to *mantissa (while *count, the digits so far, stays within
 * MAX_DIGITS) and advances *pos and *count past them.
 */
static inline void take_digits(const uint8_t *buf, size_t *pos, size_t end, uint64_t *mantissa, size_t *count) {
  size_t p = *pos;
  uint64_t m = *mantissa;
  size_t n = *count;
  for (;;) {
    if (end - p >= 8) {
      const uint64_t v = load8(buf + p);
      const unsigned k = leading_digits(v);
      if (k == 0) break;
      n += k;
      if (n <= MAX_DIGITS) m = m * POWERS_OF_TEN_U64[k] + digits_value(v, k);
      p += k;
      if (k < 8) break;
    } else {
      if (p >= end) break;
      const unsigned digit = (unsigned)buf[p] - '0';
      if (digit > 9) break;
      n++;
      if (n <= MAX_DIGITS) m = m * 10 + digit;
      p++;
    }
  }
  *pos = p;
  *mantissa = m;
  *count = n;
}

/*
 * Parses the decimal at buf[*pos, end) up to the first byte that cannot continue it; returns 0 when
 * it is not a number the fast path can take (the caller then gives the record to JavaScript).
 */
static inline int scan_number(const uint8_t *buf, size_t *pos, size_t end, double *out) {
  size_t p = *pos;
  int negative = 0;
  if (buf[p] == '-') {
    negative = 1;
    p++;
  } else if (buf[p] == '+') {
    p++;
  }
  uint64_t mantissa = 0;
  size_t digits = 0;
  take_digits(buf, &p, end, &mantissa, &digits);
  long scale = 0;
  if (p < end && buf[p] == '.') {
    p++;
    const size_t before = digits;
    take_digits(buf, &p, end, &mantissa, &digits);
    scale = (long)(digits - before);
  }
  /* Beyond MAX_DIGITS the mantissa was not kept: JavaScript decides (leading zeros included). */
  if (digits == 0 || digits > MAX_DIGITS || mantissa >= TWO_53) return 0;
  long exponent = 0;
  if (p < end && (buf[p] | 0x20) == 'e') {
    p++;
    int exponent_negative = 0;
    if (p < end && (buf[p] == '-' || buf[p] == '+')) {
      exponent_negative = buf[p] == '-';
      p++;
    }
    const size_t exponent_start = p;
    while (p < end) {
      const unsigned digit = (unsigned)buf[p] - '0';
      if (digit > 9) break;
      if (exponent < EXPONENT_CAP) exponent = exponent * 10 + (long)digit;
      p++;
    }
    if (p == exponent_start) return 0;
    if (exponent_negative) exponent = -exponent;
  }
  *pos = p;
  if (mantissa == 0) {
    *out = negative ? -0.0 : 0.0;
    return 1;
  }
  const long power = exponent - scale;
  if (power < -22 || power > 22) return 0;
  const double m = (double)mantissa;
  const double value = power < 0 ? m / POWERS_OF_TEN[-power] : m * POWERS_OF_TEN[power];
  *out = negative ? -value : value;
  return 1;
}

size_t ttt_csv_numeric_rows(const uint8_t *buf, size_t start, size_t end, size_t field_count,
                            double *const *columns, size_t slot, size_t max_rows, double *missing,
                            uint32_t *record_missing, size_t *next) {
  size_t pos = start;
  size_t rows = 0;
  for (size_t f = 0; f < field_count; f++) missing[f] = 0;
  while (rows < max_rows && pos < end) {
    /* Blank lines (and a lone CR) are the JavaScript parser's to skip and count. */
    if (buf[pos] == '\n' || buf[pos] == '\r') break;
    size_t p = pos;
    size_t missing_here = 0;
    int complete = 1;
    for (size_t f = 0; f < field_count; f++) {
      if (p >= end) {
        complete = 0;
        break;
      }
      double *const column = columns[f];
      uint8_t c = buf[p];
      if (column != NULL) {
        if (c == ',' || c == '\n' || c == '\r') {
          /* An empty cell: missing (a CR is checked below to be the start of CRLF). */
          column[slot + rows] = (double)NAN;
          record_missing[missing_here++] = (uint32_t)f;
        } else {
          double value;
          if (!scan_number(buf, &p, end, &value)) {
            complete = 0;
            break;
          }
          column[slot + rows] = value;
        }
      } else {
        /* An unselected field: skipped unless quoted (a quoted one may hold commas and newlines). */
        if (c == '"') {
          complete = 0;
          break;
        }
        while (p < end && buf[p] != ',' && buf[p] != '\n') p++;
        /* The CR of a CRLF ending belongs to the ending, not the field. */
        if (p < end && buf[p] == '\n' && p > start && buf[p - 1] == '\r') p--;
      }
      if (p >= end) {
        complete = 0;
        break;
      }
      c = buf[p];
      if (f + 1 < field_count) {
        if (c != ',') {
          complete = 0;
          break;
        }
        p++;
      } else if (c == '\n') {
        p++;
      } else if (c == '\r' && p + 1 < end && buf[p + 1] == '\n') {
        p += 2;
      } else {
        complete = 0;
        break;
      }
    }
    if (!complete) break;
    for (size_t i = 0; i < missing_here; i++) missing[record_missing[i]] += 1;
    rows++;
    pos = p;
  }
  *next = pos;
  return rows;
}

size_t ttt_count_newlines(const uint8_t *buf, size_t start, size_t end) {
  size_t count = 0;
  size_t p = start;
  /* Eight bytes at a time: a byte of v is zero where the input holds LF, and the high bit of
   * ((v & 0x7f) + 0x7f) | v is set exactly for the non-zero bytes (no carry crosses bytes). */
  for (; end - p >= 8; p += 8) {
    const uint64_t v = load8(buf + p) ^ 0x0A0A0A0A0A0A0A0AULL;
    const uint64_t nonzero =
        (((v & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | v) & 0x8080808080808080ULL;
    /* One bit per byte, summed into the top byte by one multiplication (no popcount instruction
     * is assumed of the target). */
    count += 8 - (size_t)(((nonzero >> 7) * 0x0101010101010101ULL) >> 56);
  }
  for (; p < end; p++) count += buf[p] == '\n';
  return count;
}
