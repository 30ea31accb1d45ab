/**
 * "Did you mean …?" for misspelt keys and values: the nearest candidate by edit distance, after
 * ignoring case, `_` and `-` (so `minSamples` and `min-samples` both find `min_samples`).
 */

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo: an edit distance
 * (insertions, deletions, substitutions, adjacent transpositions) of at most 1 for words up to four
 * letters and 2 beyond, after normalising case and separators. `undefined` when nothing is that close
 * or when two candidates are equally close (a coin-flip suggestion misleads more than none).
 *
 * @example
 * ```ts
 * suggest("signficance", ["method", "significance", "correction"]); // "significance"
 * suggest("minSamples", ["window", "min_samples"]); // "min_samples"
 * suggest("colour", ["window", "lateness"]); // undefined
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const target = normalise(word);
  const limit = target.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(target, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) tie = true;
  }
  return best !== undefined && bestDistance <= limit && !tie ? best : undefined;
}

function normalise(word: string): string {
  return word.toLowerCase().replace(/[_\-\s]/g, "");
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions ("mehtod"). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Uint16Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1]!;
}
