import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { TikTokToeError } from "../../errors/index.js";

/**
 * Sends a JSON answer.
 *
 * @example
 * ```ts
 * sendJson(response, 200, { accepted: 1000, duplicates: 0 });
 * ```
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Bodies below this size are sent as they are: gzip would cost more time than it saves. */
const COMPRESS_ABOVE = 8192;

/**
 * Sends a JSON answer gzipped when the client accepts it and it is large (the dashboard's series).
 *
 * @example
 * ```ts
 * sendJsonCompressed(request, response, 200, series);
 * ```
 */
export function sendJsonCompressed(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: unknown,
): void {
  const text = JSON.stringify(body);
  if (text.length < COMPRESS_ABOVE || !/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) {
    sendJson(response, status, body);
    return;
  }
  const zipped = gzipSync(text, { level: 4 });
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-encoding": "gzip",
    "content-length": zipped.length,
    vary: "accept-encoding",
  });
  response.end(zipped);
}

/**
 * Sends an error: an expected TikTokToeError as its status and body; anything else as a 500 whose
 * body says nothing about internals (the log gets the stack).
 *
 * @example
 * ```ts
 * sendError(response, error, (e) => console.error(e));
 * ```
 */
export function sendError(response: ServerResponse, error: unknown, log: (error: unknown) => void): void {
  if (error instanceof TikTokToeError && error.expected) {
    sendJson(response, error.status, error.toJSON());
    return;
  }
  log(error);
  const internal = new TikTokToeError("INTERNAL", "internal error; the server log has the details");
  if (!response.headersSent) sendJson(response, 500, internal.toJSON());
  else response.destroy();
}
