import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import { DDSketch, type DDSketchJSON, type DDSketchOptions } from "./ddsketch.js";
import { DenseStore } from "./dense-store.js";

const QUANTILES = [0, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1];
// Bucket edges are computed with a logarithm; values on an edge may land one bucket off, which costs
// rounding of ~1e-13 relative beyond α. The guarantee is stated with that slack.
const SLACK = 1e-12;

/** The exact lower q-quantile: rank ⌊q(n − 1)⌋ of the sorted values. */
function lowerQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function sketchOf(values: Float64Array, options: DDSketchOptions = {}): DDSketch {
  const sketch = new DDSketch(options);
  for (let i = 0; i < values.length; i++) sketch.add(values[i]!);
  return sketch;
}

function assertAccurate(name: string, values: Float64Array, sketch: DDSketch, alpha: number): void {
  const sorted = values.slice().sort();
  for (const q of QUANTILES) {
    const exact = lowerQuantile(sorted, q);
    const estimate = sketch.quantile(q);
    const error = Math.abs(estimate - exact);
    assert.ok(
      error <= (alpha + SLACK) * Math.abs(exact),
      `${name} q=${q}: estimate ${estimate} vs exact ${exact}, relative error ${error / Math.abs(exact)}`,
    );
  }
}

type Samples = Record<"lognormal" | "exponential" | "uniform" | "pareto" | "signed", Float64Array>;

function samples(seed: number, n: number): Samples {
  const rng = seededRandom(seed);
  const draw = (f: () => number): Float64Array => Float64Array.from({ length: n }, f);
  return {
    // Latency-like: median e^3 ≈ 20 ms.
    lognormal: draw(() => Math.exp(3 + 1.2 * rng.normal())),
    exponential: draw(() => -50 * Math.log(rng.uniform())),
    uniform: draw(() => 1000 * rng.uniform()),
    // Pareto with shape 1.1: infinite variance, values up to ~10^5 × the scale.
    pareto: draw(() => 5 * rng.uniform() ** (-1 / 1.1)),
    // Mixed signs with repeated zeros exercise the negative store and the zero bucket.
    signed: draw(() => (rng.uniform() < 0.1 ? 0 : rng.normal() * 100)),
  };
}

/** Buckets, counts, min and max: everything but `sum`, which is float-summed in a different order. */
function buckets(sketch: DDSketch): Omit<DDSketchJSON, "sum"> {
  const { sum: _, ...rest } = sketch.toJSON();
  return rest;
}

test("every quantile is within α of the exact lower quantile, for several distributions and α", () => {
  for (const [name, values] of Object.entries(samples(11, 100_000))) {
    assertAccurate(name, values, sketchOf(values), 0.01);
    assertAccurate(`${name} α=0.05`, values, sketchOf(values, { relativeAccuracy: 0.05 }), 0.05);
    // At α = 0.001 the default 2048 buckets span only a factor γ^2047 ≈ 60: give it room.
    const fine = sketchOf(values, { relativeAccuracy: 0.001, maxBuckets: 20_000 });
    assertAccurate(`${name} α=0.001`, values, fine, 0.001);
  }
});

test("count, sum, min and max are exact; q = 0 and q = 1 are the min and max", () => {
  const { lognormal } = samples(3, 10_000);
  const sketch = sketchOf(lognormal);
  let sum = 0;
  for (const v of lognormal) sum += v;
  assert.equal(sketch.count, 10_000);
  assert.equal(sketch.sum, sum);
  assert.equal(sketch.min, Math.min(...lognormal));
  assert.equal(sketch.max, Math.max(...lognormal));
  assert.equal(sketch.quantile(0), sketch.min);
  assert.equal(sketch.quantile(1), sketch.max);
});

test("small cases: one value, repeated values with counts, zeros and negatives", () => {
  const one = new DDSketch();
  one.add(42.5);
  for (const q of QUANTILES) assert.equal(one.quantile(q), 42.5);

  const weighted = new DDSketch();
  weighted.add(10, 3);
  weighted.add(1000, 1);
  // Ranks 0..2 are 10, rank 3 is 1000: the lower median (rank ⌊0.5·3⌋ = 1) is 10.
  assert.ok(Math.abs(weighted.quantile(0.5) - 10) <= 0.1);
  assert.equal(weighted.count, 4);
  assert.equal(weighted.sum, 1030);

  const mixed = new DDSketch();
  for (const v of [-5, -0, 0, 0, 3]) mixed.add(v);
  assert.equal(mixed.quantile(0.5), 0); // rank 2 is a zero: exact
  assert.ok(Math.abs(mixed.quantile(0.25) - 0) <= 0); // rank 1 is −0 → 0
  assert.equal(Object.is(mixed.min, -5), true);
  assert.equal(Object.is(mixed.toJSON().zeroCount, 3), true);
  const allZero = new DDSketch();
  allZero.add(-0);
  assert.ok(Object.is(allZero.max, 0) && Object.is(allZero.quantile(0.5), 0));
});

