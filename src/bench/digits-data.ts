import { readFileSync } from "node:fs";
import { repoPath } from "../testing/paths.js";

/**
 * data/digits/digits.csv (scikit-learn's 8 × 8 digits, 1,797 rows: 64 pixel columns 0–16, then the
 * label) with the pixels divided by 16, for the trainer's test and benchmark.
 *
 * @example
 * ```ts
 * const { x, labels, rows } = loadDigits(); // x: Float32Array of rows × 64, in [0, 1]
 * ```
 */
export function loadDigits(): { x: Float32Array; labels: Int32Array; rows: number; features: number } {
  const lines = readFileSync(repoPath("data", "digits", "digits.csv"), "utf8")
    .trim()
    .split("\n");
  const features = lines[0]!.split(",").length - 1;
  const rows = lines.length - 1;
  const x = new Float32Array(rows * features);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(",");
    for (let i = 0; i < features; i++) x[r * features + i] = Number(cells[i]) / 16;
    labels[r] = Number(cells[features]);
  }
  return { x, labels, rows, features };
}

/**
 * The rows `indices` of a row-major matrix with `width` columns, as a new matrix.
 *
 * @example
 * ```ts
 * const xTrain = takeRows(x, 64, split.train);
 * ```
 */
export function takeRows<T extends Float32Array | Int32Array>(
  values: T,
  width: number,
  indices: Int32Array,
): T {
  const out = new (values.constructor as new (n: number) => T)(indices.length * width);
  for (let k = 0; k < indices.length; k++)
    for (let j = 0; j < width; j++) out[k * width + j] = values[indices[k]! * width + j]!;
  return out;
}
