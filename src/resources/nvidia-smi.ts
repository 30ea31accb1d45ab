/**
 * Reading `nvidia-smi --query-gpu … --format=csv,noheader,nounits`. Pure: the collector (`gpu.ts`)
 * runs the command; this file turns its output into DCGM-exporter-like samples.
 *
 * nvidia-smi prints one line per GPU, the fields in query order, separated by `", "`, unquoted, with
 * no units. A field the GPU or driver cannot report prints as `[N/A]` (older drivers: `N/A`) or
 * `[Not Supported]`; other bracketed values (`[Unknown Error]`, `[GPU is lost]`,
 * `[Insufficient Permissions]`) mean the same for us: no value, not zero.
 */
import type { MetricDefinition } from "./metric-definition.js";
import { sampleOf } from "./metric-definition.js";
import type { ResourceSample } from "./port.js";

/**
 * The fields the GPU collector asks for, in order.
 *
 * @example
 * ```ts
 * gpuQueryFields.join(","); // "index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw"
 * ```
 */
export const gpuQueryFields = [
  "index",
  "uuid",
  "name",
  "utilization.gpu",
  "memory.used",
  "memory.total",
  "temperature.gpu",
  "power.draw",
] as const;

/**
 * The arguments the GPU collector passes to `nvidia-smi`.
 *
 * @example
 * ```ts
 * execFile("nvidia-smi", nvidiaSmiArgs, { timeout: 5_000 }, callback);
 * ```
 */
export const nvidiaSmiArgs: readonly string[] = [
  `--query-gpu=${gpuQueryFields.join(",")}`,
  "--format=csv,noheader,nounits",
];

/**
 * True for a cell that holds no value: `[N/A]`, `N/A`, `[Not Supported]`, any other bracketed
 * message, or nothing.
 *
 * @example
 * ```ts
 * isMissingCell("[N/A]"); // true
 * isMissingCell("41"); // false
 * ```
 */
export function isMissingCell(cell: string): boolean {
  const text = cell.trim();
  return text === "" || text === "N/A" || text === "Not Supported" || /^\[.*\]$/.test(text);
}

/**
 * One line of `--format=csv,noheader` output, by field name; a missing cell is `undefined`.
 *
 * @example
 * ```ts
 * const row: NvidiaSmiRow = { index: "0", "power.draw": undefined };
 * ```
 */
export type NvidiaSmiRow = Readonly<Record<string, string | undefined>>;

/**
 * Splits `--format=csv,noheader[,nounits]` output into rows by the field names it was queried with.
 * nvidia-smi does not quote, so a product name with `", "` in it would add cells: when a line has
 * more cells than fields and `name` is one of them, the extra cells are joined back into the name
 * (it is the only free-text field). A line with fewer cells is a problem, not a row.
 *
 * @example
 * ```ts
 * parseNvidiaSmiCsv("0, NVIDIA H100 80GB HBM3, [N/A]\n", ["index", "name", "power.draw"]).rows;
 * // [{ index: "0", name: "NVIDIA H100 80GB HBM3", "power.draw": undefined }]
 * ```
 */
export function parseNvidiaSmiCsv(
  text: string,
  fields: readonly string[],
): { rows: NvidiaSmiRow[]; problems: string[] } {
  const rows: NvidiaSmiRow[] = [];
  const problems: string[] = [];
  const nameAt = fields.indexOf("name");
  for (const [lineIndex, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    let cells = line.split(",").map((cell) => cell.trim());
    const extra = cells.length - fields.length;
    if (extra > 0 && nameAt >= 0) {
      const name = cells.slice(nameAt, nameAt + extra + 1).join(", ");
      cells = [...cells.slice(0, nameAt), name, ...cells.slice(nameAt + extra + 1)];
    }
    if (cells.length !== fields.length) {
      problems.push(`line ${lineIndex + 1}: ${cells.length} fields, expected ${fields.length}: "${line}"`);
      continue;
    }
    const row: Record<string, string | undefined> = {};
    fields.forEach((field, i) => {
      const cell = cells[i]!;
      row[field] = isMissingCell(cell) ? undefined : cell;
    });
    rows.push(row);
  }
  return { rows, problems };
}

/**
 * One GPU's reading, in nvidia-smi's units. A field the GPU did not report is absent.
 *
 * @example
 * ```ts
 * const h100: GpuReading = {
 *   index: "0", uuid: "GPU-…", name: "NVIDIA H100 80GB HBM3",
 *   utilizationPercent: 100, memoryUsedMiB: 19818, memoryTotalMiB: 81559, temperatureCelsius: 59, powerWatts: 631.95,
 * };
 * ```
 */
export interface GpuReading {
  readonly index: string;
  readonly uuid: string;
  readonly name: string;
  readonly utilizationPercent?: number;
  readonly memoryUsedMiB?: number;
  readonly memoryTotalMiB?: number;
  readonly temperatureCelsius?: number;
  readonly powerWatts?: number;
}

/**
 * A numeric cell; units are tolerated (`"81559 MiB"`, `"69.85 W"`, `"0 %"`) so the parser also
 * reads output captured without `nounits`.
 *
 * @example
 * ```ts
 * numericCell("69.85 W"); // 69.85
 * numericCell(undefined); // undefined
 * ```
 */
export function numericCell(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)\s*(?:%|MiB|W|C|MHz)?$/.exec(cell.trim());
  return match === null ? undefined : Number(match[1]);
}

