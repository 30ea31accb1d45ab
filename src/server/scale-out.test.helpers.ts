// Helpers of the scale-out tests (scale-out*.integration.test.ts): replicas of the built `tiktoktoe
// serve` as separate processes, a private nats-server, a webhook receiver, a seeded random source.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { repoPath } from "../testing/paths.js";
import { tcpOpen } from "../testing/services.js";

/** The nats-server binary (Debian package nats-server) for tests that stop and start their own. */
export const NATS_SERVER = process.env.TIKTOKTOE_NATS_SERVER ?? "/usr/sbin/nats-server";

/** Why a private nats-server cannot run (false when it can); an error in CI, as for the shared services. */
export function natsServerMissing(): string | false {
  if (existsSync(NATS_SERVER)) return false;
  const message = `${NATS_SERVER} is missing (Debian package nats-server)`;
  if (process.env.CI === "true") throw new Error(`CI needs ${message}`);
  return message;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a private nats-server with JetStream on `port`, its store in `dir`; resolves once it listens. */
export async function startNats(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", join(dir, "js")], {
    stdio: "ignore",
  });
  for (let i = 0; i < 200 && !(await tcpOpen("127.0.0.1", port, 100)); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return child;
}

/** kill -9, resolved once the process is gone. */
export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** SIGTERM (a clean stop: windows written), resolved once the process is gone. */
export function stopGracefully(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** A replica: a `tiktoktoe serve` process, its URL and what it logged (shown when a test fails). */
export interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly logged: () => string;
}

/** Starts `tiktoktoe serve ARGS --port 0` from dist/ and resolves once it listens. */
export function startReplica(name: string, args: readonly string[]): Promise<Replica> {
  const child = spawn(
    process.execPath,
    [repoPath("dist", "cli", "bin.js"), "serve", ...args, "--port", "0"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ name, child, url: match[1]!, logged: () => err });
    });
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before listening:\n${err}`)));
  });
}

/**
 * The nice value of every thread of a process (Linux's /proc), or null where there is no procfs.
 *
 * @example
 * ```ts
 * threadNices(worker.child.pid!); // [10, 10, 10, …]
 * ```
 */
export function threadNices(pid: number): number[] | null {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      // stat(5): the fields after the command's ")" start at the 3rd; nice is the 19th.
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(fields[16]);
    });
  } catch {
    return null;
  }
}

/** One notification the webhook receiver got. */
export interface Received {
  readonly path: string;
  readonly body: {
    readonly status: string;
    readonly groupKey: string;
    readonly alerts: ReadonlyArray<{
      readonly status: string;
      readonly fingerprint: string;
      readonly startsAt: string;
      readonly labels: Record<string, string>;
    }>;
  };
}

/** A local HTTP receiver of webhook notifications: every POST is kept and answered 200. */
export async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on("end", () => {
      try {
        received.push({ path: request.url ?? "", body: JSON.parse(text) as Received["body"] });
      } catch {
        // not a notification: ignored
      }
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** mulberry32: a small seeded generator, so a failing run can be repeated with its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passed; the last value. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
