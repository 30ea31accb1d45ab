import assert from "node:assert/strict";
import { test } from "node:test";
import { closeTo, loadScipyExtraGolden } from "../testing/golden.js";
import { binCountsSorted, referenceQuantileEdges } from "./binning.js";
import { chiSquareHomogeneity } from "./chi-square.js";
import { chiSquareSf, gammaQ, logGamma } from "./gamma.js";
import { jensenShannonDistance } from "./jensen-shannon.js";
import { psi } from "./psi.js";
import { sortedFinite } from "./sort.js";

const golden = loadScipyExtraGolden();
const sorted = (values: number[]) => sortedFinite(Float64Array.from(values));

test("decile edges and bin counts match numpy.quantile + searchsorted for all numeric cases", () => {
  for (const c of golden.numeric) {
    const ref = sorted(c.reference);
    const edges = referenceQuantileEdges(ref, 10);
    for (let i = 0; i < 9; i++) assert.ok(closeTo(edges[i]!, c.edges[i]!, 1e-12, 1e-12), `${c.id} edge ${i}`);
    assert.deepEqual([...binCountsSorted(ref, edges)], c.reference_counts, c.id);
    assert.deepEqual([...binCountsSorted(sorted(c.current), edges)], c.current_counts, c.id);
  }
});

test("PSI matches the generator's numpy computation (numeric and categorical)", () => {
  for (const c of golden.numeric) {
    const value = psi(Float64Array.from(c.reference_counts), Float64Array.from(c.current_counts));
    assert.ok(closeTo(value, c.psi, 1e-12, 1e-12), `${c.id}: ${value} vs ${c.psi}`);
  }
  for (const c of golden.categorical) {
    const value = psi(Float64Array.from(c.reference_counts), Float64Array.from(c.current_counts));
    assert.ok(closeTo(value, c.psi, 1e-12, 1e-12), `${c.id}: ${value} vs ${c.psi}`);
  }
});

test("Jensen-Shannon distance matches scipy.spatial.distance.jensenshannon", () => {
  for (const c of [...golden.numeric, ...golden.categorical]) {
    const value = jensenShannonDistance(
      Float64Array.from(c.reference_counts),
      Float64Array.from(c.current_counts),
    );
    assert.ok(closeTo(value, c.jensenshannon, 1e-9, 1e-12), `${c.id}: ${value} vs ${c.jensenshannon}`);
  }
  assert.ok(
    closeTo(
      jensenShannonDistance(new Float64Array([1, 0]), new Float64Array([0, 1])),
      Math.sqrt(Math.LN2),
      1e-15,
      0,
    ),
  );
});

test("chi-square test of homogeneity matches scipy.stats.chi2_contingency(correction=False)", () => {
  for (const c of golden.categorical) {
    const result = chiSquareHomogeneity(
      Float64Array.from(c.reference_counts),
      Float64Array.from(c.current_counts),
    );
    assert.equal(result.dof, c.chi2_dof, c.id);
    assert.ok(closeTo(result.statistic, c.chi2_statistic, 1e-9, 1e-9), `${c.id} statistic`);
    assert.ok(
      closeTo(result.pValue, c.chi2_pvalue, 1e-6, 1e-12),
      `${c.id}: ${result.pValue} vs ${c.chi2_pvalue}`,
    );
  }
});

test("chi-square survival function matches scipy.stats.chi2.sf down to the smallest doubles", () => {
  for (const { x, dof, sf } of golden.chi2_sf) {
    const value = chiSquareSf(x, dof);
    assert.ok(closeTo(value, sf, 1e-9, 1e-300), `chi2.sf(${x}, ${dof}) = ${value}, scipy ${sf}`);
  }
});

test("log-gamma and Q(a, x) at hand-checked points", () => {
  assert.ok(closeTo(logGamma(5), Math.log(24), 1e-14, 0));
  assert.ok(closeTo(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14, 0));
  assert.ok(closeTo(gammaQ(1, 2), Math.exp(-2), 1e-14, 0));
  assert.equal(gammaQ(3, 0), 1);
});
