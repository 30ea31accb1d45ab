import { type ChildProcess, spawn } from "node:child_process";

/** A helper process started by a test (Prometheus, Alertmanager): its output and a clean stop. */
export interface Daemon {
  readonly child: ChildProcess;
  /** The last 64 KB of its stdout and stderr, for failure messages. */
  log(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `binary` and resolves once `readyUrl` answers 200 — failing, with the process's output,
 * when it exits first or is not ready within `deadlineMs`.
 *
 * @example
 * ```ts
 * const am = await startDaemon("/usr/bin/prometheus-alertmanager", args, `${url}/-/ready`, 20_000);
 * after(() => am.stop());
 * ```
 */
export async function startDaemon(
  binary: string,
  args: readonly string[],
  readyUrl: string,
  deadlineMs: number,
): Promise<Daemon> {
  const child = spawn(binary, [...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-64_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: string | null = null;
  child.once("exit", (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  const name = binary.split("/").pop();
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (exited !== null) throw new Error(`${name} ${exited} before it was ready:\n${output}`);
    const ready = await fetch(readyUrl).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} not ready after ${deadlineMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    log: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * Starts Debian's Alertmanager alone (clustering off: no gossip port, no waiting for peers) on
 * 127.0.0.1:`port` with `configFile`, keeping its state in `storagePath`; resolves once it is ready.
 *
 * @example
 * ```ts
 * const am = await startAlertmanager(BINARY, "am.yml", join(dir, "data"), port, 20_000);
 * ```
 */
export function startAlertmanager(
  binary: string,
  configFile: string,
  storagePath: string,
  port: number,
  deadlineMs: number,
): Promise<Daemon> {
  return startDaemon(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${storagePath}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    `http://127.0.0.1:${port}/-/ready`,
    deadlineMs,
  );
}
