import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../stats/index.js";
import { AbsHistogram } from "./abs-histogram.js";
import { EntropyCalibrator } from "./entropy-calibrator.js";
import { onnxruntimeEntropyRange, tensorrtEntropyThreshold } from "./entropy-threshold.js";
import { MinMaxCalibrator } from "./minmax-calibrator.js";
import { PercentileCalibrator } from "./percentile-calibrator.js";
import { SymmetricHistogram } from "./symmetric-histogram.js";

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} ≠ ${expected}`);

/** KL(P‖Q) of unnormalised vectors, 0·log 0 = 0, as scipy.stats.entropy. */
function kl(p: number[], q: number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  return p.reduce((acc, pi, j) => (pi === 0 ? acc : acc + (pi / sp) * Math.log(pi / sp / (q[j]! / sq))), 0);
}

/** ORT's smooth_distribution on counts. */
function smooth(v: number[]): number[] {
  const zeros = v.filter((x) => x === 0).length;
  const take = (1e-4 * zeros) / (v.length - zeros);
  return v.map((x) => (x === 0 ? 1e-4 : x - take));
}

/** |N(0, 1)| draws with one outlier: the classic case where clipping pays. */
function withOutlier(n: number, outlier: number, seed = 7): Float32Array {
  const x = Float32Array.from(seededRandom(seed).normals(n));
  x[n >> 1] = outlier;
  return x;
}

test("|x| histogram: bins of the first batch's width, the top edge closed, same-width growth", () => {
  const h = new AbsHistogram({ bins: 4 });
  h.add(new Float32Array([-4, 1, 2]));
  assert.equal(h.width, 1);
  assert.deepEqual([...h.counts], [0, 1, 1, 1]); // [0,1) [1,2) [2,3) [3,4]: −4 → |4| in the last
  h.add(new Float32Array([5.5, 0]));
  // ⌈5.5/1⌉ = 6 bins of width 1; the old counts keep their bins.
  assert.deepEqual([...h.counts], [1, 1, 1, 1, 0, 1]);
  assert.equal(h.min, -4);
  assert.equal(h.max, 5.5);
});

test("|x| histogram: zeros before any non-zero batch land in bin 0; non-finite values are skipped", () => {
  const h = new AbsHistogram({ bins: 2 });
  h.add(new Float32Array([0, 0]));
  h.add(new Float32Array([2, Number.NaN, Number.POSITIVE_INFINITY]));
  assert.deepEqual([...h.counts], [2, 1]);
  assert.equal(h.nonFinite, 2);
});

test("|x| histogram: memory stays bounded — past maxBins, bins merge in pairs", () => {
  const h = new AbsHistogram({ bins: 4, maxBins: 8 });
  h.add(new Float32Array([1, 4])); // width 1: [0, 1, 0, 1]
  h.add(new Float32Array([12])); // needs 12 bins > 8 → width 2, 6 bins
  assert.equal(h.width, 2);
  assert.deepEqual([...h.counts], [1, 1, 0, 0, 0, 1]);
});

test("ORT histogram: t and bins from the first batch; a wider batch adds ⌊Δ/w⌋ + 1 bins per side", () => {
  const h = new SymmetricHistogram({ bins: 4 });
  h.add(new Float32Array([-2, 2]));
  assert.deepEqual([...h.counts], [1, 0, 0, 1]);
  h.add(new Float32Array([3.5]));
  // k = ⌊(3.5 − 2)/1⌋ + 1 = 2: t = 4, 8 bins, the old four in the middle.
  assert.equal(h.threshold, 4);
  assert.deepEqual([...h.counts], [0, 0, 1, 0, 0, 1, 0, 1]);
  assert.deepEqual([...h.edges()], [-4, -3, -2, -1, 0, 1, 2, 3, 4]);
});

test("ORT histogram: a gap of exactly one width still adds k = 2 bins (the + 1 of the rule)", () => {
  const h = new SymmetricHistogram({ bins: 2 });
  h.add([1]); // [-1, 1], width 1
  h.add([2]); // k = ⌊1/1⌋ + 1 = 2 → t = 3
  assert.equal(h.threshold, 3);
  assert.equal(h.bins, 6);
});

test("MinMax: global extremes, ORT's mean of per-batch extremes, and the symmetric range", () => {
  const batches = [new Float32Array([-1, 2]), new Float32Array([-3, 0.5])];
  const plain = new MinMaxCalibrator();
  const averaged = new MinMaxCalibrator({ movingAverage: true });
  const symmetric = new MinMaxCalibrator({ symmetric: true });
  for (const b of batches) for (const c of [plain, averaged, symmetric]) c.update(b);
  assert.deepEqual(plain.range(), { min: -3, max: 2 });
  assert.deepEqual(averaged.range(), { min: -2, max: 1.25 });
  assert.deepEqual(symmetric.range(), { min: -3, max: 3 });
});

test("percentile (symmetric): lower edge of the bin where the |x| CDF reaches p, clipped to [min, max]", () => {
  // 1…100 in 100 bins of width 1: bin k holds k (bin 99 holds 99 and 100); the CDF reaches 95 at bin 95.
  const c = new PercentileCalibrator({ percentile: 95, bins: 100 });
  c.update(Float32Array.from({ length: 100 }, (_, i) => i + 1));
  assert.deepEqual(c.range(), { min: 1, max: 95 });
});

test("percentile (asymmetric): (100 − p)/200 cut from each tail on ORT's signed grid", () => {
  // [-2, 2] in 4 bins: counts [1, 1, 1, 2]; p = 60 cuts 20% per side: the left CDF reaches 1/5 at bin 0
  // (edge −2), the right reaches 4/5 at bin 3 (edge 1).
  const c = new PercentileCalibrator({ percentile: 60, bins: 4, symmetric: false });
  c.update(new Float32Array([-2, -1, 0, 1, 2]));
  assert.deepEqual(c.range(), { min: -2, max: 1 });
});

test("TensorRT search: hand-computed KL per candidate; the minimum clips below the maximum", () => {
  // Bins of width 0.5: counts [6, 6, 1, 0, 0, 1], 2 levels, candidates i = 2…6, no zero flattening.
  const counts = [6, 6, 1, 0, 0, 1];
  const expected = [
    kl([6, 8], [6, 6]), // i = 2: the 2 counts above fold into bin 1
    kl([6, 6, 2], [6, 6, 1]), // i = 3: bins → levels [0, 0, 1]
    Number.POSITIVE_INFINITY, // i = 4: the last bin is empty but receives the clipped mass
    Number.POSITIVE_INFINITY,
    kl([6, 6, 1, 0, 0, 1], [13 / 3, 13 / 3, 13 / 3, 0, 0, 1]), // i = 6: levels [0,0,0,1,1,1]
  ];
  close(expected[0]!, 0.010239075859473604); // the same through the reference code (numpy, scipy)
  const r = tensorrtEntropyThreshold(counts, 0.5, { levels: 2, startBin: 2, flattenZeroBin: false });
  assert.equal(r.bin, 2);
  assert.equal(r.threshold, 1);
  assert.equal(r.candidates, 5);
  close(r.divergence, Math.min(...expected));
});

test("TensorRT search: with P = Q at several candidates, the last (widest) wins, as the reference", () => {
  // Every bin non-empty and one bin per level: KL = 0 only without clipped mass, i.e. at i = n.
  const r = tensorrtEntropyThreshold([5, 5, 5, 5], 1, { levels: 4, startBin: 1, flattenZeroBin: false });
  assert.equal(r.bin, 4);
  close(r.divergence, 0);
});

test("TensorRT search: the zero spike is flattened (bin 0 := bin 1) before the search", () => {
  const spiky = [1000, 6, 6, 1, 0, 0, 1];
  const options = { levels: 2, startBin: 2 } as const;
  const r = tensorrtEntropyThreshold(spiky, 1, options);
  const flat = tensorrtEntropyThreshold([6, 6, 6, 1, 0, 0, 1], 1, { ...options, flattenZeroBin: false });
  assert.deepEqual(r, flat);
});

test("ORT search: hand-built P and Q with ORT's integer Q, leftover bins and smoothing", () => {
  // 8 bins over [−4, 4], 2 quantized bins: z = 4, h = 1, windows i = 1…4.
  const counts = [1, 0, 2, 8, 8, 2, 0, 1];
  const divergences = [
    kl(smooth([11, 8, 3]), smooth([8, 10, 0])), // i = 1: [3, 6); m = 1; leftover bin 2 gets 0
    kl(smooth([3, 8, 8, 2, 1]), smooth([5, 5, 5, 5, 0])), // i = 2: [2, 7); m = 2
    kl(smooth([1, 2, 8, 8, 2, 0, 1]), smooth([3, 3, 3, 5, 5, 5, 0])), // i = 3: ⌊10/3⌋ = 3, ⌊11/2⌋ = 5
    kl(smooth([1, 0, 2, 8, 8, 2, 0, 1]), smooth([3, 3, 3, 3, 3, 3, 3, 3])), // i = 4: the whole range
  ];
  // The reference code (numpy, scipy) gives the same four divergences.
  const reference = [1.2831842756304819, 0.5122100522467739, 0.8630865852572744, 0.6266457466669828];
  for (const [i, d] of divergences.entries()) close(d, reference[i]!, 1e-9);
  const r = onnxruntimeEntropyRange(counts, 4, -4, 4, { quantizedBins: 2 });
  assert.equal(r.halfWidth, 2);
  assert.equal(r.candidates, 4);
  assert.deepEqual([r.min, r.max], [-2, 3]); // edges of [2, 7)
  close(r.divergence, reference[1]!, 1e-9);
});

test("ORT search as shipped (128 bins, 128 quantized bins) is inert: one candidate, the MinMax range", () => {
  const x = withOutlier(20_000, 12);
  const ort = new EntropyCalibrator({ variant: "onnxruntime", bins: 128, quantizedBins: 128 });
  const minmax = new MinMaxCalibrator();
  ort.update(x);
  minmax.update(x);
  assert.equal(ort.details().candidates, 1);
  assert.deepEqual(ort.range(), minmax.range());
});

test("one outlier: entropy clips far below the maximum, MinMax does not (both variants at 2048 bins)", () => {
  const x = withOutlier(50_000, 40);
  const minmax = new MinMaxCalibrator();
  const trt = new EntropyCalibrator();
  const ort = new EntropyCalibrator({ variant: "onnxruntime" });
  for (const c of [minmax, trt, ort]) c.update(x);
  assert.equal(minmax.range().max, 40);
  const t = trt.details();
  assert.equal(t.unsigned, false);
  assert.ok(t.range.max > 2 && t.range.max < 10, `TensorRT threshold ${t.range.max}`);
  assert.equal(t.range.min, -t.range.max);
  const o = ort.range();
  assert.ok(o.max > 2 && o.max < 10 && o.min < -2 && o.min > -10, `ORT range ${o.min}, ${o.max}`);
});

test("unsigned tensors (all ≥ 0, after ReLU) get 256 levels over [0, T]", () => {
  const x = withOutlier(20_000, 30).map(Math.abs);
  const c = new EntropyCalibrator();
  c.update(x);
  const d = c.details();
  assert.equal(d.unsigned, true);
  assert.equal(d.range.min, 0);
  const h = new AbsHistogram();
  h.add(x);
  assert.equal(d.range.max, tensorrtEntropyThreshold(h.counts, h.width, { levels: 256 }).threshold);
});

test("streaming in batches equals one shot when the first batch holds the maximum", () => {
  const x = withOutlier(30_000, 25, 3);
  // Move the outlier into the first batch.
  [x[0], x[15_000]] = [x[15_000]!, x[0]!];
  for (const options of [{}, { variant: "onnxruntime" as const }]) {
    const once = new EntropyCalibrator(options);
    once.update(x);
    const streamed = new EntropyCalibrator(options);
    for (let i = 0; i < x.length; i += 1000) streamed.update(x.subarray(i, i + 1000));
    assert.deepEqual(streamed.details(), once.details());
  }
  const p1 = new PercentileCalibrator();
  const p2 = new PercentileCalibrator();
  p1.update(x);
  for (let i = 0; i < x.length; i += 1000) p2.update(x.subarray(i, i + 1000));
  assert.deepEqual(p2.range(), p1.range());
});

test("streaming with widening: the first width is kept; a value on the old top edge stays in the old last bin", () => {
  // Batches [0.5, 2] then [3.5, 1.2] with 4 bins: width 0.5; 2 was counted in the closed last bin [1.5, 2];
  // growth to ⌈3.5/0.5⌉ = 7 bins puts 3.5 in the new closed last bin and 1.2 in [1, 1.5).
  const h = new AbsHistogram({ bins: 4 });
  h.add(new Float32Array([0.5, 2]));
  h.add(new Float32Array([3.5, 1.2]));
  assert.equal(h.width, 0.5);
  assert.deepEqual([...h.counts], [0, 1, 1, 1, 0, 0, 1]);
});
