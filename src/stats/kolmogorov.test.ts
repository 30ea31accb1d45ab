import assert from "node:assert/strict";
import { test } from "node:test";
import { closeTo } from "../testing/golden.js";
import { kolmogorovSf, kstwoSf, smirnovSf } from "./kolmogorov.js";

// Golden values from the reference implementation: each was printed with repr() by Debian's
// python3-scipy 1.10.1 (/usr/bin/python3), the expression named in the comment of its row.
// They cover every branch of kstwo's algorithm selection and of cephes' smirnov.

/** [d, n, expected] — `scipy.stats.kstwo.sf(d, n)`; `branch` names the code path it exercises. */
const KSTWO_GOLDEN: ReadonlyArray<readonly [d: number, n: number, expected: number, branch: string]> = [
  [0.3, 1, 1.0, "d <= 1/(2n): below the support"],
  [0.05, 10, 1.0, "d <= 1/(2n): below the support"],
  [1.0, 10, 0.0, "d >= 1: above the support"],
  [0.7, 1, 0.6000000000000001, "t = nd <= 1, n <= 140: Ruben-Gambino product"],
  [0.08, 10, 0.9999978058034054, "t <= 1, n <= 140: Ruben-Gambino product"],
  [0.0009, 1000, 1.0, "t <= 1, n > 140: Ruben-Gambino via Stirling"],
  [0.95, 10, 1.9531250000000172e-13, "t >= n - 1: 2(1-d)^n"],
  [0.6, 10, 0.0005681672000000003, "d >= 0.5: 2*smirnov"],
  [0.5, 200, 9.256385411205685e-47, "d >= 0.5: 2*smirnov"],
  [0.5, 141, 4.034017661079683e-33, "d >= 0.5: 2*smirnov"],
  [0.1, 50, 0.6623112704658186, "n <= 140, nd^2 <= 0.754693: Durbin matrix"],
  [0.2, 50, 0.03143877776953241, "n <= 140, nd^2 <= 4: Pomeranz"],
  [0.15, 140, 0.0032495604415101703, "n <= 140, nd^2 <= 4: Pomeranz"],
  [0.3, 100, 1.7719869892662917e-8, "n <= 140, nd^2 > 4: 2*smirnov"],
  [0.3, 5000, 0.0, "n > 140, nd^2 >= 370: 0"],
  [0.1, 1000, 3.703687096817711e-9, "n > 140, nd^2 >= 2.2: 2*smirnov"],
  [0.27, 3000, 1.17988771125459e-193, "n > 140, nd^2 >= 2.2: 2*smirnov, tiny tail"],
  [0.3, 4000, 9.1916e-320, "n > 140, nd^2 >= 2.2: 2*smirnov, subnormal tail"],
  [0.004, 200000, 0.003314212822560255, "n > 140, nd^2 >= 2.2: 2*smirnov, large n"],
  [0.01, 1000, 0.9999496745370611, "n > 140, n d^1.5 <= 1.4: 1 - Durbin matrix"],
  [0.001, 100000, 0.9999638407940036, "n = 100000, n d^1.5 <= 1.4: 1 - Durbin matrix"],
  [0.04, 1000, 0.07933956059000224, "n > 140, n d^1.5 > 1.4: 1 - Pelz-Good"],
  [0.0045, 100000, 0.034739868616438185, "n > 140, n d^1.5 > 1.4: 1 - Pelz-Good"],
  [0.002, 200000, 0.39995085369038097, "n > 100000: 1 - Pelz-Good"],
];

test("kstwoSf matches scipy.stats.kstwo.sf(d, n) on every branch", () => {
  for (const [d, n, expected, branch] of KSTWO_GOLDEN) {
    const actual = kstwoSf(d, n);
    // Relative 1e-12 everywhere, including the 1e-193 and subnormal 9e-320 tails (no absolute slack);
    // 1e-8 from n = 20,000 on, where the Smirnov sum runs in plain doubles (see smirnovSumFromPeak).
    assert.ok(
      closeTo(actual, expected, n >= 20000 ? 1e-8 : 1e-12, 0),
      `kstwo.sf(${d}, ${n}) [${branch}]: ${actual} vs ${expected}`,
    );
  }
});

test("kstwoSf follows rv_continuous.sf outside the valid domain", () => {
  assert.ok(Number.isNaN(kstwoSf(0.3, 0)), "n = 0 is not a valid shape");
  assert.ok(Number.isNaN(kstwoSf(0.3, 2.5)), "n must be an integer");
  assert.ok(Number.isNaN(kstwoSf(Number.NaN, 10)));
  assert.equal(kstwoSf(0, 10), 1);
  assert.equal(kstwoSf(-1, 10), 1);
  assert.equal(kstwoSf(2, 10), 0);
});

test("kstwoSf is a survival function: non-increasing in d and within [0, 1]", () => {
  for (const n of [3, 20, 140, 141, 1000, 20000]) {
    let previous = 1;
    for (let i = 0; i <= 200; i++) {
      const d = i / 200;
      const p = kstwoSf(d, n);
      assert.ok(p >= 0 && p <= 1, `n=${n} d=${d}: ${p}`);
      // Tolerate rounding noise where two algorithms meet.
      assert.ok(p <= previous * (1 + 1e-9) + 1e-15, `n=${n} d=${d}: ${p} > ${previous}`);
      previous = p;
    }
  }
});

