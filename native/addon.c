/*
 * Node-API wrapper of the native drift kernels (kernels.c), loaded by src/parallel/native.ts:
 *
 *   sortFinite(column: Float64Array, hasNaN: boolean, out: Float64Array): number
 *   ksWasserstein(a: Float64Array, b: Float64Array, state: Float64Array, inDoubles?: boolean): undefined
 *   csvNumericRows(buf: Uint8Array, start: number, end: number, columns: (Float64Array | null)[],
 *                  slot: number, maxRows: number, state: Float64Array): number
 *   countNewlines(buf: Uint8Array, start: number, end: number): number
 *   learnRows(state: Float64Array, io: Float64Array, numeric: Float64Array, slots: Int32Array,
 *             labels: Float64Array | null, weights: Float64Array | null): undefined
 *   fdlibmExp(values: Float64Array, out: Float64Array): undefined   (for the tests)
 *   eventScanModel(classifier: boolean, columns: string[], kinds: Uint8Array, versions: string[],
 *                  classes: string[] | null): external
 *   scanEvents(model: external, body: Uint8Array, minMs: number, maxMs: number, oldestMs: number,
 *              newestMs: number): number   (the events of a certainly valid body, or -1: not sure)
 *
 * (inDoubles, for tests only: take the path of samples too large for exact integer products.)
 *
 * Plain C against node_api.h (Node-API version 8, so one binary loads in every Node from 16 on, and
 * in worker threads: each thread gets its own scratch memory through the instance data).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>

#include "csv.h"
#include "kernels.h"
#include "learn.h"
#include "ndjson.h"

/* Per-thread scratch, reused from call to call as the JS sort reuses its own. */
typedef struct {
  double *temp;
  size_t capacity;
  double *learn; /* learnRows' two rows of p values */
  size_t learn_capacity;
  uint32_t counts[TTT_SORT_COUNTS];
} Scratch;

static void free_scratch(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Scratch *scratch = (Scratch *)data;
  free(scratch->temp);
  free(scratch->learn);
  free(scratch);
}

#define CHECK(call)                                  \
  do {                                               \
    if ((call) != napi_ok) return throw_status(env); \
  } while (0)

static napi_value throw_status(napi_env env) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending)
    napi_throw_error(env, NULL, info != NULL && info->error_message != NULL ? info->error_message : "Node-API call failed");
  return NULL;
}

/* The data and length of a Float64Array argument; throws a TypeError (returns 0) otherwise. */
static int float64_array(napi_env env, napi_value value, const char *name, double **data, size_t *length) {
  bool is_typed_array = false;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok ||
      type != napi_float64_array) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  *data = (double *)raw;
  return 1;
}

static napi_value sort_finite(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "sortFinite(column, hasNaN, out) takes three arguments");
    return NULL;
  }
  double *column = NULL;
  double *out = NULL;
  size_t n = 0;
  size_t out_length = 0;
  bool has_nan = true;
  if (!float64_array(env, argv[0], "sortFinite: column must be a Float64Array", &column, &n)) return NULL;
  CHECK(napi_get_value_bool(env, argv[1], &has_nan));
  if (!float64_array(env, argv[2], "sortFinite: out must be a Float64Array", &out, &out_length)) return NULL;
  if (out_length < n) {
    napi_throw_range_error(env, NULL, "sortFinite: out is shorter than the column");
    return NULL;
  }
  if (n > UINT32_MAX) {
    napi_throw_range_error(env, NULL, "sortFinite: more than 2^32 - 1 values");
    return NULL;
  }
  Scratch *scratch = NULL;
  CHECK(napi_get_instance_data(env, (void **)&scratch));
  if (scratch->capacity < n) {
    double *grown = (double *)malloc(n * sizeof(double));
    if (grown == NULL) {
      napi_throw_error(env, NULL, "sortFinite: out of memory");
      return NULL;
    }
    free(scratch->temp);
    scratch->temp = grown;
    scratch->capacity = n;
  }
  const double *const out_end = out + out_length;
  if (n > 0 && (scratch->temp < out_end && out < scratch->temp + n)) {
    napi_throw_error(env, NULL, "sortFinite: out overlaps the scratch memory");
    return NULL;
  }
  const size_t k = n == 0 ? 0 : ttt_sort_finite(column, n, has_nan, out, scratch->temp, scratch->counts);
  napi_value result;
  CHECK(napi_create_double(env, (double)k, &result));
  return result;
}

