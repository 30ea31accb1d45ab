/**
 * A scriptable HTTP receiver on 127.0.0.1 for tests of channels and alert delivery: it records every
 * request and answers as scripted (200, 429 with Retry-After, 500, …).
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a receiver got. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** `performance.now()` when the request arrived. */
  readonly at: number;
}

/** What a receiver answers. */
export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A running receiver. */
export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Answers used in turn, before `answer` (the default) applies. */
  readonly script: Answer[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that records every request and answers with the next scripted
 * answer or else with `answer(request)`; on a free port, or on `port` (e.g. one a test kept dead
 * while a channel was down).
 *
 * @example
 * ```ts
 * const slack = await startReceiver(() => ({ status: 200, body: "ok" }));
 * ```
 */
export async function startReceiver(
  answer: (request: ReceivedRequest) => Answer,
  port = 0,
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const script: Answer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: performance.now(),
      };
      requests.push(request);
      const reply = script.shift() ?? answer(request);
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A URL on which nothing listens (a port just released).
 *
 * @example
 * ```ts
 * const down = await deadUrl(); // connections are refused until a receiver listens on its port
 * ```
 */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
