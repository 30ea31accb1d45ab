/*
 * The validating NDJSON scanner of event batches (see ndjson.h): the common case of
 * parseEventBatch (src/monitor/ingest-parse.ts) compiled, for the API replicas of a scaled-out
 * deployment, which only need to know that a batch is valid before they publish it as sent.
 *
 * Its contract is one-sided: it answers "valid" only for a body that parseEventBatch accepts, and
 * "not sure" (-1) for anything else, after which the JavaScript parser decides and says why. So it
 * is conservative: it implements the exact JSON grammar for what it accepts, and every rule of
 * toEvent/readId/readTime/readFeatures/readTarget/readScores for the value shapes it knows, and gives
 * up on everything else — escapes in keys and in compared strings (version, class label), duplicate
 * keys, unknown fields, ISO-string times, nested values where a scalar is expected, numbers that may
 * overflow, non-integer or long numeric ids and labels, scores that are not a flat array, whitespace
 * other than space/tab/CR, bytes above 0x7F outside strings (a BOM), JSON-array bodies, empty bodies.
 *
 * Numbers: JSON.parse rounds correctly. Where a decision needs a number's exact double (an event time
 * against its bounds, a score with an exponent) the scanner takes Clinger's fast path (a mantissa of
 * at most 15 digits and a power of ten within ±22: one IEEE operation, correctly rounded), else
 * strtod_l in the "C" locale (correctly rounded in glibc and macOS, and independent of the process's
 * locale), else it is not sure. Where only a side of a bound matters (finite; ≥ 0; within [0, 1]) it
 * decides from the digits, as correctly rounded conversion is monotone and 0, 1 and 10^308 are
 * within the doubles.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* strtod_l, newlocale */
#endif
#include "ndjson.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__APPLE__)
#include <xlocale.h>
#define TTT_HAVE_STRTOD_L 1
#elif defined(__GLIBC__)
#define TTT_HAVE_STRTOD_L 1
#endif

/* Exponent digits saturate here: such a number is out of every fast path anyway. */
#define EXPONENT_CAP 100000000
/* parseEventBatch's MAX_ID_LENGTH (UTF-16 code units). */
#define MAX_ID_UNITS 256
/* Longest number text handed to strtod_l (longer: not sure). */
#define MAX_STRTOD_TEXT 400

