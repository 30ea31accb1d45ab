import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";
import { ROC_AUC_BINS, ROC_AUC_EXACT_LIMIT, RocAucAccumulator } from "./index.js";

/** The 200,000-row case of golden/metrics_sklearn.json.gz, given as a recipe plus sklearn's exact AUC. */
interface GoldenHistogramAuc {
  readonly n: number;
  readonly positives: number;
  readonly score_sum: number;
  readonly roc_auc: number;
}

const golden = JSON.parse(
  gunzipSync(readFileSync(repoPath("golden", "metrics_sklearn.json.gz"))).toString("utf8"),
) as { histogram_auc: GoldenHistogramAuc };

/** The generator's recipe: Weyl sequences, bit-identical in Python and JavaScript (IEEE doubles). */
function histogramCase(n: number): { scores: Float64Array; positive: Uint8Array } {
  const scores = new Float64Array(n);
  const positive = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = (i * 0.6180339887498949) % 1;
    const v = (i * Math.SQRT2) % 1; // Math.SQRT2 is the double 1.4142135623730951 the generator uses
    scores[i] = Math.floor(u * u * 20000) / 20000;
    positive[i] = v < 0.15 + 0.7 * u ? 1 : 0;
  }
  return { scores, positive };
}

test("golden: the histogram mode on 200,000 rows is within its stated bound of sklearn's exact AUC", (t) => {
  const g = golden.histogram_auc;
  const { scores, positive } = histogramCase(g.n);
  let sum = 0;
  let positives = 0;
  for (let i = 0; i < g.n; i++) {
    sum += scores[i]!;
    positives += positive[i]!;
  }
  assert.equal(positives, g.positives, "the recipe regenerates sklearn's data");
  assert.equal(sum, g.score_sum, "the recipe regenerates sklearn's data");

  const whole = new RocAucAccumulator();
  for (let i = 0; i < g.n; i++) whole.add(scores[i]!, positive[i] === 1);
  const r = whole.result();
  assert.equal(r.exact, false, `more than ${ROC_AUC_EXACT_LIMIT} pairs switch to the histogram`);
  const error = Math.abs(r.rocAuc! - g.roc_auc);
  t.diagnostic(
    `histogram AUC ${r.rocAuc} vs sklearn ${g.roc_auc}: error ${error}, stated bound ${r.errorBound}`,
  );
  assert.ok(error <= r.errorBound!, `error ${error} exceeds the bound ${r.errorBound}`);
  assert.ok(r.errorBound! < 2e-4, `bound ${r.errorBound}`);

  // Four exact quarters (50,000 pairs each) merged past the limit give the same histogram.
  const quarters = [0, 1, 2, 3].map((k) => {
    const part = new RocAucAccumulator();
    for (let i = k; i < g.n; i += 4) part.add(scores[i]!, positive[i] === 1);
    assert.equal(part.exact, true);
    return part;
  });
  const merged = quarters[0]!;
  for (const other of quarters.slice(1)) merged.merge(other);
  assert.deepEqual(merged.result(), r);

  // And with a limit above n, the exact mode reproduces sklearn itself.
  const exact = new RocAucAccumulator({ exactLimit: g.n });
  for (let i = 0; i < g.n; i++) exact.add(scores[i]!, positive[i] === 1);
  assert.equal(exact.result().exact, true);
  assert.ok(Math.abs(exact.result().rocAuc! - g.roc_auc) <= 1e-12 * g.roc_auc);
});

test("sklearn's docstring-sized examples, ties counted one half", () => {
  const auc = (pairs: ReadonlyArray<readonly [number, boolean]>, limit?: number): number | null => {
    const a = new RocAucAccumulator(limit === undefined ? {} : { exactLimit: limit });
    for (const [s, p] of pairs) a.add(s, p);
    return a.result().rocAuc;
  };
  // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
  const example = [
    [0.1, false],
    [0.4, false],
    [0.35, true],
    [0.8, true],
  ] as const;
  assert.equal(auc(example), 0.75);
  // roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
  assert.equal(
    auc([
      [0.5, false],
      [0.5, true],
      [0.5, false],
      [0.5, true],
    ]),
    0.5,
  );
  // roc_auc_score([0, 0, 1], [0.2, 0.3, 0.3]) == 0.75; any finite score works, -0 and 0 tie.
  assert.equal(
    auc([
      [-2, false],
      [-0, false],
      [0, true],
    ]),
    0.75,
  );
  assert.equal(
    auc([
      [0.2, true],
      [0.9, true],
    ]),
    null,
  );
  assert.equal(auc([]), null);
  assert.throws(() => new RocAucAccumulator().add(Number.NaN, true), RangeError);
  assert.throws(() => new RocAucAccumulator({ bins: 0 }), RangeError);
  assert.equal(new RocAucAccumulator().bins, ROC_AUC_BINS);
});

test("the error bound holds on random data with clustered scores, and merges agree in every mode", () => {
  const rng = seededRandom(99);
  for (const bins of [1, 10, 1000]) {
    const n = 3000;
    const pairs = Array.from({ length: n }, () => {
      const positive = rng.uniform() < 0.4;
      const score = Math.min(1, Math.max(0, 0.5 + 0.08 * rng.normal() + (positive ? 0.05 : 0)));
      return [Math.round(score * 1000) / 1000, positive] as const;
    });
    const exact = new RocAucAccumulator({ exactLimit: n, bins });
    const histogram = new RocAucAccumulator({ exactLimit: 0, bins });
    for (const [s, p] of pairs) {
      exact.add(s, p);
      histogram.add(s, p);
    }
    const e = exact.result();
    const h = histogram.result();
    assert.equal(e.exact, true);
    assert.equal(h.exact, false);
    assert.ok(Math.abs(h.rocAuc! - e.rocAuc!) <= h.errorBound!, `bins ${bins}`);
    if (bins === 1) assert.equal(h.rocAuc, 0.5);

    // With a limit of 1000: [0, 900) and [900, 1800) stay exact, [1800, 3000) is a histogram.
    const part = (from: number, to: number): RocAucAccumulator => {
      const a = new RocAucAccumulator({ exactLimit: 1000, bins });
      for (let i = from; i < to; i++) a.add(pairs[i]![0], pairs[i]![1]);
      return a;
    };
    const paths = [
      part(0, 900).merge(part(900, 1800)), // exact + exact past the limit
      part(0, 900).merge(part(1800, 3000)), // exact + histogram
      part(1800, 3000).merge(part(0, 900)), // histogram + exact
    ].map((a) => (a.count === 1800 ? a.merge(part(1800, 3000)) : a.merge(part(900, 1800))));
    for (const a of paths) {
      assert.equal(a.exact, false);
      assert.equal(a.count, n);
      assert.equal(a.result().rocAuc, h.rocAuc, `bins ${bins}`);
      assert.equal(a.result().errorBound, h.errorBound);
    }
    // Round trip in histogram mode is exact.
    const json = JSON.parse(JSON.stringify(histogram)) as unknown;
    assert.deepEqual(RocAucAccumulator.fromJSON(json).toJSON(), json);
    assert.deepEqual(RocAucAccumulator.fromJSON(json).result(), h);
  }
});

test("merging an accumulator into itself doubles it, in both modes", () => {
  for (const limit of [10, 3]) {
    const a = new RocAucAccumulator({ exactLimit: limit });
    a.add(0.2, false);
    a.add(0.6, true);
    a.add(0.4, true);
    const before = a.result().rocAuc;
    a.merge(a);
    assert.equal(a.count, 6);
    assert.equal(a.result().positives, 4);
    assert.equal(a.result().rocAuc, before);
  }
});
