import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Where the procfs collectors read from.
 *
 * @example
 * ```ts
 * new CpuCollector({ procPath: "/host/proc" }); // a container watching its host
 * ```
 */
export interface ProcOptions {
  /** The procfs mount; `/proc` unless the process sees its host's procfs elsewhere. */
  readonly procPath?: string;
}

/**
 * Reads one procfs file as text.
 *
 * @example
 * ```ts
 * const stat = await readProc("/proc", "stat");
 * ```
 */
export function readProc(procPath: string, file: string): Promise<string> {
  return readFile(join(procPath, file), "utf8");
}