static napi_value ks_wasserstein(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "ksWasserstein(a, b, state) takes three arguments");
    return NULL;
  }
  double *a = NULL;
  double *b = NULL;
  double *state = NULL;
  size_t na = 0;
  size_t nb = 0;
  size_t state_length = 0;
  if (!float64_array(env, argv[0], "ksWasserstein: a must be a Float64Array", &a, &na)) return NULL;
  if (!float64_array(env, argv[1], "ksWasserstein: b must be a Float64Array", &b, &nb)) return NULL;
  if (!float64_array(env, argv[2], "ksWasserstein: state must be a Float64Array", &state, &state_length))
    return NULL;
  if (na == 0 || nb == 0) {
    napi_throw_range_error(env, NULL, "two-sample statistics need at least one value in each sample");
    return NULL;
  }
  if (state_length < 6) {
    napi_throw_range_error(env, NULL, "ksWasserstein: state must hold 6 values");
    return NULL;
  }
  bool in_doubles = false;
  if (argc >= 4) {
    napi_valuetype type;
    CHECK(napi_typeof(env, argv[3], &type));
    if (type == napi_boolean) CHECK(napi_get_value_bool(env, argv[3], &in_doubles));
  }
  ttt_ks_wasserstein(a, na, b, nb, in_doubles, state);
  return NULL;
}

/* A non-negative integer argument below 2^53 (offsets, counts); throws a RangeError (returns 0) otherwise. */
static int index_argument(napi_env env, napi_value value, const char *name, size_t *out) {
  double number = 0;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 0) || number > 9007199254740991.0 ||
      number != (double)(int64_t)number) {
    napi_throw_range_error(env, NULL, name);
    return 0;
  }
  *out = (size_t)number;
  return 1;
}

static napi_value csv_numeric_rows(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, NULL, "csvNumericRows(buf, start, end, columns, slot, maxRows, state) takes seven arguments");
    return NULL;
  }
  bool is_typed_array = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *raw = NULL;
  if (napi_is_typedarray(env, argv[0], &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "csvNumericRows: buf must be a Uint8Array");
    return NULL;
  }
  size_t start = 0, end = 0, slot = 0, max_rows = 0;
  if (!index_argument(env, argv[1], "csvNumericRows: bad start", &start) ||
      !index_argument(env, argv[2], "csvNumericRows: bad end", &end) ||
      !index_argument(env, argv[4], "csvNumericRows: bad slot", &slot) ||
      !index_argument(env, argv[5], "csvNumericRows: bad maxRows", &max_rows))
    return NULL;
  if (start > end || end > length) {
    napi_throw_range_error(env, NULL, "csvNumericRows: start and end must lie within buf");
    return NULL;
  }
  bool is_array = false;
  uint32_t field_count = 0;
  CHECK(napi_is_array(env, argv[3], &is_array));
  if (!is_array) {
    napi_throw_type_error(env, NULL, "csvNumericRows: columns must be an array");
    return NULL;
  }
  CHECK(napi_get_array_length(env, argv[3], &field_count));
  double *state = NULL;
  size_t state_length = 0;
  if (!float64_array(env, argv[6], "csvNumericRows: state must be a Float64Array", &state, &state_length))
    return NULL;
  if (field_count == 0 || state_length < (size_t)field_count + 1) {
    napi_throw_range_error(env, NULL, "csvNumericRows: state must hold one value per field and one more");
    return NULL;
  }
  double **columns = (double **)malloc(field_count * sizeof(double *));
  uint32_t *record_missing = (uint32_t *)malloc(field_count * sizeof(uint32_t));
  if (columns == NULL || record_missing == NULL) {
    free(columns);
    free(record_missing);
    napi_throw_error(env, NULL, "csvNumericRows: out of memory");
    return NULL;
  }
  for (uint32_t f = 0; f < field_count; f++) {
    napi_value element;
    napi_valuetype element_type;
    columns[f] = NULL;
    if (napi_get_element(env, argv[3], f, &element) != napi_ok || napi_typeof(env, element, &element_type) != napi_ok) {
      free(columns);
      free(record_missing);
      return throw_status(env);
    }
    if (element_type == napi_null) continue;
    size_t column_length = 0;
    if (!float64_array(env, element, "csvNumericRows: each column must be a Float64Array or null", &columns[f],
                       &column_length)) {
      free(columns);
      free(record_missing);
      return NULL;
    }
    /* The writes go to column[slot, slot + maxRows): they must fit, whatever the caller passed. */
    if (column_length < slot || column_length - slot < max_rows) {
      free(columns);
      free(record_missing);
      napi_throw_range_error(env, NULL, "csvNumericRows: a column is shorter than slot + maxRows");
      return NULL;
    }
  }
  size_t next = start;
  const size_t rows = ttt_csv_numeric_rows((const uint8_t *)raw, start, end, field_count, columns, slot, max_rows,
                                           state + 1, record_missing, &next);
  free(columns);
  free(record_missing);
  state[0] = (double)next;
  napi_value result;
  CHECK(napi_create_double(env, (double)rows, &result));
  return result;
}

