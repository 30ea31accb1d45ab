/*
 * Node-API wrapper of the native drift kernels (kernels.c), loaded by src/parallel/native.ts:
 *
 *   sortFinite(column: Float64Array, hasNaN: boolean, out: Float64Array): number
 *   ksWasserstein(a: Float64Array, b: Float64Array, state: Float64Array, inDoubles?: boolean): undefined
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

#include "kernels.h"

/* Per-thread scratch, reused from call to call as the JS sort reuses its own. */
typedef struct {
  double *temp;
  size_t capacity;
  uint32_t counts[TTT_SORT_COUNTS];
} Scratch;

static void free_scratch(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Scratch *scratch = (Scratch *)data;
  free(scratch->temp);
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
  };
  CHECK(napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}
