/**
 * Pure numerics: no I/O, no clock. Every function takes arrays and returns numbers or plain objects.
 */
export { binCountsSorted, countAtMost, referenceQuantileEdges } from "./binning.js";
export { type ChiSquareResult, chiSquareHomogeneity } from "./chi-square.js";
export { chiSquareSf, gammaQ, logGamma } from "./gamma.js";
export { jensenShannonDistance } from "./jensen-shannon.js";
export { kolmogorovSf, kstwoSf, smirnovSf } from "./kolmogorov.js";
export {
  KS_MAX_AUTO_N,
  type KsMode,
  type KsResult,
  ksFromStatistic,
  ksStatisticSorted,
  ksTwoSample,
} from "./ks.js";
export { type Correction, type CorrectionResult, correct, corrections } from "./multiple-testing.js";
export { PSI_MIN_SHARE, psi } from "./psi.js";
export { quantileSorted } from "./quantile.js";
export { type RandomState, randomFromState, type SeededRandom, seededRandom } from "./random.js";
export { sortedFinite } from "./sort.js";
export { type KsWasserstein, ksWassersteinSorted } from "./two-sample.js";
export { float32FromBase64, float64ArrayFromBase64, typedToBase64, uint8FromBase64 } from "./typed-base64.js";
export {
  populationStd,
  WASSERSTEIN_MIN_STD,
  wassersteinNormedSorted,
  wassersteinSorted,
} from "./wasserstein.js";
