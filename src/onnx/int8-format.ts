import type { CpuFeatures } from "./cpu-features.js";

/**
 * An int8 layout: activation type then weight type (ORT's shorthand).
 *
 * @example
 * ```ts
 * const layout: Int8Layout = chooseInt8Format(cpu).layout; // "U8S8"
 * ```
 */
export type Int8Layout = "U8S8" | "S8S8" | "U8U8";

/**
 * How to quantize for a CPU, and why; the optimizer still measures before it keeps anything.
 *
 * @example
 * ```ts
 * const { activationType, weightType, reduceRange } = chooseInt8Format(cpu);
 * ```
 */
export interface Int8Format {
  readonly layout: Int8Layout;
  readonly activationType: "uint8" | "int8";
  readonly weightType: "int8" | "uint8";
  /**
   * Weights in 7 bits ([-64, 64]), ORT's `reduce_range`: avoids VPMADDUBSW's int16 saturation on
   * x86 without VNNI, at the price of one bit of weight precision.
   */
  readonly reduceRange: boolean;
  /** Other layouts worth measuring on this CPU (the choice is a default, not a verdict). */
  readonly alsoTry: readonly Int8Layout[];
  readonly reason: string;
}

/**
 * Picks the int8 layout for a CPU (research notes §0.2, §1.3, §10.1):
 * - x86 with VNNI (avx512_vnni, avx_vnni, amx_int8): U8S8 at full range. VPDPBUSD multiplies u8 by
 *   s8 and accumulates in int32, so nothing saturates and no conversion is needed; S8S8 (ORT's
 *   documented default) is the alternative to measure.
 * - ARM with dot product (asimddp): S8S8 at full range, SDOT's native form; no saturation on ARM.
 * - x86 with AVX2 or AVX-512 but no VNNI: U8S8 with reduce_range. Measured by `npm run bench --
 *   optimize` (docs/benchmarks.md, "int8 activation layouts"; AMD EPYC, avx2, no VNNI): full-range U8S8
 *   disagrees with fp32 once fused (relative RMSE 0.052 on the digits MLP, 0.123 on the digits CNN, over
 *   the 0.1 check; 3.84 on the research notes' MLP), reduce_range agrees (0.004) as fast (0.36–0.66×
 *   fp32's p50 at batch 64 over two runs), and S8S8 is slower than fp32 itself (1.2–2.7×; the
 *   research notes measured 1.19×), so it is not even worth trying here.
 * - anything else, or unknown flags: U8S8 with reduce_range, the one layout that is correct on
 *   every CPU, only a little less precise where the CPU did not need it.
 *
 * @example
 * ```ts
 * const format = chooseInt8Format(await readCpuFeatures());
 * format.layout; // "U8S8"
 * format.reduceRange; // true on an AVX2 machine without VNNI
 * ```
 */
export function chooseInt8Format(cpu: CpuFeatures): Int8Format {
  const f = cpu.flags;
  if (cpu.arch === "x86" && (f.avx512Vnni || f.avxVnni || f.amxInt8))
    return {
      layout: "U8S8",
      activationType: "uint8",
      weightType: "int8",
      reduceRange: false,
      alsoTry: ["S8S8"],
      reason: "VNNI accumulates u8×s8 in int32 without saturation: full-range U8S8",
    };
  if (cpu.arch === "arm" && f.asimddp)
    return {
      layout: "S8S8",
      activationType: "int8",
      weightType: "int8",
      reduceRange: false,
      alsoTry: ["U8U8"],
      reason: "ARM dot product (SDOT) accumulates s8×s8 in int32: full-range S8S8",
    };
  if (cpu.arch === "x86" && (f.avx2 || f.avx512f))
    return {
      layout: "U8S8",
      activationType: "uint8",
      weightType: "int8",
      reduceRange: true,
      alsoTry: ["U8U8"],
      reason:
        "x86 without VNNI multiplies u8×s8 pairs into int16 (VPMADDUBSW), which saturates: 7-bit weights (reduce_range); S8S8 measured slower than fp32 here",
    };
  return {
    layout: "U8S8",
    activationType: "uint8",
    weightType: "int8",
    reduceRange: true,
    alsoTry: [],
    reason:
      cpu.arch === "unknown"
        ? "CPU flags unknown: 7-bit weights (reduce_range) are correct on every CPU"
        : "no int8 dot-product instructions found: 7-bit weights (reduce_range) are correct everywhere; int8 may not be faster here",
  };
}
