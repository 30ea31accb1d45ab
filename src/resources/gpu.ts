import { execFile } from "node:child_process";
import { gpuSamples, nvidiaSmiArgs, parseGpuReadings } from "./nvidia-smi.js";
import { type Collector, type CollectResult, collectResult } from "./port.js";

/**
 * How the GPU collector runs nvidia-smi.
 *
 * @example
 * ```ts
 * new GpuCollector({ command: "/usr/bin/nvidia-smi", timeoutMs: 3_000 });
 * ```
 */
export interface GpuCollectorOptions {
  /** The executable, looked up on `PATH` unless it has a slash; default `nvidia-smi`. */
  readonly command?: string;
  /** How long one run may take before it is killed; default 5 s. */
  readonly timeoutMs?: number;
  /** The child's environment (its `PATH` is used for the lookup); default this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The default time nvidia-smi may take. It answers in well under a second on a healthy machine;
 * a driver in trouble (a GPU fallen off the bus) can hang it for minutes, and the next interval
 * must not wait for that.
 *
 * @example
 * ```ts
 * new GpuCollector({ timeoutMs: defaultGpuTimeoutMs * 2 });
 * ```
 */
export const defaultGpuTimeoutMs = 5_000;

/**
 * GPU utilisation, memory, temperature and power from `nvidia-smi`, run with `execFile` (no shell,
 * asynchronous: the event loop keeps serving while it runs) and a timeout after which it is killed.
 * Where the command does not exist (`ENOENT`: no NVIDIA driver, as on most CPU servers) the
 * collector is `absent`: it says so once in a `notice`, yields no samples, and does not try again
 * (installing a driver means restarting the server anyway). Any other failure (a non-zero exit, a
 * timeout, a line that does not parse) is an error entry.
 *
 * @example
 * ```ts
 * const result = await new GpuCollector().collect();
 * if (result.notice) log.info(result.notice);
 * ```
 */
export class GpuCollector implements Collector {
  readonly name = "gpu";
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly env: Readonly<Record<string, string | undefined>> | undefined;
  private absent = false;

  constructor(options: GpuCollectorOptions = {}) {
    this.command = options.command ?? "nvidia-smi";
    this.timeoutMs = options.timeoutMs ?? defaultGpuTimeoutMs;
    this.env = options.env;
  }

  async collect(): Promise<CollectResult> {
    if (this.absent) return { collector: this.name, status: "absent", samples: [], errors: [] };
    const run = await this.run();
    if (run.kind === "absent") {
      this.absent = true;
      return {
        collector: this.name,
        status: "absent",
        samples: [],
        errors: [],
        notice: `${this.command} was not found: no GPU metrics (expected on a machine without an NVIDIA driver)`,
      };
    }
    if (run.kind === "failed")
      return collectResult(this.name, [], [{ source: this.command, message: run.message }]);
    const { gpus, problems } = parseGpuReadings(run.stdout);
    return collectResult(
      this.name,
      gpuSamples(gpus),
      problems.map((message) => ({ source: this.command, message })),
    );
  }

  private run(): Promise<
    { kind: "ok"; stdout: string } | { kind: "absent" } | { kind: "failed"; message: string }
  > {
    return new Promise((resolve) => {
      execFile(
        this.command,
        nvidiaSmiArgs,
        {
          timeout: this.timeoutMs,
          // A hung driver call may ignore SIGTERM; the next interval must not find it still running.
          killSignal: "SIGKILL",
          maxBuffer: 1 << 20,
          windowsHide: true,
          ...(this.env === undefined ? {} : { env: this.env }),
        },
        (error, stdout, stderr) => {
          if (error === null) return resolve({ kind: "ok", stdout });
          const code = (error as NodeJS.ErrnoException).code as unknown;
          if (code === "ENOENT") return resolve({ kind: "absent" });
          const said = firstLine(stderr) || firstLine(stdout);
          const detail = said === "" ? "" : `: ${said}`;
          if (error.killed) {
            return resolve({ kind: "failed", message: `no answer within ${this.timeoutMs} ms (killed)` });
          }
          if (typeof code === "number") {
            return resolve({ kind: "failed", message: `exited with code ${code}${detail}` });
          }
          resolve({ kind: "failed", message: `${error.message}${detail}` });
        },
      );
    });
  }
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0]?.trim() ?? "";
}
