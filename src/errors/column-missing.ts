/**
 * The one message for "you named a column the input does not have", shared by the data layer (the
 * readers' `columns`, `text`, `numeric` options) and the drift core (`target`, `prediction`,
 * `exclude`), so a typo reads the same whichever option it was in.
 */
import { suggest } from "./suggest.js";
import { TikTokToeError } from "./tiktoktoe-error.js";

/**
 * INPUT_COLUMN_MISSING for a column named in `option` but absent from `file`: the message names both,
 * the hint lists the file's columns (the first 20) and, when one is a likely typo of the name
 * (`CNT` for `cnt`, `hmu` for `hum`), asks "did you mean".
 *
 * @example
 * ```ts
 * throw columnMissingError("cur.csv", "CNT", "--target", ["temp", "cnt"]);
 * // cur.csv, column "CNT", --target: column "CNT" (from --target) is not in cur.csv; did you mean "cnt"?
 * ```
 */
export function columnMissingError(
  file: string,
  column: string,
  option: string,
  available: readonly string[],
): TikTokToeError {
  const listed = available.slice(0, 20).map((name) => JSON.stringify(name));
  const more = available.length > 20 ? `, … (${available.length} in all)` : "";
  const near = suggest(column, available);
  const didYouMean = near === undefined ? "" : `; did you mean ${JSON.stringify(near)}?`;
  return new TikTokToeError(
    "INPUT_COLUMN_MISSING",
    `column "${column}" (from ${option}) is not in ${file}${didYouMean}`,
    {
      file,
      column,
      path: option,
      hint: `the file has ${listed.join(", ")}${more}; column names are case-sensitive`,
    },
  );
}
