import { readFile } from "node:fs/promises";
import { cpus } from "node:os";

/**
 * The CPU flags that decide how int8 inference behaves in onnxruntime's MLAS kernels
 * (research notes §1.3, §10.1): without VNNI, x86 multiplies u8×s8 pairs with VPMADDUBSW, which
 * saturates at int16; VNNI (VPDPBUSD) and ARM's dot-product instructions accumulate in int32.
 *
 * @example
 * ```ts
 * if (cpu.flags.avx512Vnni || cpu.flags.avxVnni) console.log("VNNI");
 * ```
 */
export interface CpuFlags {
  readonly avx2: boolean;
  readonly avx512f: boolean;
  /** AVX-512 VNNI (Cascade Lake and later Xeons, AMD Zen 4). */
  readonly avx512Vnni: boolean;
  /** AVX-VNNI, the VEX-encoded form (Alder Lake, Sapphire Rapids, Zen 5). */
  readonly avxVnni: boolean;
  /** Intel AMX int8 tiles (Sapphire Rapids and later). */
  readonly amxInt8: boolean;
  /** ARM dot product (SDOT/UDOT, `asimddp`). */
  readonly asimddp: boolean;
  /** ARM int8 matrix multiply (SMMLA, `i8mm`). */
  readonly i8mm: boolean;
}

/**
 * What {@link parseCpuInfo} learned about the machine.
 *
 * @example
 * ```ts
 * const cpu: CpuFeatures = await readCpuFeatures(); // { arch: "x86", model: "AMD EPYC", logicalCpus: 2, flags }
 * ```
 */
export interface CpuFeatures {
  /** `unknown` when the text named no flags (not Linux, or an unreadable /proc). */
  readonly arch: "x86" | "arm" | "unknown";
  /** The processor's name, e.g. "AMD EPYC 7B13 64-Core Processor", or "unknown CPU". */
  readonly model: string;
  readonly logicalCpus: number;
  readonly flags: CpuFlags;
}

const noFlags: CpuFlags = {
  avx2: false,
  avx512f: false,
  avx512Vnni: false,
  avxVnni: false,
  amxInt8: false,
  asimddp: false,
  i8mm: false,
};

/** ARM's "CPU implementer" and "CPU part" codes for the server cores we are likely to meet. */
const armImplementers: Readonly<Record<string, string>> = {
  "0x41": "ARM",
  "0x61": "Apple",
  "0xc0": "Ampere",
  "0x48": "HiSilicon",
  "0x51": "Qualcomm",
};
const armParts: Readonly<Record<string, string>> = {
  "0xd0c": "Neoverse-N1",
  "0xd40": "Neoverse-V1",
  "0xd49": "Neoverse-N2",
  "0xd4f": "Neoverse-V2",
  "0xd0b": "Cortex-A76",
  "0xd08": "Cortex-A72",
  "0xd03": "Cortex-A53",
};

/**
 * Reads a `/proc/cpuinfo` text (x86 `flags`, ARM `Features`). Pure, so canned texts test it.
 *
 * @example
 * ```ts
 * const cpu = parseCpuInfo("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: sse avx2 avx512_vnni\n");
 * cpu.flags.avx512Vnni; // true
 * ```
 */
export function parseCpuInfo(text: string): CpuFeatures {
  const fields = new Map<string, string>();
  let processors = 0;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "processor") processors += 1;
    // The first processor's entry speaks for all: Linux lists the same flags for every core.
    if (!fields.has(key)) fields.set(key, value);
  }
  const x86 = fields.get("flags");
  const arm = fields.get("features");
  const words = new Set((x86 ?? arm ?? "").split(/\s+/).filter((w) => w !== ""));
  const has = (flag: string) => words.has(flag);
  const arch = x86 !== undefined ? "x86" : arm !== undefined ? "arm" : "unknown";
  const flags: CpuFlags =
    arch === "unknown"
      ? noFlags
      : {
          avx2: has("avx2"),
          avx512f: has("avx512f"),
          avx512Vnni: has("avx512_vnni"),
          avxVnni: has("avx_vnni"),
          amxInt8: has("amx_int8"),
          asimddp: has("asimddp"),
          i8mm: has("i8mm"),
        };
  return { arch, model: modelName(fields), logicalCpus: Math.max(processors, 1), flags };
}

function modelName(fields: ReadonlyMap<string, string>): string {
  const named = fields.get("model name");
  if (named !== undefined && named !== "") return named.replace(/\s+/g, " ");
  const implementer = fields.get("cpu implementer");
  if (implementer !== undefined) {
    const vendor = armImplementers[implementer.toLowerCase()] ?? `ARM implementer ${implementer}`;
    const part = fields.get("cpu part");
    const core = part === undefined ? undefined : (armParts[part.toLowerCase()] ?? `part ${part}`);
    return core === undefined ? vendor : `${vendor} ${core}`;
  }
  return "unknown CPU";
}

/**
 * The machine's CPU features from `/proc/cpuinfo`; elsewhere (macOS, Windows, a sandbox without
 * /proc) an `unknown` description named after `os.cpus()`, which makes the int8 choice conservative.
 *
 * @example
 * ```ts
 * const cpu = await readCpuFeatures();
 * console.log(describeCpu(cpu)); // "AMD EPYC 7B13 64-Core Processor (avx2, avx512f, avx512_vnni)"
 * ```
 */
export async function readCpuFeatures(path = "/proc/cpuinfo"): Promise<CpuFeatures> {
  try {
    return parseCpuInfo(await readFile(path, "utf8"));
  } catch {
    const list = cpus();
    return {
      arch: "unknown",
      model: list[0]?.model.trim() || "unknown CPU",
      logicalCpus: list.length,
      flags: noFlags,
    };
  }
}

/**
 * One line naming the CPU and its int8-relevant flags, printed beside every benchmark figure so a
 * number is never read without the hardware that made it.
 *
 * @example
 * ```ts
 * describeCpu(parseCpuInfo(text)); // "Intel(R) Xeon(R) CPU @ 2.20GHz (avx2; no VNNI)"
 * ```
 */
export function describeCpu(cpu: CpuFeatures): string {
  const f = cpu.flags;
  const names = [
    ["avx2", f.avx2],
    ["avx512f", f.avx512f],
    ["avx512_vnni", f.avx512Vnni],
    ["avx_vnni", f.avxVnni],
    ["amx_int8", f.amxInt8],
    ["asimddp", f.asimddp],
    ["i8mm", f.i8mm],
  ]
    .filter(([, on]) => on)
    .map(([name]) => name as string);
  const vnni = f.avx512Vnni || f.avxVnni || f.amxInt8;
  const tail =
    cpu.arch === "unknown"
      ? "flags unknown"
      : cpu.arch === "x86" && !vnni
        ? [...names, "no VNNI"].join(", ")
        : cpu.arch === "arm" && !f.asimddp
          ? [...names, "no dot product"].join(", ")
          : names.join(", ");
  return `${cpu.model} (${tail})`;
}
