import { connect } from "node:net";

/** The PostgreSQL the tests use (trust auth): `TIKTOKTOE_TEST_PG` overrides it. */
export const TEST_PG_URL = process.env.TIKTOKTOE_TEST_PG ?? "postgres://root@127.0.0.1:5432/test";
/** The NATS server with JetStream the tests use: `TIKTOKTOE_TEST_NATS` overrides it. */
export const TEST_NATS_URL = process.env.TIKTOKTOE_TEST_NATS ?? "nats://127.0.0.1:4222";

/** True when something accepts TCP connections at host:port within `timeoutMs`. */
export function tcpOpen(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Whether tests that need an external service run: `false` when it is up; the reason to skip when it
 * is down on a developer's machine. In CI (`CI=true`) a service that is down is an error instead,
 * so a broken CI machine cannot pass by skipping: `.ci/run` starts PostgreSQL and NATS first.
 *
 * @example
 * ```ts
 * const skip = await serviceMissing("PostgreSQL", TEST_PG_URL, "postgresql");
 * test("…", { skip }, async () => { … });
 * ```
 */
export async function serviceMissing(
  name: string,
  url: string,
  debianPackage: string,
): Promise<string | false> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol.startsWith("nats") ? 4222 : 5432));
  if (await tcpOpen(parsed.hostname, port)) return false;
  const message = `${name} is not reachable at ${parsed.hostname}:${port} (Debian package ${debianPackage}; .ci/run starts it)`;
  if (process.env.CI === "true") throw new Error(`CI needs ${message}`);
  return message;
}
