/*
 * TikTokToe's native CSV kernel: plain C, no Node dependency (wrapped by addon.c). It takes the bulk
 * of all-numeric CSV records off the JavaScript parser (src/data/csv-parser.ts) and gives the same
 * bits; see csv.c for the cases it leaves to JavaScript.
 */
#ifndef TIKTOKTOE_CSV_H
#define TIKTOKTOE_CSV_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses whole records from buf[start, end), each of exactly field_count comma-separated fields and
 * ended by LF or CRLF, up to max_rows of them, stopping before the first record it cannot take
 * entirely (or that the bytes end inside). Field f is a decimal number stored at columns[f][slot +
 * row], or empty (NaN, counted in missing[f]); a NULL columns[f] is an unselected field, skipped.
 * missing (field_count values) is zeroed first; record_missing is scratch of field_count values.
 * Returns the number of records parsed and sets *next to the offset after the last one.
 */
size_t ttt_csv_numeric_rows(const uint8_t *buf, size_t start, size_t end, size_t field_count,
                            double *const *columns, size_t slot, size_t max_rows, double *missing,
                            uint32_t *record_missing, size_t *next);

/* The number of LF bytes in buf[start, end): an upper bound on the records there (see csv-parser.ts). */
size_t ttt_count_newlines(const uint8_t *buf, size_t start, size_t end);

#endif
