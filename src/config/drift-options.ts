/**
 * The drift section of the settings as the drift engine's options: the server builds every drift
 * run's options here, so the configuration is their one source of truth.
 */
import type { DriftOptions } from "../drift/options.js";
import type { Settings } from "./settings.js";

/**
 * The drift engine's options for one model's settings (from `resolveModelConfig`):
 * `significance` → `alpha`, `wasserstein.threshold` → `wassersteinThreshold`, and so on; the seed's
 * `ks_test` has already become `auto`. Every field of {@link DriftOptions} is set, so the engine's own
 * defaults never silently apply instead of the file's.
 *
 * @example
 * ```ts
 * const options = toDriftOptions(resolveModelConfig(config, "bike"));
 * const report = analyzeDrift(reference, current, { ...options, target: "cnt" });
 * ```
 */
export function toDriftOptions(settings: Settings): DriftOptions {
  const drift = settings.metrics.drift;
  return {
    method: drift.method,
    alpha: drift.significance,
    correction: drift.correction,
    ksMode: drift.ks_mode,
    wassersteinThreshold: drift.wasserstein.threshold,
    jensenShannonThreshold: drift.jensenshannon.threshold,
    psiWarning: drift.psi.warning,
    psiCritical: drift.psi.critical,
    emergencyShare: drift.emergency_share,
    categoricalMaxDistinct: drift.categorical_max_distinct,
  };
}
