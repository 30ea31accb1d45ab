import assert from "node:assert/strict";
import { test } from "node:test";
import { closeTo, loadFairnessGolden } from "../testing/golden.js";
import {
  criticalValue,
  katzLogInterval,
  meanInterval,
  newcombeInterval,
  normalQuantile,
  studentTQuantile,
  welchInterval,
  wilsonInterval,
} from "./index.js";
import { studentTCdf } from "./student-t.js";

/** The quantile and interval parts of golden/fairness_sklearn.json.gz (tools/make_fairness_golden.py). */
interface Golden {
  readonly normal_quantiles: ReadonlyArray<{ p: number; ppf: number }>;
  readonly t_quantiles: ReadonlyArray<{ p: number; df: number; ppf_raw: number; ppf: number }>;
  readonly t_cdfs: ReadonlyArray<{ t: number; df: number; cdf: number }>;
  readonly intervals: ReadonlyArray<{
    x1: number;
    n1: number;
    x2: number;
    n2: number;
    confidence: number;
    wilson1: [number, number] | null;
    wilson2: [number, number] | null;
    newcombe: [number, number];
    katz: { interval: [number, number]; method: "katz-log" | "katz-log-adjusted" } | null;
  }>;
}

const golden = loadFairnessGolden<Golden>();

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    closeTo(actual, expected, tolerance, tolerance),
    `${what}: ${actual} differs from ${expected} by ${actual - expected}`,
  );
}

test("normalQuantile: hand-checked values and scipy's norm.ppf to 1e-15 relative", () => {
  // Φ(1.959963984540054) = 0.975 is the textbook 95% critical value; Φ⁻¹(½) = 0 exactly.
  near(normalQuantile(0.975), 1.959963984540054, 1e-15, "z(0.975)");
  assert.equal(normalQuantile(0.5), 0);
  assert.equal(normalQuantile(0), Number.NEGATIVE_INFINITY);
  assert.equal(normalQuantile(1), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(normalQuantile(1.5)) && Number.isNaN(normalQuantile(Number.NaN)));
  near(criticalValue(0.95), 1.959963984540054, 1e-15, "criticalValue(0.95)");
  assert.throws(() => criticalValue(1), RangeError);
  assert.throws(() => criticalValue(0), RangeError);
  // Symmetry, exact in the lower half where p is exact.
  assert.equal(normalQuantile(0.3), -normalQuantile(0.7));
  assert.ok(golden.normal_quantiles.length > 30);
  for (const { p, ppf } of golden.normal_quantiles) near(normalQuantile(p), ppf, 1e-15, `ppf(${p})`);
});

test("studentTQuantile: closed forms, and scipy's t.ppf polished by Newton on scipy's t.cdf, to 1e-13", () => {
  // ν = 1 is Cauchy: t = tan(π(p − ½)); ν = 2: t = (2p − 1)/√(2p(1 − p)).
  near(studentTQuantile(0.975, 1), Math.tan(Math.PI * 0.475), 1e-14, "Cauchy");
  near(studentTQuantile(0.9, 2), 0.8 / Math.sqrt(2 * 0.9 * 0.1), 1e-15, "ν = 2");
  // Tables: t(0.975; 10) = 2.228139, t(0.975; 30) = 2.042272.
  near(studentTQuantile(0.975, 10), 2.2281388519862735, 1e-13, "t(0.975; 10)");
  near(studentTQuantile(0.975, 30), 2.042272456301238, 1e-13, "t(0.975; 30)");
  assert.equal(studentTQuantile(0.975, Number.POSITIVE_INFINITY), normalQuantile(0.975));
  assert.equal(studentTQuantile(0.5, 3), 0);
  assert.throws(() => studentTQuantile(0.5, 0), RangeError);
  assert.ok(golden.t_quantiles.length > 200);
  for (const { p, df, ppf, ppf_raw } of golden.t_quantiles) {
    const q = studentTQuantile(p, df);
    near(q, ppf, 1e-13, `t.ppf(${p}, ${df})`);
    // scipy 1.10's own t.ppf is the coarser reference (CDFLIB's search stops near 1e-9).
    near(q, ppf_raw, 1e-8, `raw t.ppf(${p}, ${df})`);
  }
});