static const double POWERS_OF_TEN[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* ---- name sets ------------------------------------------------------------------------------- */

static uint32_t hash_bytes(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

/* Indexes set->names[0, count); the first of equal names wins (the others are never found). */
static int set_index(TttNameSet *set) {
  size_t slots = 4;
  while (slots < 2 * set->count + 2) slots *= 2;
  set->slots = (int32_t *)calloc(slots, sizeof(int32_t));
  if (set->slots == NULL) return 0;
  set->mask = slots - 1;
  for (size_t i = 0; i < set->count; i++) {
    size_t s = hash_bytes(set->names[i], set->lengths[i]) & set->mask;
    int duplicate = 0;
    while (set->slots[s] != 0) {
      const size_t j = (size_t)set->slots[s] - 1;
      if (set->lengths[j] == set->lengths[i] && memcmp(set->names[j], set->names[i], set->lengths[i]) == 0) {
        duplicate = 1;
        break;
      }
      s = (s + 1) & set->mask;
    }
    if (!duplicate) set->slots[s] = (int32_t)(i + 1);
  }
  return 1;
}

/* The index of the name p[0, n) in the set, or -1. */
static long set_find(const TttNameSet *set, const uint8_t *p, size_t n) {
  size_t s = hash_bytes(p, n) & set->mask;
  while (set->slots[s] != 0) {
    const size_t j = (size_t)set->slots[s] - 1;
    if (set->lengths[j] == n && memcmp(set->names[j], p, n) == 0) return (long)j;
    s = (s + 1) & set->mask;
  }
  return -1;
}

TttEventModel *ttt_event_model_new(int classifier, const uint8_t *const *names, const size_t *lengths,
                                   const uint8_t *kinds, size_t column_count, size_t version_count,
                                   long class_count) {
  const size_t classes = class_count < 0 ? 0 : (size_t)class_count;
  const size_t total = column_count + version_count + classes;
  if (total > 0x7fffffff) return NULL;
  TttEventModel *model = (TttEventModel *)calloc(1, sizeof(TttEventModel));
  if (model == NULL) return NULL;
  model->magic = TTT_EVENT_MODEL_MAGIC;
  model->classifier = classifier;
  model->has_classes = classifier && class_count >= 0;
  size_t bytes = 1;
  for (size_t i = 0; i < total; i++) bytes += lengths[i];
  uint8_t *block = (uint8_t *)malloc(bytes);
  const uint8_t **pointers = (const uint8_t **)calloc(total + 1, sizeof(uint8_t *));
  size_t *copied_lengths = (size_t *)calloc(total + 1, sizeof(size_t));
  uint8_t *column_kinds = (uint8_t *)calloc(column_count + 1, 1);
  model->seen = (uint32_t *)calloc(column_count + 1, sizeof(uint32_t));
  model->block = block;
  model->columns.names = pointers;
  model->columns.lengths = copied_lengths;
  model->columns.kinds = column_kinds;
  if (block == NULL || pointers == NULL || copied_lengths == NULL || column_kinds == NULL || model->seen == NULL) {
    ttt_event_model_free(model);
    return NULL;
  }
  size_t at = 0;
  for (size_t i = 0; i < total; i++) {
    memcpy(block + at, names[i], lengths[i]);
    pointers[i] = block + at;
    copied_lengths[i] = lengths[i];
    at += lengths[i];
  }
  for (size_t i = 0; i < column_count; i++) column_kinds[i] = kinds[i];
  model->columns.count = column_count;
  model->versions.names = pointers + column_count;
  model->versions.lengths = copied_lengths + column_count;
  model->versions.count = version_count;
  model->classes.names = pointers + column_count + version_count;
  model->classes.lengths = copied_lengths + column_count + version_count;
  model->classes.count = classes;
  if (!set_index(&model->columns) || !set_index(&model->versions) || !set_index(&model->classes)) {
    ttt_event_model_free(model);
    return NULL;
  }
#if defined(TTT_HAVE_STRTOD_L)
  locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  model->locale = c_locale == (locale_t)0 ? NULL : (void *)c_locale;
#endif
  return model;
}

void ttt_event_model_free(TttEventModel *model) {
  if (model == NULL) return;
#if defined(TTT_HAVE_STRTOD_L)
  if (model->locale != NULL) freelocale((locale_t)model->locale);
#endif
  free(model->columns.slots);
  free(model->versions.slots);
  free(model->classes.slots);
  free((void *)model->columns.names);
  free(model->columns.lengths);
  free(model->columns.kinds);
  free(model->seen);
  free(model->block);
  model->magic = 0;
  free(model);
}

/* ---- tokens ---------------------------------------------------------------------------------- */

static inline int is_digit(uint8_t c) { return (unsigned)(c - '0') <= 9; }

/* Whitespace the scanner takes: JSON's, less LF (which ends a record). Anything else is not sure. */
static inline const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
  return p;
}

static inline const uint8_t *literal(const uint8_t *p, const uint8_t *end, const char *word, size_t n) {
  return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 ? p + n : NULL;
}

/*
 * A string without escapes at p (its opening quote): its bytes in [*start, *start + *length); the
 * position after the closing quote, or NULL for a backslash, a control character or no closing
 * quote. Its bytes are not checked to be UTF-8: callers compare them with names that are.
 */
static inline const uint8_t *plain_string(const uint8_t *p, const uint8_t *end, const uint8_t **start,
                                          size_t *length) {
  const uint8_t *q = p + 1;
  while (q < end) {
    const uint8_t c = *q;
    if (c == '"') {
      *start = p + 1;
      *length = (size_t)(q - p - 1);
      return q + 1;
    }
    if (c == '\\' || c < 0x20) return NULL;
    q++;
  }
  return NULL;
}

/* The length of the well-formed UTF-8 sequence at q (2 to 4 bytes), or 0 (RFC 3629, no surrogates). */
static inline size_t utf8_sequence(const uint8_t *q, const uint8_t *end) {
  const size_t left = (size_t)(end - q);
  const uint8_t c = q[0];
#define CONT(i) (left > (i) && (q[i] & 0xC0) == 0x80)
  if (c >= 0xC2 && c <= 0xDF) return CONT(1) ? 2 : 0;
  if (c == 0xE0) return left > 2 && q[1] >= 0xA0 && q[1] <= 0xBF && CONT(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return CONT(1) && CONT(2) ? 3 : 0;
  if (c == 0xED) return left > 2 && q[1] >= 0x80 && q[1] <= 0x9F && CONT(2) ? 3 : 0;
  if (c == 0xF0) return left > 3 && q[1] >= 0x90 && q[1] <= 0xBF && CONT(2) && CONT(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return CONT(1) && CONT(2) && CONT(3) ? 4 : 0;
  if (c == 0xF4) return left > 3 && q[1] >= 0x80 && q[1] <= 0x8F && CONT(2) && CONT(3) ? 4 : 0;
#undef CONT
  return 0;
}

static inline int is_hex(uint8_t c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/*
 * Any JSON string at p (its opening quote), escapes included, in well-formed UTF-8 (the bytes then
 * decode to the same text in Node's Buffer as JSON.parse reads): the position after it, or NULL;
 * *units is the length of its value in UTF-16 code units (JavaScript's string length).
 */
static const uint8_t *any_string(const uint8_t *p, const uint8_t *end, size_t *units) {
  const uint8_t *q = p + 1;
  size_t n = 0;
  while (q < end) {
    const uint8_t c = *q;
    if (c == '"') {
      *units = n;
      return q + 1;
    }
    if (c < 0x20) return NULL;
    if (c == '\\') {
      if (end - q < 2) return NULL;
      const uint8_t e = q[1];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        q += 2;
      } else if (e == 'u') {
        if (end - q < 6 || !is_hex(q[2]) || !is_hex(q[3]) || !is_hex(q[4]) || !is_hex(q[5])) return NULL;
        q += 6;
      } else {
        return NULL;
      }
      n++;
    } else if (c < 0x80) {
      q++;
      n++;
    } else {
      const size_t k = utf8_sequence(q, end);
      if (k == 0) return NULL;
      q += k;
      n += k == 4 ? 2 : 1;
    }
  }
  return NULL;
}

/* A JSON number as written: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
typedef struct {
  const uint8_t *start; /* the whole text, sign included */
  const uint8_t *end;
  int negative;
  const uint8_t *int_digits;
  size_t int_length;
  const uint8_t *frac_digits;
  size_t frac_length;
  int has_exponent;
  int64_t exponent; /* saturated at ±EXPONENT_CAP */
} Number;

/* The number at p in the exact JSON grammar: the position after it, or NULL. */
static const uint8_t *number(const uint8_t *p, const uint8_t *end, Number *n) {
  n->start = p;
  n->negative = 0;
  if (p < end && *p == '-') {
    n->negative = 1;
    p++;
  }
  if (p >= end) return NULL;
  n->int_digits = p;
  if (*p == '0') {
    p++;
  } else if (*p >= '1' && *p <= '9') {
    p++;
    while (p < end && is_digit(*p)) p++;
  } else {
    return NULL;
  }
  n->int_length = (size_t)(p - n->int_digits);
  n->frac_digits = p;
  n->frac_length = 0;
  if (p < end && *p == '.') {
    p++;
    n->frac_digits = p;
    while (p < end && is_digit(*p)) p++;
    n->frac_length = (size_t)(p - n->frac_digits);
    if (n->frac_length == 0) return NULL;
  }
  n->has_exponent = 0;
  n->exponent = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    int negative = 0;
    if (p < end && (*p == '+' || *p == '-')) {
      negative = *p == '-';
      p++;
    }
    const uint8_t *digits = p;
    int64_t e = 0;
    while (p < end && is_digit(*p)) {
      if (e < EXPONENT_CAP) e = e * 10 + (*p - '0');
      p++;
    }
    if (p == digits) return NULL;
    n->has_exponent = 1;
    n->exponent = negative ? -e : e;
  }
  n->end = p;
  return p;
}

static inline uint8_t digit_at(const Number *n, size_t i) {
  return i < n->int_length ? n->int_digits[i] : n->frac_digits[i - n->int_length];
}

static int is_zero(const Number *n) {
  for (size_t i = 0; i < n->int_length + n->frac_length; i++)
    if (digit_at(n, i) != '0') return 0;
  return 1;
}

/* Whether the number is certainly finite as a double: below 10^308 in magnitude, or zero. */
static int certainly_finite(const Number *n) {
  if (is_zero(n)) return 1;
  /* |value| < 10^e: d.ddd × 10^exp with int_length digits before the point, or 0.ddd × 10^exp. */
  const int64_t e = (n->int_length == 1 && n->int_digits[0] == '0') ? n->exponent
                                                                      : (int64_t)n->int_length + n->exponent;
  return e <= 308;
}

/* Whether the number is certainly ≥ 0 as a double (-0 included: JavaScript's -0 < 0 is false). */
static int certainly_nonnegative(const Number *n) { return !n->negative || is_zero(n); }

/* The number's double, as JSON.parse gives it; 0 when the scanner cannot be sure of it. */
static int exact_value(const TttEventModel *model, const Number *n, double *out) {
  const size_t total = n->int_length + n->frac_length;
  size_t first = total;
  size_t last = 0;
  for (size_t i = 0; i < total; i++)
    if (digit_at(n, i) != '0') {
      if (first == total) first = i;
      last = i;
    }
  if (first == total) {
    *out = n->negative ? -0.0 : 0.0;
    return 1;
  }
  const size_t significant = last - first + 1;
  /* value = digits[first..last] × 10^q */
  const int64_t q = n->exponent - (int64_t)n->frac_length + (int64_t)(total - 1 - last);
  if (significant <= 15) {
    uint64_t w = 0;
    for (size_t i = first; i <= last; i++) w = w * 10 + (uint64_t)(digit_at(n, i) - '0');
    double value;
    int fast = 1;
    if (q >= 0 && q <= 22) {
      value = (double)w * POWERS_OF_TEN[q];
    } else if (q < 0 && q >= -22) {
      value = (double)w / POWERS_OF_TEN[-q];
    } else if (q > 22 && q - 22 <= (int64_t)(15 - significant)) {
      /* w × 10^(q-22) is still an integer below 10^15, exact; then one multiplication. */
      for (int64_t i = 0; i < q - 22; i++) w *= 10;
      value = (double)w * 1e22;
    } else {
      fast = 0;
      value = 0;
    }
    if (fast) {
      *out = n->negative ? -value : value;
      return 1;
    }
  }
#if defined(TTT_HAVE_STRTOD_L)
  const size_t length = (size_t)(n->end - n->start);
  if (model->locale == NULL || length > MAX_STRTOD_TEXT) return 0;
  char text[MAX_STRTOD_TEXT + 1];
  memcpy(text, n->start, length);
  text[length] = '\0';
  char *stop = NULL;
  errno = 0;
  const double value = strtod_l(text, &stop, (locale_t)model->locale);
  /* ERANGE: overflow, or an underflow whose result the scanner does not vouch for. */
  if (stop != text + length || errno == ERANGE || !isfinite(value)) return 0;
  *out = value;
  return 1;
#else
  (void)model;
  return 0;
#endif
}

/* Whether the number is certainly within [0, 1] as a double (readScores' probability). */
static int certainly_probability(const TttEventModel *model, const Number *n) {
  if (!n->has_exponent) {
    if (n->negative) return is_zero(n);
    if (n->int_length == 1 && n->int_digits[0] == '0') return 1;
    if (n->int_length == 1 && n->int_digits[0] == '1') {
      for (size_t i = 0; i < n->frac_length; i++)
        if (n->frac_digits[i] != '0') return 0;
      return 1;
    }
    return 0;
  }
  double value;
  return exact_value(model, n, &value) && value >= 0 && value <= 1;
}

/* A plain integer of at most 15 digits: String(value) in JavaScript is its text (-0 aside). */
static inline int short_integer(const Number *n) {
  return n->frac_length == 0 && !n->has_exponent && n->int_length <= 15;
}

/* ---- events ---------------------------------------------------------------------------------- */

enum {
  F_ID = 1,
  F_TIME = 2,
  F_VERSION = 4,
  F_FEATURES = 8,
  F_PREDICTION = 16,
  F_SCORES = 32,
  F_LATENCY = 64,
};

static int field_of(const uint8_t *s, size_t n) {
  switch (n) {
    case 2:
      return memcmp(s, "id", 2) == 0 ? F_ID : 0;
    case 4:
      return memcmp(s, "time", 4) == 0 ? F_TIME : 0;
    case 6:
      return memcmp(s, "scores", 6) == 0 ? F_SCORES : 0;
    case 7:
      return memcmp(s, "version", 7) == 0 ? F_VERSION : 0;
    case 8:
      return memcmp(s, "features", 8) == 0 ? F_FEATURES : 0;
    case 10:
      return memcmp(s, "prediction", 10) == 0 ? F_PREDICTION : memcmp(s, "latency_ms", 10) == 0 ? F_LATENCY : 0;
    default:
      return 0;
  }
}

/* `features`: an object of known columns, each once, with values of their type (or null). */
static const uint8_t *features(TttEventModel *model, const uint8_t *p, const uint8_t *end) {
  p = skip_ws(p + 1, end);
  if (p < end && *p == '}') return p + 1;
  if (++model->generation == 0) {
    memset(model->seen, 0, (model->columns.count + 1) * sizeof(uint32_t));
    model->generation = 1;
  }
  const TttNameSet *columns = &model->columns;
  size_t hint = 0; /* events usually name the columns in the schema's order */
  for (;;) {
    if (p >= end || *p != '"') return NULL;
    const uint8_t *key;
    size_t key_length;
    p = plain_string(p, end, &key, &key_length);
    if (p == NULL) return NULL;
    long column;
    if (hint < columns->count && columns->lengths[hint] == key_length &&
        memcmp(columns->names[hint], key, key_length) == 0)
      column = (long)hint;
    else
      column = set_find(columns, key, key_length);
    if (column < 0 || model->seen[column] == model->generation) return NULL;
    model->seen[column] = model->generation;
    hint = (size_t)column + 1;
    p = skip_ws(p, end);
    if (p >= end || *p != ':') return NULL;
    p = skip_ws(p + 1, end);
    if (p >= end) return NULL;
    const uint8_t c = *p;
    Number n;
    if (c == 'n') {
      p = literal(p, end, "null", 4);
    } else if (columns->kinds[column] == 0) {
      p = (c == '-' || is_digit(c)) ? number(p, end, &n) : NULL;
      if (p != NULL && !certainly_finite(&n)) return NULL;
    } else if (c == '"') {
      size_t units;
      p = any_string(p, end, &units);
    } else if (c == '-' || is_digit(c)) {
      p = number(p, end, &n); /* String(value): any number will do, even one that overflows */
    } else if (c == 't') {
      p = literal(p, end, "true", 4);
    } else if (c == 'f') {
      p = literal(p, end, "false", 5);
    } else {
      return NULL;
    }
    if (p == NULL) return NULL;
    p = skip_ws(p, end);
    if (p >= end) return NULL;
    if (*p == '}') return p + 1;
    if (*p != ',') return NULL;
    p = skip_ws(p + 1, end);
  }
}

/* `prediction` (required): a finite number (regression) or a class label (classifiers). */
static const uint8_t *prediction(const TttEventModel *model, const uint8_t *p, const uint8_t *end) {
  const uint8_t c = *p;
  Number n;
  if (!model->classifier) {
    if (c != '-' && !is_digit(c)) return NULL;
    p = number(p, end, &n);
    return p != NULL && certainly_finite(&n) ? p : NULL;
  }
  const TttNameSet *classes = &model->classes;
  const uint8_t *label;
  size_t label_length;
  if (c == '"') {
    if (!model->has_classes) {
      size_t units;
      return any_string(p, end, &units);
    }
    p = plain_string(p, end, &label, &label_length);
  } else if (c == 't' || c == 'f') {
    label = p;
    label_length = c == 't' ? 4 : 5;
    p = literal(p, end, c == 't' ? "true" : "false", label_length);
  } else if (c == '-' || is_digit(c)) {
    p = number(p, end, &n);
    if (p == NULL || !short_integer(&n) || (n.negative && is_zero(&n))) return NULL;
    label = n.start;
    label_length = (size_t)(n.end - n.start);
  } else {
    return NULL;
  }
  if (p == NULL) return NULL;
  return !model->has_classes || set_find(classes, label, label_length) >= 0 ? p : NULL;
}

/* `scores` (not null): a flat array of one probability per declared class. */
static const uint8_t *scores(const TttEventModel *model, const uint8_t *p, const uint8_t *end) {
  if (!model->has_classes) return NULL;
  p = skip_ws(p + 1, end);
  size_t count = 0;
  if (p < end && *p == ']') {
    p++;
  } else {
    for (;;) {
      Number n;
      if (p >= end || (*p != '-' && !is_digit(*p))) return NULL;
      p = number(p, end, &n);
      if (p == NULL || !certainly_probability(model, &n)) return NULL;
      count++;
      p = skip_ws(p, end);
      if (p >= end) return NULL;
      if (*p == ']') {
        p++;
        break;
      }
      if (*p != ',') return NULL;
      p = skip_ws(p + 1, end);
    }
  }
  return count == model->classes.count ? p : NULL;
}

/* One event object at p (its '{'): the position after it, or NULL when not sure. */
static const uint8_t *event(TttEventModel *model, const uint8_t *p, const uint8_t *end, const TttTimeBounds *bounds) {
  unsigned seen = 0;
  p = skip_ws(p + 1, end);
  for (;;) {
    if (p >= end || *p != '"') return NULL;
    const uint8_t *key;
    size_t key_length;
    p = plain_string(p, end, &key, &key_length);
    if (p == NULL) return NULL;
    const int field = field_of(key, key_length);
    if (field == 0 || (seen & (unsigned)field) != 0) return NULL;
    seen |= (unsigned)field;
    p = skip_ws(p, end);
    if (p >= end || *p != ':') return NULL;
    p = skip_ws(p + 1, end);
    if (p >= end) return NULL;
    const uint8_t c = *p;
    Number n;
    switch (field) {
      case F_ID:
        if (c == '"') {
          size_t units = 0;
          p = any_string(p, end, &units);
          if (p != NULL && (units == 0 || units > MAX_ID_UNITS)) return NULL;
        } else if (c == '-' || is_digit(c)) {
          /* Number.isSafeInteger, then String(value) (-0 becomes "0", still an id). */
          p = number(p, end, &n);
          if (p != NULL && !short_integer(&n)) return NULL;
        } else {
          return NULL;
        }
        break;
      case F_TIME:
        if (c == 'n') {
          p = literal(p, end, "null", 4); /* the time of receipt, filled in by the parser */
        } else if (c == '-' || is_digit(c)) {
          double ms;
          p = number(p, end, &n);
          if (p == NULL || !exact_value(model, &n, &ms)) return NULL;
          /* readTime's checks, in its terms (a NaN bound must refuse nothing that it would not). */
          if (!isfinite(ms) || ms < bounds->min_ms || ms >= bounds->max_ms || ms < bounds->oldest_ms ||
              ms > bounds->newest_ms)
            return NULL;
        } else {
          return NULL;
        }
        break;
      case F_VERSION: {
        const uint8_t *version;
        size_t version_length;
        if (c != '"') return NULL;
        p = plain_string(p, end, &version, &version_length);
        if (p != NULL && set_find(&model->versions, version, version_length) < 0) return NULL;
        break;
      }
      case F_FEATURES:
        if (c != '{') return NULL;
        p = features(model, p, end);
        break;
      case F_PREDICTION:
        p = prediction(model, p, end);
        break;
      case F_SCORES:
        if (c == 'n')
          p = literal(p, end, "null", 4);
        else if (c == '[')
          p = scores(model, p, end);
        else
          return NULL;
        break;
      case F_LATENCY:
        if (c == 'n') {
          p = literal(p, end, "null", 4);
        } else if (c == '-' || is_digit(c)) {
          p = number(p, end, &n);
          if (p != NULL && !(certainly_finite(&n) && certainly_nonnegative(&n))) return NULL;
        } else {
          return NULL;
        }
        break;
      default:
        return NULL;
    }
    if (p == NULL) return NULL;
    p = skip_ws(p, end);
    if (p >= end) return NULL;
    if (*p == '}') {
      p++;
      break;
    }
    if (*p != ',') return NULL;
    p = skip_ws(p + 1, end);
  }
  const unsigned required = F_ID | F_VERSION | F_FEATURES | F_PREDICTION;
  return (seen & required) == required ? p : NULL;
}

long ttt_scan_events(TttEventModel *model, const uint8_t *buf, size_t length, const TttTimeBounds *bounds) {
  const uint8_t *p = buf;
  const uint8_t *const end = buf + length;
  long count = 0;
  while (p < end) {
    /* parseBatch trims each line and skips the empty ones. */
    p = skip_ws(p, end);
    if (p >= end) break;
    if (*p == '\n') {
      p++;
      continue;
    }
    if (*p != '{') return -1;
    p = event(model, p, end, bounds);
    if (p == NULL) return -1;
    p = skip_ws(p, end);
    if (p < end) {
      if (*p != '\n') return -1;
      p++;
    }
    count++;
  }
  return count > 0 ? count : -1;
}