test("empty sketch and invalid input", () => {
  const empty = new DDSketch();
  assert.equal(empty.count, 0);
  assert.equal(empty.sum, 0);
  assert.ok(Number.isNaN(empty.quantile(0.5)));
  assert.ok(Number.isNaN(empty.min) && Number.isNaN(empty.max));
  assert.equal(empty.bucketCount, 0);
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.throws(() => empty.add(bad), RangeError);
  }
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => empty.add(1, bad), RangeError);
  assert.equal(empty.count, 0, "a rejected add changes nothing");
  for (const bad of [-0.1, 1.1, Number.NaN]) assert.throws(() => empty.quantile(bad), RangeError);
  for (const bad of [0, 1, -0.5, Number.NaN]) {
    assert.throws(() => new DDSketch({ relativeAccuracy: bad }), RangeError);
  }
  for (const bad of [0, 2.5, -3]) assert.throws(() => new DDSketch({ maxBuckets: bad }), RangeError);
  assert.throws(() => new DDSketch().merge(new DDSketch({ relativeAccuracy: 0.02 })), RangeError);
});

test("merging sketches of parts gives the sketch of the whole, bucket for bucket, in any order", () => {
  for (const maxBuckets of [2048, 40]) {
    for (const [name, values] of Object.entries(samples(5, 30_000))) {
      const whole = sketchOf(values, { maxBuckets });
      const cuts = [0, 7_000, 7_001, 19_000, 30_000];
      const parts = cuts.slice(1).map((end, i) => sketchOf(values.subarray(cuts[i]!, end), { maxBuckets }));
      const forward = new DDSketch({ maxBuckets });
      for (const p of parts) forward.merge(p);
      const backward = parts[3]!.clone().merge(parts[2]!).merge(parts[1]!.clone().merge(parts[0]!));
      for (const merged of [forward, backward]) {
        assert.deepEqual(buckets(merged), buckets(whole), `${name} maxBuckets=${maxBuckets}`);
        assert.ok(Math.abs(merged.sum - whole.sum) <= 1e-9 * Math.abs(whole.sum) + 1e-9, name);
        for (const q of QUANTILES) assert.equal(merged.quantile(q), whole.quantile(q), `${name} q=${q}`);
      }
    }
  }
  // Collapsing happens at different times in the parts (small values first, then large) and the whole.
  const rng = seededRandom(9);
  const small = Float64Array.from({ length: 5000 }, () => 10 ** (-3 + 3 * rng.uniform()));
  const large = Float64Array.from({ length: 5000 }, () => 10 ** (3 + 3 * rng.uniform()));
  const both = new Float64Array([...large, ...small]);
  const merged = sketchOf(small, { maxBuckets: 100 }).merge(sketchOf(large, { maxBuckets: 100 }));
  assert.deepEqual(buckets(merged), buckets(sketchOf(both, { maxBuckets: 100 })));
  // Merging a sketch into itself doubles it.
  const twice = sketchOf(small).merge(sketchOf(small));
  const self = sketchOf(small);
  assert.deepEqual(buckets(self.merge(self)), buckets(twice));
});

test("the collapsing store equals its reference model: keys below max − maxBuckets + 1 fold up", () => {
  const rng = seededRandom(21);
  for (let trial = 0; trial < 300; trial++) {
    const maxBuckets = 1 + Math.floor(rng.uniform() * 40);
    const spread = 1 + Math.floor(rng.uniform() * 200);
    const keys = Array.from({ length: 1 + Math.floor(rng.uniform() * 300) }, () =>
      Math.floor((rng.uniform() - 0.5) * spread),
    );
    const store = new DenseStore(maxBuckets);
    for (const k of keys) store.add(k, 1);
    const hi = Math.max(...keys);
    const lo = Math.max(Math.min(...keys), hi - maxBuckets + 1);
    const expected = new Float64Array(hi - lo + 1);
    for (const k of keys) expected[Math.max(k, lo) - lo]! += 1;
    assert.equal(store.minKey, lo);
    assert.equal(store.maxKey, hi);
    assert.ok(store.bucketCount <= maxBuckets);
    assert.deepEqual(store.snapshot(), expected, `trial ${trial}`);
    const other = new DenseStore(maxBuckets);
    other.mergeFrom(store);
    assert.deepEqual(other.snapshot(), expected);
  }
  const doc = new DenseStore(2);
  doc.add(5, 1);
  doc.add(7, 1);
  assert.equal(doc.countAt(6), 1);
});