/**
 * GPU readings from the output of the collector's query ({@link gpuQueryFields}). Rows without an
 * index or UUID cannot be labelled and are problems; a numeric field that does not read as a
 * number is left out and reported.
 *
 * @example
 * ```ts
 * parseGpuReadings("0, GPU-00000000-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, [N/A], 59, 81559, 42, 71.15\n").gpus[0]!.utilizationPercent;
 * // undefined (MIG mode)
 * ```
 */
export function parseGpuReadings(text: string): { gpus: GpuReading[]; problems: string[] } {
  const { rows, problems } = parseNvidiaSmiCsv(text, gpuQueryFields);
  const gpus: GpuReading[] = [];
  for (const row of rows) {
    const index = row.index;
    const uuid = row.uuid;
    if (index === undefined || uuid === undefined) {
      problems.push(`a GPU without index or UUID: ${JSON.stringify(row)}`);
      continue;
    }
    const reading: {
      -readonly [K in keyof GpuReading]: GpuReading[K];
    } = { index, uuid, name: row.name ?? "" };
    const numbers = [
      ["utilization.gpu", "utilizationPercent"],
      ["memory.used", "memoryUsedMiB"],
      ["memory.total", "memoryTotalMiB"],
      ["temperature.gpu", "temperatureCelsius"],
      ["power.draw", "powerWatts"],
    ] as const;
    for (const [field, key] of numbers) {
      const cell = row[field];
      const value = numericCell(cell);
      if (value !== undefined) reading[key] = value;
      else if (cell !== undefined) problems.push(`GPU ${index}: ${field} "${cell}" is not a number`);
    }
    gpus.push(reading);
  }
  return { gpus, problems };
}

/**
 * The GPU metrics: DCGM exporter's field names and units (not Prometheus base units), so that
 * dashboards and alerts written for DCGM exporter (Grafana 12239) work unchanged. `FB_USED` and
 * `FB_TOTAL` are in MiB (2^20 bytes) as DCGM reports them; `GPU_UTIL` in percent; `GPU_TEMP` in
 * °C; `POWER_USAGE` in watts. The window summary converts to ratios.
 *
 * @example
 * ```ts
 * gpuMetrics.memoryUsed.metric; // "DCGM_FI_DEV_FB_USED"
 * ```
 */
export const gpuMetrics = {
  utilization: { metric: "DCGM_FI_DEV_GPU_UTIL", type: "gauge", help: "GPU utilization (in %)." },
  memoryUsed: { metric: "DCGM_FI_DEV_FB_USED", type: "gauge", help: "Framebuffer memory used (in MiB)." },
  memoryTotal: {
    metric: "DCGM_FI_DEV_FB_TOTAL",
    type: "gauge",
    help: "Framebuffer memory total (in MiB).",
  },
  temperature: { metric: "DCGM_FI_DEV_GPU_TEMP", type: "gauge", help: "GPU temperature (in C)." },
  power: { metric: "DCGM_FI_DEV_POWER_USAGE", type: "gauge", help: "Power draw (in W)." },
} as const satisfies Record<string, MetricDefinition>;

/**
 * Samples for GPU readings, labelled `{gpu, uuid, modelName}` as DCGM exporter labels them; a
 * field the GPU did not report gives no sample (never a zero).
 *
 * @example
 * ```ts
 * gpuSamples(parseGpuReadings(stdout).gpus);
 * ```
 */
export function gpuSamples(gpus: readonly GpuReading[]): ResourceSample[] {
  const samples: ResourceSample[] = [];
  for (const gpu of gpus) {
    const labels = { gpu: gpu.index, uuid: gpu.uuid, modelName: gpu.name };
    const add = (definition: MetricDefinition, value: number | undefined) => {
      if (value !== undefined) samples.push(sampleOf(definition, value, labels));
    };
    add(gpuMetrics.utilization, gpu.utilizationPercent);
    add(gpuMetrics.memoryUsed, gpu.memoryUsedMiB);
    add(gpuMetrics.memoryTotal, gpu.memoryTotalMiB);
    add(gpuMetrics.temperature, gpu.temperatureCelsius);
    add(gpuMetrics.power, gpu.powerWatts);
  }
  return samples;
}
