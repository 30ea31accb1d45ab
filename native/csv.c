/*
 * The numeric CSV record scanner (see csv.h): the common case of src/data/csv-parser.ts compiled.
 * Every value it accepts is a mantissa below 2^53 and a power of ten within ±22, for which one IEEE
 * division or multiplication is the correctly rounded result (Clinger's fast path): the same bits
 * as the JavaScript parser, which gets them the same way or from Number(). Anything else (quotes,
 * spaces, missing-value words, long mantissas, big exponents, blank lines, ragged rows) ends the run
 * before that record, and the JavaScript parser takes it, with its errors and line numbers.
 */
#include "csv.h"

#define TWO_53 9007199254740992ULL
/* Exponent digits saturate here, as in parse-decimal.ts: the value is out of the fast path anyway. */
#define EXPONENT_CAP 100000000

static const double POWERS_OF_TEN[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

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
  /* Below 2^53 the next step cannot overflow 64 bits; at or above it, it stays there and fails. */
  uint64_t mantissa = 0;
  const size_t integer_start = p;
  while (p < end) {
    const unsigned digit = (unsigned)buf[p] - '0';
    if (digit > 9) break;
    if (mantissa < TWO_53) mantissa = mantissa * 10 + digit;
    p++;
  }
  size_t digits = p - integer_start;
  long scale = 0;
  if (p < end && buf[p] == '.') {
    p++;
    const size_t fraction_start = p;
    while (p < end) {
      const unsigned digit = (unsigned)buf[p] - '0';
      if (digit > 9) break;
      if (mantissa < TWO_53) mantissa = mantissa * 10 + digit;
      p++;
    }
    scale = (long)(p - fraction_start);
    digits += (size_t)scale;
  }
  if (digits == 0 || mantissa >= TWO_53) return 0;
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
          column[slot + rows] = __builtin_nan("");
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
