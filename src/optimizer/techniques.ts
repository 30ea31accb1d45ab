import { TikTokToeError } from "../errors/index.js";
import { combineTechniques } from "./combine.js";
import { distillTechnique } from "./distill.js";
import { pruneTechnique, structuredPruneTechnique } from "./prune.js";
import { quantizeTechnique } from "./quantize.js";
import type { Technique } from "./technique.js";

/**
 * The technique registry: `--techniques` names, in the order they run.
 *
 * The single techniques, then the combinations the issue asks for (prune then quantize, distil then
 * quantize): each combination re-runs its first step, so it costs the sum of both.
 */
export const techniqueNames = [
  "quantize",
  "prune",
  "prune-structured",
  "distill",
  "prune-structured+quantize",
  "distill+quantize",
] as const;

/**
 * A registered technique's name.
 *
 * @example
 * ```ts
 * const name: TechniqueName = "prune-structured";
 * ```
 */
export type TechniqueName = (typeof techniqueNames)[number];

/**
 * The settings the CLI passes to the techniques (`--calibration`, `--sparsity`, `--temperature`).
 *
 * @example
 * ```ts
 * const settings: TechniqueSettings = { calibration: "entropy", sparsity: 0.7, temperature: 2 };
 * ```
 */
export interface TechniqueSettings {
  readonly calibration: "entropy" | "minmax" | "percentile";
  readonly sparsity: number;
  readonly temperature: number;
}

/** The seed's defaults: entropy calibration, sparsity 0.7, temperature 2. */
export const DEFAULT_TECHNIQUE_SETTINGS: TechniqueSettings = {
  calibration: "entropy",
  sparsity: 0.7,
  temperature: 2,
};

const quantize = (s: TechniqueSettings) => quantizeTechnique({ calibration: s.calibration });
const structured = (s: TechniqueSettings) => structuredPruneTechnique({ sparsity: s.sparsity });
const distill = (s: TechniqueSettings) => distillTechnique({ temperature: s.temperature });

const registry: Readonly<Record<TechniqueName, ((settings: TechniqueSettings) => Technique) | undefined>> = {
  quantize,
  prune: (s) => pruneTechnique({ sparsity: s.sparsity }),
  "prune-structured": structured,
  distill,
  "prune-structured+quantize": (s) => combineTechniques(structured(s), quantize(s)),
  "distill+quantize": (s) => combineTechniques(distill(s), quantize(s)),
};

/**
 * Resolves `--techniques` names: `all` (every registered name), `none` (the baseline only), or a
 * list. An unknown name is USAGE naming the known ones; a known one not built in is returned in
 * `unavailable` with the reason, so the run still reports it.
 *
 * @example
 * ```ts
 * const { techniques, unavailable } = resolveTechniques(["quantize"], DEFAULT_TECHNIQUE_SETTINGS);
 * ```
 */
export function resolveTechniques(
  names: readonly string[] | "all",
  settings: TechniqueSettings,
): { techniques: Technique[]; unavailable: { technique: string; reason: string }[] } {
  const wanted: readonly string[] =
    names === "all" ? techniqueNames : names.length === 1 && names[0] === "none" ? [] : names;
  const techniques: Technique[] = [];
  const unavailable: { technique: string; reason: string }[] = [];
  for (const name of new Set(wanted)) {
    if (!(techniqueNames as readonly string[]).includes(name))
      throw new TikTokToeError(
        "USAGE",
        `unknown technique "${name}"; known: ${techniqueNames.join(", ")}, or none (the baseline only)`,
        { path: "--techniques" },
      );
    const factory = registry[name as TechniqueName];
    if (factory === undefined) unavailable.push({ technique: name, reason: "not available in this build" });
    else techniques.push(factory(settings));
  }
  return { techniques, unavailable };
}
