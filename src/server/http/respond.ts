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

/** No error answer is larger than this: problems beyond it are dropped (validation caps them earlier). */
export const MAX_ERROR_BYTES = 64 * 1024;

/**
 * Sends an error: an expected TikTokToeError as its status and body; anything else as a 500 whose
 * body says nothing about internals (the log gets the stack). It never throws — an answer that cannot
 * be built or written ends the connection instead — and the body stays under {@link MAX_ERROR_BYTES},
 * so no input can turn its own error message into an out-of-memory failure.
 *
 * @example
 * ```ts
 * sendError(response, error, (e) => console.error(e));
 * ```
 */
export function sendError(response: ServerResponse, error: unknown, log: (error: unknown) => void): void {
  try {
    // A client that went away (aborted upload, closed tab) gets no answer and is not a server error.
    if (response.destroyed || (error instanceof TikTokToeError && error.code === "REQUEST_ABORTED")) {
      if (!response.destroyed) respondAndClose(response, error as TikTokToeError);
      return;
    }
    if (error instanceof TikTokToeError && error.expected) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // A body left unread (refused before or while reading it) is not drained: the connection closes.
      const unread = response.req !== undefined && !response.req.complete ? { connection: "close" } : {};
      sendJson(response, error.status, boundedBody(error), { ...retryAfterOf(error), ...unread });
      return;
    }
    safeLog(log, error);
    const internal = new TikTokToeError("INTERNAL", "internal error; the server log has the details");
    if (!response.headersSent) sendJson(response, 500, internal.toJSON());
    else response.destroy();
  } catch (failure) {
    safeLog(log, failure);
    response.destroy();
  }
}

/** An error's JSON body, with its problems cut so the text stays under {@link MAX_ERROR_BYTES}. */
function boundedBody(error: TikTokToeError): ReturnType<TikTokToeError["toJSON"]> {
  const body = error.toJSON();
  const problems = body.problems;
  if (problems === undefined) return body;
  // Counted with the truncation flag, which the cut answer carries.
  let size = JSON.stringify({ ...body, problems: [], problems_truncated: true }).length;
  let kept = 0;
  for (const problem of problems) {
    size += JSON.stringify(problem).length + 1;
    if (size > MAX_ERROR_BYTES) break;
    kept++;
  }
  return kept === problems.length
    ? body
    : { ...body, problems: problems.slice(0, kept), problems_truncated: true };
}

function retryAfterOf(error: TikTokToeError): Record<string, string> {
  return error.retryAfterS === undefined ? {} : { "retry-after": String(error.retryAfterS) };
}

/** Answers a request whose body was not read to its end, and closes the connection (Node cannot reuse it). */
function respondAndClose(response: ServerResponse, error: TikTokToeError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, error.status, error.toJSON(), { connection: "close" });
}

function safeLog(log: (error: unknown) => void, error: unknown): void {
  try {
    log(error);
  } catch {
    // The logger itself failed (a closed stream): nothing more can be said.
  }
}