/** [n, d, expected] — `scipy.special.smirnov(n, d)`. */
const SMIRNOV_GOLDEN: ReadonlyArray<readonly [n: number, d: number, expected: number, branch: string]> = [
  [1, 0.3, 0.7, "n = 1: 1 - d"],
  [10, 0.0, 1.0, "d = 0"],
  [10, 1.0, 0.0, "d = 1"],
  [10, 0.05, 0.9224335892010742, "d < 1/n: closed form"],
  [10, 0.1, 0.7642052309, "d = 0.1: 10·0.1 is just above 1 in exact arithmetic, so the sum"],
  [1000, 0.62, 0.0, "-2nd^2 < MINLOG: underflow"],
  [10, 0.95, 9.765625000000086e-14, "d >= 1 - 1/n: (1-d)^n"],
  [2000000, 0.001, 0.018303432023617325, "n > 1e6: asymptotic"],
  [100, 0.025, 0.8681674982884928, "upper (alternating) sum"],
  [50, 0.2, 0.01571942744940561, "lower sum, n < 1013"],
  [5, 0.5, 0.056, "lower sum (scipy docstring)"],
  [20, 0.5, 1.893797620269516e-5, "lower sum"],
  [1000, 0.2, 7.764314602125269e-36, "lower sum, n = 1000"],
  [500, 0.5, 2.0566399790908278e-116, "lower sum, tiny tail"],
  [2000, 0.41, 7.433819224243748e-305, "lower sum, tail below 1e-300"],
  [1000, 0.58, 4.5666e-320, "lower sum, subnormal tail"],
  [1000, 0.6, 0.0, "lower sum, terms underflow"],
  [100000, 0.01, 2.046639011774627e-9, "lower sum, large n"],
];

test("smirnovSf matches scipy.special.smirnov(n, d) on every branch", () => {
  for (const [n, d, expected, branch] of SMIRNOV_GOLDEN) {
    const actual = smirnovSf(n, d);
    // From n = 20,000 on the sum runs in plain doubles: 1e-8 relative instead of double-double's 1e-13.
    assert.ok(
      closeTo(actual, expected, n >= 20000 && n <= 1000000 ? 1e-8 : 1e-13, 0),
      `smirnov(${n}, ${d}) [${branch}]: ${actual} vs ${expected}`,
    );
  }
  assert.ok(Number.isNaN(smirnovSf(10, 1.5)));
  assert.ok(Number.isNaN(smirnovSf(0, 0.5)));
  assert.ok(Number.isNaN(smirnovSf(10, Number.NaN)));
});

test("scipy docstring examples: smirnov(5, [0, 0.5, 1]) and the N(0,1) sample of size 5", () => {
  // >>> smirnov(5, [0, 0.5, 1.0])  ->  array([ 1.   ,  0.056,  0.   ])
  assert.equal(smirnovSf(5, 0), 1);
  assert.ok(closeTo(smirnovSf(5, 0.5), 0.056, 1e-14, 0));
  assert.equal(smirnovSf(5, 1), 0);
  // Prob(Dn- >= 0.246306) = 0.4711, Prob(Dn+ >= 0.224655) = 0.5245 (printed to 4 decimals)
  assert.equal(smirnovSf(5, 0.246306).toFixed(4), "0.4711");
  assert.equal(smirnovSf(5, 0.224655).toFixed(4), "0.5245");
});

test("kolmogorovSf matches scipy.special.kolmogorov (docstring values and both series)", () => {
  // >>> kolmogorov([0, 0.5, 1.0])  ->  array([ 1.        ,  0.96394524,  0.26999967])
  // The full-precision values are repr(float(scipy.special.kolmogorov(x))) from scipy 1.10.1.
  const golden: ReadonlyArray<readonly [number, number]> = [
    [0, 1.0],
    [0.03, 1.0],
    [0.5, 0.9639452436648751],
    [0.82, 0.5119717052984973],
    [1.0, 0.26999967167735456],
    [2.0, 0.0006709252557796953],
    [10.0, 2.767793053473475e-87],
  ];
  for (const [x, expected] of golden) {
    assert.ok(closeTo(kolmogorovSf(x), expected, 1e-14, 0), `kolmogorov(${x}): ${kolmogorovSf(x)}`);
  }
});

test("large-sample kstwo agrees with the Kolmogorov limit", () => {
  // sqrt(n)·D_n → Kolmogorov's distribution; at n = 1e5 they agree to about 1/sqrt(n).
  const n = 100000;
  for (const y of [0.8, 1.0, 1.36, 1.8]) {
    const exact = kstwoSf(y / Math.sqrt(n), n);
    assert.ok(Math.abs(exact - kolmogorovSf(y)) < 5e-3, `y=${y}: ${exact} vs ${kolmogorovSf(y)}`);
  }
});

test("the large-n Smirnov sum agrees with scipy across the regime where the two-sided sf uses it", () => {
  // scipy.special.smirnov(n, x) with x = sqrt(c/n), computed with Debian's scipy 1.10.1.
  const golden: ReadonlyArray<readonly [n: number, x: number, expected: number]> = [
    [20000, Math.sqrt(2.2 / 20000), 0.012191077677545344],
    [100000, Math.sqrt(50 / 100000), 3.6253208232474205e-44],
    [500000, Math.sqrt(4.5 / 500000), 0.00012316150619593377],
    [500000, Math.sqrt(200 / 500000), 1.8240983275882102e-174],
    [1000000, Math.sqrt(1 / 1000000), 0.1352450897649141],
    [1000000, Math.sqrt(50 / 1000000), 3.698550745820672e-44],
  ];
  for (const [n, x, expected] of golden)
    assert.ok(
      closeTo(smirnovSf(n, x), expected, 1e-7, 0),
      `smirnov(${n}, ${x}): ${smirnovSf(n, x)} vs ${expected}`,
    );
});