static napi_value count_newlines(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "countNewlines(buf, start, end) takes three arguments");
    return NULL;
  }
  bool is_typed_array = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *raw = NULL;
  if (napi_is_typedarray(env, argv[0], &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "countNewlines: buf must be a Uint8Array");
    return NULL;
  }
  size_t start = 0, end = 0;
  if (!index_argument(env, argv[1], "countNewlines: bad start", &start) ||
      !index_argument(env, argv[2], "countNewlines: bad end", &end))
    return NULL;
  if (start > end || end > length) {
    napi_throw_range_error(env, NULL, "countNewlines: start and end must lie within buf");
    return NULL;
  }
  napi_value result;
  CHECK(napi_create_double(env, (double)ttt_count_newlines((const uint8_t *)raw, start, end), &result));
  return result;
}

/* The data and length of an Int32Array argument; throws a TypeError (returns 0) otherwise. */
static int int32_array(napi_env env, napi_value value, const char *name, int32_t **data, size_t *length) {
  bool is_typed_array = false;
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  *data = (int32_t *)raw;
  return 1;
}

/* A Float64Array argument that may be null: *data stays NULL for null. */
static int optional_float64_array(napi_env env, napi_value value, const char *name, double **data, size_t *length) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return 0;
  if (type == napi_null || type == napi_undefined) {
    *data = NULL;
    *length = 0;
    return 1;
  }
  return float64_array(env, value, name, data, length);
}

/* A whole number in [0, 2^31) read from io (sizes, offsets): the C side indexes with it. */
static int io_index(const double *io, int slot, size_t *out) {
  const double v = io[slot];
  if (!(v >= 0) || v > 2147483647.0 || v != (double)(int64_t)v) return 0;
  *out = (size_t)v;
  return 1;
}

static napi_value learn_rows(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "learnRows(state, io, numeric, slots, labels, weights) takes six arguments");
    return NULL;
  }
  double *state = NULL, *io = NULL, *numeric = NULL, *labels = NULL, *weights = NULL;
  int32_t *slots = NULL;
  size_t state_length = 0, io_length = 0, numeric_length = 0, slots_length = 0, labels_length = 0,
         weights_length = 0;
  if (!float64_array(env, argv[0], "learnRows: state must be a Float64Array", &state, &state_length) ||
      !float64_array(env, argv[1], "learnRows: io must be a Float64Array", &io, &io_length) ||
      !float64_array(env, argv[2], "learnRows: numeric must be a Float64Array", &numeric, &numeric_length) ||
      !int32_array(env, argv[3], "learnRows: slots must be an Int32Array", &slots, &slots_length) ||
      !optional_float64_array(env, argv[4], "learnRows: labels must be a Float64Array or null", &labels,
                              &labels_length) ||
      !optional_float64_array(env, argv[5], "learnRows: weights must be a Float64Array or null", &weights,
                              &weights_length))
    return NULL;
  if (io_length < TTT_IO_LENGTH) {
    napi_throw_range_error(env, NULL, "learnRows: io is too short");
    return NULL;
  }
  /* Every index the loop uses is checked here, so a wrong call throws instead of writing anywhere. */
  size_t p, c, capacity, coordinates, rows, numeric_offset, slot_offset, kind, task;
  if (!io_index(io, TTT_IO_P, &p) || !io_index(io, TTT_IO_C, &c) || !io_index(io, TTT_IO_CAPACITY, &capacity) ||
      !io_index(io, TTT_IO_COORDINATES, &coordinates) || !io_index(io, TTT_IO_ROWS, &rows) ||
      !io_index(io, TTT_IO_NUMERIC_OFFSET, &numeric_offset) || !io_index(io, TTT_IO_SLOT_OFFSET, &slot_offset) ||
      !io_index(io, TTT_IO_KIND, &kind) || !io_index(io, TTT_IO_TASK, &task) || kind > 2 || task > 1 ||
      coordinates > capacity || capacity < 1 + p) {
    napi_throw_range_error(env, NULL, "learnRows: io holds an invalid size, offset or kind");
    return NULL;
  }
  if (state_length < ttt_learn_state_length(io) || numeric_length < numeric_offset ||
      (p > 0 && (numeric_length - numeric_offset) / p < rows) || slots_length < slot_offset ||
      (c > 0 && (slots_length - slot_offset) / c < rows) || (labels != NULL && labels_length < rows) ||
      (weights != NULL && weights_length < rows)) {
    napi_throw_range_error(env, NULL, "learnRows: an array is shorter than io says");
    return NULL;
  }
  Scratch *scratch = NULL;
  CHECK(napi_get_instance_data(env, (void **)&scratch));
  if (scratch->learn_capacity < 2 * p || scratch->learn == NULL) {
    double *grown = (double *)malloc((2 * p + 1) * sizeof(double));
    if (grown == NULL) {
      napi_throw_error(env, NULL, "learnRows: out of memory");
      return NULL;
    }
    free(scratch->learn);
    scratch->learn = grown;
    scratch->learn_capacity = 2 * p + 1;
  }
  ttt_learn_rows(io, state, numeric, slots, labels, weights, scratch->learn);
  return NULL;
}

