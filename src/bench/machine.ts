import { cpus, totalmem } from "node:os";

/**
 * One line naming the machine a benchmark ran on, for docs/benchmarks.md.
 *
 * @example
 * ```ts
 * machineLine(); // "Intel(R) Xeon(R) … × 2 cores, 24 GiB, Node v20.20.2, linux x64"
 * ```
 */
export function machineLine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? "unknown CPU"} × ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform} ${process.arch}`;
}