test("studentTCdf matches scipy's t.cdf to 1e-14 (absolute, or relative in the tails)", () => {
  for (const { t, df, cdf } of golden.t_cdfs) near(studentTCdf(t, df), cdf, 1e-13, `t.cdf(${t}, ${df})`);
  assert.equal(studentTCdf(0, 4.5), 0.5);
  // The normal limit goes through the incomplete gamma function: Φ(1.959963984540054) = 0.975.
  near(studentTCdf(1.959963984540054, Number.POSITIVE_INFINITY), 0.975, 1e-15, "Φ");
});

test("wilsonInterval: worked by hand and against Newcombe 1998's printed limits", () => {
  // 56/70 at 95%: z² = 3.8414588, centre = (56 + z²/2)/(70 + z²) = 57.9207294/73.8414588 = 0.7843931,
  // half = z·√(56·14/70 + z²/4)/(70 + z²) = 1.9599640·√12.1603647/73.8414588 = 0.0925595.
  const w = wilsonInterval(56, 70)!;
  near(w.lower, 0.7843931 - 0.0925595, 2e-7, "56/70 lower");
  near(w.upper, 0.7843931 + 0.0925595, 2e-7, "56/70 upper");
  // 0/10: centre = half = (z²/2)/(10 + z²) = 1.9207294/13.8414588 = 0.1387664, so the limits are 0 and
  // 0.2775328 — Newcombe's method-10 limit for (e) and (f) below.
  const zero = wilsonInterval(0, 10)!;
  assert.equal(zero.lower, 0);
  near(zero.upper, 0.2775328, 1e-7, "0/10 upper");
  near(wilsonInterval(10, 10)!.lower, 1 - 0.2775328, 1e-7, "10/10 lower");
  assert.equal(wilsonInterval(0, 0), null);
  assert.throws(() => wilsonInterval(3, 2), RangeError);
  assert.throws(() => wilsonInterval(1.5, 4), RangeError);
  // A higher level widens the interval.
  const w99 = wilsonInterval(56, 70, 0.99)!;
  assert.ok(w99.lower < w.lower && w99.upper > w.upper);
});

test("newcombeInterval reproduces Newcombe 1998 (Statistics in Medicine 17:873), Table II, method 10", () => {
  // The eight examples of the paper: (x1/n1 − x2/n2) → 95% limits to 4 decimals. Example (a) is
  // 56/70 − 48/80: the difference is 0.8 − 0.6 = 0.2 and the interval 0.0524 to 0.3339.
  const table: Array<[number, number, number, number, number, number]> = [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ];
  for (const [x1, n1, x2, n2, lower, upper] of table) {
    const ci = newcombeInterval(x1, n1, x2, n2)!;
    near(ci.lower, lower, 5e-5, `${x1}/${n1} − ${x2}/${n2} lower`);
    near(ci.upper, upper, 5e-5, `${x1}/${n1} − ${x2}/${n2} upper`);
  }
  // Hand check of (a) from the Wilson limits: l₁, u₁ = 0.6918336, 0.8769526 (56/70); l₂, u₂ =
  // 0.4904547, 0.7003817 (48/80). Lower = 0.2 − √((0.8 − 0.6918336)² + (0.7003817 − 0.6)²) = 0.2 −
  // √(0.0117000 + 0.0100765) = 0.2 − 0.1475685 = 0.0524315.
  near(newcombeInterval(56, 70, 48, 80)!.lower, 0.0524315, 1e-6, "(a) lower by hand");
  // Swapping the groups negates the interval.
  const swapped = newcombeInterval(48, 80, 56, 70)!;
  near(swapped.lower, -0.3338727, 1e-6, "swapped lower");
  assert.equal(newcombeInterval(0, 0, 1, 2), null);
});