static napi_value fdlibm_exp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  double *values = NULL, *out = NULL;
  size_t n = 0, out_length = 0;
  if (argc < 2 || !float64_array(env, argv[0], "fdlibmExp: values must be a Float64Array", &values, &n) ||
      !float64_array(env, argv[1], "fdlibmExp: out must be a Float64Array", &out, &out_length))
    return NULL;
  if (out_length < n) {
    napi_throw_range_error(env, NULL, "fdlibmExp: out is shorter than values");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) out[i] = ttt_fdlibm_exp(values[i]);
  return NULL;
}

static void free_event_model(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  ttt_event_model_free((TttEventModel *)data);
}

/* The UTF-8 bytes of the strings of a JS array, appended to names/lengths from *at; 0 after a throw. */
static int utf8_strings(napi_env env, napi_value array, const char *name, uint8_t **names, size_t *lengths,
                        size_t *at, size_t count) {
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    napi_valuetype type;
    if (napi_get_element(env, array, i, &element) != napi_ok || napi_typeof(env, element, &type) != napi_ok) {
      throw_status(env);
      return 0;
    }
    if (type != napi_string) {
      napi_throw_type_error(env, NULL, name);
      return 0;
    }
    size_t length = 0;
    if (napi_get_value_string_utf8(env, element, NULL, 0, &length) != napi_ok) {
      throw_status(env);
      return 0;
    }
    uint8_t *bytes = (uint8_t *)malloc(length + 1);
    if (bytes == NULL) {
      napi_throw_error(env, NULL, "eventScanModel: out of memory");
      return 0;
    }
    size_t copied = 0;
    if (napi_get_value_string_utf8(env, element, (char *)bytes, length + 1, &copied) != napi_ok) {
      free(bytes);
      throw_status(env);
      return 0;
    }
    names[*at] = bytes;
    lengths[*at] = copied;
    (*at)++;
  }
  return 1;
}

/* The length of an array argument (an array is required; null is allowed where nullable). */
static int array_length(napi_env env, napi_value value, const char *name, int nullable, uint32_t *length,
                        int *is_null) {
  napi_valuetype type;
  bool is_array = false;
  *is_null = 0;
  if (napi_typeof(env, value, &type) != napi_ok) {
    throw_status(env);
    return 0;
  }
  if (nullable && (type == napi_null || type == napi_undefined)) {
    *is_null = 1;
    *length = 0;
    return 1;
  }
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, value, length) != napi_ok) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  return 1;
}

