/**
 * How the learning rate changes with the epoch: `constant`; `step` (× γ every `everyEpochs`);
 * `cosine` (from the base rate down to `floor` × base over `epochs`, then held). Data, not a function,
 * so a trainer's options serialise.
 *
 * @example
 * ```ts
 * const schedule: LearningRateSchedule = { kind: "step", everyEpochs: 10, gamma: 0.5 };
 * ```
 */
export type LearningRateSchedule =
  | { readonly kind: "constant" }
  | { readonly kind: "step"; readonly everyEpochs: number; readonly gamma: number }
  | { readonly kind: "cosine"; readonly epochs: number; readonly floor?: number };

/**
 * The learning rate for `epoch` (0-based) under `schedule`.
 *
 * @example
 * ```ts
 * scheduledRate(0.1, { kind: "step", everyEpochs: 10, gamma: 0.5 }, 25); // 0.025
 * scheduledRate(0.1, { kind: "cosine", epochs: 10 }, 5); // 0.05
 * ```
 */
export function scheduledRate(base: number, schedule: LearningRateSchedule, epoch: number): number {
  switch (schedule.kind) {
    case "constant":
      return base;
    case "step":
      return base * schedule.gamma ** Math.floor(epoch / schedule.everyEpochs);
    case "cosine": {
      const floor = schedule.floor ?? 0;
      const progress = Math.min(epoch, schedule.epochs) / schedule.epochs;
      return base * (floor + ((1 - floor) * (1 + Math.cos(Math.PI * progress))) / 2);
    }
  }
}