test("katzLogInterval: worked by hand, adjusted only with a zero count", () => {
  // 18/100 over 42/100: ratio 3/7 = 0.4285714; var = 1/18 − 1/100 + 1/42 − 1/100 = 0.0593651,
  // z·√var = 1.9599640·0.2436495 = 0.4775442; exp(ln(3/7) ∓ 0.4775442) = 0.2658449, 0.6909045.
  const k = katzLogInterval(18, 100, 42, 100)!;
  assert.equal(k.method, "katz-log");
  near(k.lower, 0.2658449, 1e-7, "lower");
  near(k.upper, 0.6909045, 1e-7, "upper");
  // 0/40 over 12/40: 0.5 is added to each count and size: (0.5/40.5)/(12.5/40.5) = 0.04.
  const adjusted = katzLogInterval(0, 40, 12, 40)!;
  assert.equal(adjusted.method, "katz-log-adjusted");
  assert.ok(adjusted.lower < 0.04 && adjusted.upper > 0.04);
  assert.equal(katzLogInterval(0, 10, 0, 10), null);
  assert.equal(katzLogInterval(1, 10, 0, 0), null);
});

test("Wilson, Newcombe and Katz match statsmodels 0.13.5 to 1e-12 on 53 cases and five levels", () => {
  assert.ok(golden.intervals.length >= 50);
  for (const c of golden.intervals) {
    const what = `${c.x1}/${c.n1} vs ${c.x2}/${c.n2} at ${c.confidence}`;
    const w1 = wilsonInterval(c.x1, c.n1, c.confidence);
    const w2 = wilsonInterval(c.x2, c.n2, c.confidence);
    assert.deepEqual(w1 === null, c.wilson1 === null, what);
    if (w1 && c.wilson1) {
      near(w1.lower, c.wilson1[0], 1e-12, `${what} wilson1 lower`);
      near(w1.upper, c.wilson1[1], 1e-12, `${what} wilson1 upper`);
    }
    if (w2 && c.wilson2) {
      near(w2.lower, c.wilson2[0], 1e-12, `${what} wilson2 lower`);
      near(w2.upper, c.wilson2[1], 1e-12, `${what} wilson2 upper`);
    }
    const n = newcombeInterval(c.x1, c.n1, c.x2, c.n2, c.confidence)!;
    near(n.lower, c.newcombe[0], 1e-12, `${what} newcombe lower`);
    near(n.upper, c.newcombe[1], 1e-12, `${what} newcombe upper`);
    const k = katzLogInterval(c.x1, c.n1, c.x2, c.n2, c.confidence);
    assert.equal(k === null, c.katz === null, what);
    if (k && c.katz) {
      assert.equal(k.method, c.katz.method, what);
      near(k.lower, c.katz.interval[0], 1e-12, `${what} katz lower`);
      near(k.upper, c.katz.interval[1], 1e-12, `${what} katz upper`);
    }
  }
});

test("welchInterval and meanInterval: worked examples checked with scipy", () => {
  // Means 5 and 4, variances 1 and 2, sizes 10 and 12: v = 0.1 + 0.1667, se = 0.5163978,
  // ν = 0.2667²/(0.1²/9 + 0.1667²/11) = 19.5556, t(0.975; 19.5556) = 2.0890068 (scipy), so the limits
  // are 1 ∓ 2.0890068·0.5163978 = 1 ∓ 1.0787585.
  const w = welchInterval({ count: 10, mean: 5, variance: 1 }, { count: 12, mean: 4, variance: 2 })!;
  near(w.degreesOfFreedom, 19.555555555555557, 1e-14, "df");
  near(w.standardError, 0.5163977794943222, 1e-15, "se");
  near(w.lower, -0.07875849246350475, 1e-13, "lower");
  near(w.upper, 2.0787584924635047, 1e-13, "upper");
  // Student: 5 ± t(0.975; 9)·√(1/10) = 5 ± 2.2621572·0.3162278.
  near(meanInterval({ count: 10, mean: 5, variance: 1 })!.lower, 4.284643094029335, 1e-13, "mean lower");
  assert.equal(meanInterval({ count: 1, mean: 5, variance: 0 }), null);
  assert.equal(welchInterval({ count: 3, mean: 1, variance: 0 }, { count: 3, mean: 2, variance: 0 }), null);
  assert.equal(welchInterval({ count: 1, mean: 1, variance: 0 }, { count: 3, mean: 2, variance: 1 }), null);
});
