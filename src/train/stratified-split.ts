import { seededRandom } from "../stats/index.js";

/**
 * A seeded stratified split: within each class, a shuffled `testFraction` of the rows (rounded to
 * the nearest whole row) goes to the test side, the rest to training, so both sides keep the class
 * proportions (scikit-learn's `train_test_split(stratify=y)` does the same, with its own rounding).
 * Indices come back in ascending order.
 *
 * @throws RangeError when `testFraction` is not in (0, 1)
 * @example
 * ```ts
 * const { train, test } = stratifiedSplit(labels, 0.3, 42);
 * ```
 */
export function stratifiedSplit(
  labels: Int32Array,
  testFraction: number,
  seed: number,
): { train: Int32Array; test: Int32Array } {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError("testFraction must be in (0, 1)");
  const rng = seededRandom(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const rows = byClass.get(labels[i]!) ?? [];
    rows.push(i);
    byClass.set(labels[i]!, rows);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(cls)!;
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    const nTest = Math.round(rows.length * testFraction);
    test.push(...rows.slice(0, nTest));
    train.push(...rows.slice(nTest));
  }
  return {
    train: Int32Array.from(train).sort(),
    test: Int32Array.from(test).sort(),
  };
}
