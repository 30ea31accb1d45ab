/*
 * TikTokToe's validating NDJSON scanner of event batches: plain C, no Node dependency (wrapped by
 * addon.c). It answers only "certainly valid" (the record count) or "not sure" (-1) for a request
 * body; the JavaScript parser (src/monitor/ingest-parse.ts, parseEventBatch) stays the authority and
 * runs whenever the answer is "not sure". See ndjson.c for what it accepts.
 */
#ifndef TIKTOKTOE_NDJSON_H
#define TIKTOKTOE_NDJSON_H

#include <stddef.h>
#include <stdint.h>

/* A set of names (columns, versions or classes) with an open-addressing hash index. */
typedef struct {
  size_t count;
  const uint8_t **names; /* each name's UTF-8 bytes */
  size_t *lengths;
  uint8_t *kinds;        /* columns: 0 numeric, 1 categorical; unused otherwise */
  int32_t *slots;        /* hash slots: index + 1, 0 empty */
  size_t mask;           /* slots - 1 (a power of two minus one) */
} TttNameSet;

/* What the scanner knows of a model (see ttt_event_model_new). */
typedef struct {
  uint32_t magic;   /* TTT_EVENT_MODEL_MAGIC: the addon checks that an external is one of these */
  int classifier;   /* 0: regression; 1: binary or multiclass */
  int has_classes;  /* a classifier with declared classes */
  TttNameSet columns;
  TttNameSet versions;
  TttNameSet classes;
  /* Per column, the number of the event that last named it: duplicate feature keys are caught. */
  uint32_t *seen;
  uint32_t generation;
  void *block;  /* the one allocation holding the names */
  void *locale; /* the "C" locale for strtod_l, where the platform has it (NULL otherwise) */
} TttEventModel;

#define TTT_EVENT_MODEL_MAGIC 0x74747465u

/*
 * A model from flat lists: names[i] of lengths[i] bytes, the first column_count of them columns
 * (kinds[i]: 0 numeric, 1 categorical), then version_count versions, then class_count classes
 * (class_count -1: a classifier without declared classes, or a regression model). The names are
 * copied. NULL when out of memory.
 */
TttEventModel *ttt_event_model_new(int classifier, const uint8_t *const *names, const size_t *lengths,
                                   const uint8_t *kinds, size_t column_count, size_t version_count,
                                   long class_count);
void ttt_event_model_free(TttEventModel *model);

/* The time bounds an event's time must keep (parseEventBatch's TIME_RANGE_MS and context). */
typedef struct {
  double min_ms;    /* times below it are out of range */
  double max_ms;    /* times at or above it are out of range */
  double oldest_ms; /* times below it are too late */
  double newest_ms; /* times above it are in the future */
} TttTimeBounds;

/*
 * The number of events in the NDJSON body buf[0, length) when every one of them is certainly valid
 * for parseEventBatch with this model and these bounds (at least one event); -1 when not sure.
 */
long ttt_scan_events(TttEventModel *model, const uint8_t *buf, size_t length, const TttTimeBounds *bounds);

#endif