test("toJSON/fromJSON round-trips exactly, through JSON text, and the form is canonical", () => {
  for (const [name, values] of Object.entries(samples(8, 5_000))) {
    const sketch = sketchOf(values);
    const text = JSON.stringify(sketch);
    const again = DDSketch.fromJSON(JSON.parse(text));
    assert.equal(JSON.stringify(again), text, name);
    assert.deepEqual(again.toJSON(), sketch.toJSON());
    for (const q of QUANTILES) assert.equal(again.quantile(q), sketch.quantile(q));
    // It keeps working as the same sketch.
    again.add(17);
    sketch.add(17);
    assert.deepEqual(again.toJSON(), sketch.toJSON());
  }
  const empty = new DDSketch({ relativeAccuracy: 0.02, maxBuckets: 100 });
  assert.deepEqual(DDSketch.fromJSON(JSON.parse(JSON.stringify(empty))).toJSON(), empty.toJSON());
  assert.deepEqual(empty.toJSON(), {
    version: 1,
    relativeAccuracy: 0.02,
    maxBuckets: 100,
    count: 0,
    sum: 0,
    min: null,
    max: null,
    zeroCount: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
  });
  // Negative buckets are listed by the index of |x|: −1 is index 0, −γ^2 index 2.
  const neg = new DDSketch();
  neg.add(-1);
  neg.add(-(neg.gamma ** 2) * 0.999);
  assert.deepEqual(neg.toJSON().negative, { offset: 0, counts: [1, 0, 1] });
});

test("fromJSON rejects malformed input", () => {
  const good = (() => {
    const s = new DDSketch();
    s.add(3);
    s.add(0);
    return s.toJSON();
  })();
  const bad: unknown[] = [
    null,
    "x",
    { ...good, version: 2 },
    { ...good, relativeAccuracy: 2 },
    { ...good, count: 3 },
    { ...good, min: null },
    { ...good, min: 5, max: 4 },
    { ...good, sum: "1" },
    { ...good, positive: { offset: 1.5, counts: [1] } },
    { ...good, positive: { offset: 0, counts: [-1] } },
    { ...good, maxBuckets: 1, positive: { offset: 0, counts: [1, 0] } },
  ];
  for (const b of bad) assert.throws(() => DDSketch.fromJSON(b), RangeError, JSON.stringify(b));
});

test("memory stays within maxBuckets for 10^6 values over 12 orders of magnitude", () => {
  const rng = seededRandom(2024);
  const values = Float64Array.from({ length: 1_000_000 }, () => 10 ** (-3 + 12 * rng.uniform()));
  const sorted = values.slice().sort();
  const full = sketchOf(values);
  assert.ok(full.bucketCount <= 2048, `${full.bucketCount} buckets`);
  assertAccurate("12 decades", values, full, 0.01);

  // A tighter bound collapses the lowest buckets: the guarantee holds where x_q ≥ max / γ^(m − 1) and
  // the lowest quantiles are overestimated.
  const m = 1024;
  const bounded = sketchOf(values, { maxBuckets: m });
  assert.ok(bounded.bucketCount <= m, `${bounded.bucketCount} buckets`);
  const threshold = bounded.max / bounded.gamma ** (m - 1);
  let covered = 0;
  for (const q of [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999]) {
    const exact = lowerQuantile(sorted, q);
    const estimate = bounded.quantile(q);
    if (exact >= threshold) {
      covered++;
      assert.ok(Math.abs(estimate - exact) <= (0.01 + SLACK) * exact, `q=${q}`);
    } else {
      assert.ok(estimate >= exact, `q=${q}: collapsed quantiles are overestimated`);
    }
  }
  assert.ok(covered >= 5);
  assert.ok(bounded.quantile(0.01) > 1.5 * lowerQuantile(sorted, 0.01), "q = 0.01 lost its guarantee");
  assert.equal(bounded.quantile(0), bounded.min);
});