static napi_value event_scan_model(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "eventScanModel(classifier, columns, kinds, versions, classes) takes five arguments");
    return NULL;
  }
  bool classifier = false;
  CHECK(napi_get_value_bool(env, argv[0], &classifier));
  uint32_t column_count = 0, version_count = 0, class_count = 0;
  int no_columns = 0, no_versions = 0, no_classes = 0;
  if (!array_length(env, argv[1], "eventScanModel: columns must be an array of strings", 0, &column_count, &no_columns) ||
      !array_length(env, argv[3], "eventScanModel: versions must be an array of strings", 0, &version_count, &no_versions) ||
      !array_length(env, argv[4], "eventScanModel: classes must be an array of strings or null", 1, &class_count,
                    &no_classes))
    return NULL;
  bool is_typed_array = false;
  napi_typedarray_type type;
  size_t kinds_length = 0;
  void *kinds = NULL;
  if (napi_is_typedarray(env, argv[2], &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, argv[2], &type, &kinds_length, &kinds, NULL, NULL) != napi_ok ||
      type != napi_uint8_array || kinds_length < column_count) {
    napi_throw_type_error(env, NULL, "eventScanModel: kinds must be a Uint8Array of one kind per column");
    return NULL;
  }
  const size_t total = (size_t)column_count + version_count + class_count;
  uint8_t **names = (uint8_t **)calloc(total + 1, sizeof(uint8_t *));
  size_t *lengths = (size_t *)calloc(total + 1, sizeof(size_t));
  size_t at = 0;
  TttEventModel *model = NULL;
  if (names == NULL || lengths == NULL) {
    napi_throw_error(env, NULL, "eventScanModel: out of memory");
  } else if (utf8_strings(env, argv[1], "eventScanModel: columns must be an array of strings", names, lengths, &at,
                          column_count) &&
             utf8_strings(env, argv[3], "eventScanModel: versions must be an array of strings", names, lengths, &at,
                          version_count) &&
             utf8_strings(env, argv[4], "eventScanModel: classes must be an array of strings or null", names, lengths,
                          &at, class_count)) {
    model = ttt_event_model_new(classifier ? 1 : 0, (const uint8_t *const *)names, lengths, (const uint8_t *)kinds,
                                column_count, version_count, no_classes ? -1 : (long)class_count);
    if (model == NULL) napi_throw_error(env, NULL, "eventScanModel: out of memory");
  }
  if (names != NULL)
    for (size_t i = 0; i < at; i++) free(names[i]);
  free(names);
  free(lengths);
  if (model == NULL) return NULL;
  napi_value result;
  if (napi_create_external(env, model, free_event_model, NULL, &result) != napi_ok) {
    ttt_event_model_free(model);
    return throw_status(env);
  }
  return result;
}

static napi_value scan_events(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "scanEvents(model, body, minMs, maxMs, oldestMs, newestMs) takes six arguments");
    return NULL;
  }
  napi_valuetype model_type;
  TttEventModel *model = NULL;
  CHECK(napi_typeof(env, argv[0], &model_type));
  if (model_type != napi_external || napi_get_value_external(env, argv[0], (void **)&model) != napi_ok ||
      model == NULL || model->magic != TTT_EVENT_MODEL_MAGIC) {
    napi_throw_type_error(env, NULL, "scanEvents: model must come from eventScanModel");
    return NULL;
  }
  bool is_typed_array = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *raw = NULL;
  if (napi_is_typedarray(env, argv[1], &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "scanEvents: body must be a Uint8Array");
    return NULL;
  }
  TttTimeBounds bounds;
  CHECK(napi_get_value_double(env, argv[2], &bounds.min_ms));
  CHECK(napi_get_value_double(env, argv[3], &bounds.max_ms));
  CHECK(napi_get_value_double(env, argv[4], &bounds.oldest_ms));
  CHECK(napi_get_value_double(env, argv[5], &bounds.newest_ms));
  const long count = length == 0 ? -1 : ttt_scan_events(model, (const uint8_t *)raw, length, &bounds);
  napi_value result;
  CHECK(napi_create_double(env, (double)count, &result));
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  Scratch *scratch = (Scratch *)calloc(1, sizeof(Scratch));
  if (scratch == NULL) {
    napi_throw_error(env, NULL, "tiktoktoe_native: out of memory");
    return NULL;
  }
  if (napi_set_instance_data(env, scratch, free_scratch, NULL) != napi_ok) {
    free(scratch);
    return throw_status(env);
  }
  napi_property_descriptor properties[] = {
      {"sortFinite", NULL, sort_finite, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ksWasserstein", NULL, ks_wasserstein, NULL, NULL, NULL, napi_enumerable, NULL},
      {"csvNumericRows", NULL, csv_numeric_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"countNewlines", NULL, count_newlines, NULL, NULL, NULL, napi_enumerable, NULL},
      {"learnRows", NULL, learn_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fdlibmExp", NULL, fdlibm_exp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"eventScanModel", NULL, event_scan_model, NULL, NULL, NULL, napi_enumerable, NULL},
      {"scanEvents", NULL, scan_events, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}
