import { decodeModel } from "../onnx/index.js";
import type { Candidate, Technique } from "./technique.js";

/**
 * A technique that runs `second` on every candidate of `first` (prune then quantize, distil then
 * quantize): the second sees the first's model as its baseline, with the same training rows. Each
 * combined candidate names both steps and carries both sets of notes; a correctness verdict of either
 * step is kept (the second's when it has one). When the first produces nothing, the combination skips
 * with the first's reasons.
 *
 * @example
 * ```ts
 * const pruneThenQuantize = combineTechniques(structuredPruneTechnique(), quantizeTechnique({ calibration: "entropy" }));
 * ```
 */
export function combineTechniques(first: Technique, second: Technique): Technique {
  const name = `${first.name}+${second.name}`;
  return {
    name,
    async run(context) {
      const firstRun = await first.run(context);
      const candidates: Candidate[] = [];
      const skipped = firstRun.skipped.map((reason) => `${first.name}: ${reason}`);
      for (const base of firstRun.candidates) {
        if (base.correctness !== undefined && !base.correctness.ok) {
          skipped.push(
            `${base.technique} failed its correctness check: ${base.correctness.reasons.join("; ")}`,
          );
          continue;
        }
        const secondRun = await second.run({ ...context, model: decodeModel(base.bytes), bytes: base.bytes });
        for (const reason of secondRun.skipped)
          skipped.push(`${second.name} after ${base.technique}: ${reason}`);
        for (const next of secondRun.candidates)
          candidates.push({
            technique: `${base.technique}+${next.technique}`,
            label: `${base.label}, then ${next.label}`,
            bytes: next.bytes,
            notes: [...base.notes, ...next.notes],
            parameters: { [base.technique]: base.parameters, [next.technique]: next.parameters },
            ...(next.correctness !== undefined
              ? { correctness: next.correctness }
              : base.correctness !== undefined
                ? { correctness: base.correctness }
                : {}),
          });
      }
      return { candidates, skipped };
    },
  };
}
