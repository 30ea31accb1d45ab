import type { IncomingMessage } from "node:http";
import { gunzipSync } from "node:zlib";
import { TikTokToeError } from "../../errors/index.js";

/**
 * Reads a request body up to `limit` bytes; a larger body is refused with 413 as soon as it is
 * seen to be too large (from Content-Length, or while streaming), without buffering the rest.
 * `Content-Encoding: gzip` is decompressed (and the limit applies to the decompressed size too).
 *
 * @example
 * ```ts
 * const bytes = await readBody(request, 16 * 2 ** 20);
 * ```
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new TikTokToeError("BODY_TOO_LARGE", `the body is over the limit of ${limit} bytes`, {
      hint: "send smaller batches",
    });
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        request.resume();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof TikTokToeError) throw error;
    // The client went away mid-body (or the request timeout ended it): expected, not a server bug.
    throw new TikTokToeError("REQUEST_ABORTED", "the request body was not received completely", {
      cause: error,
      hint: "resend the request",
    });
  }
  if (request.readableAborted || !request.complete)
    throw new TikTokToeError("REQUEST_ABORTED", "the request body was not received completely", {
      hint: "resend the request",
    });
  const body = Buffer.concat(chunks, size);
  if (request.headers["content-encoding"] === "gzip") {
    try {
      return gunzipSync(body, { maxOutputLength: limit });
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge();
      throw new TikTokToeError("REQUEST_INVALID", "the body is not valid gzip", { cause: error });
    }
  }
  return body;
}

/** The media type of a request, without parameters, lower-case ("" when absent). */
export function mediaType(request: IncomingMessage): string {
  return (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Bounds the uploads read at once: each holds a socket and up to the body limit in memory, so without
 * a bound a crowd of slow uploaders could take every descriptor and `/healthz` with them. Over the
 * bound a request is answered 503 at once (and its connection closed) instead of waiting.
 *
 * @example
 * ```ts
 * const gate = new UploadGate(64);
 * const bytes = await gate.read(() => readBody(request, limit));
 * ```
 */
export class UploadGate {
  private active = 0;

  constructor(readonly limit: number) {}

  /** Uploads being read now. */
  get inFlight(): number {
    return this.active;
  }

  async read<T>(body: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit)
      throw new TikTokToeError("SERVER_BUSY", `${this.limit} uploads are already being received`, {
        hint: "retry shortly",
        retryAfterS: 1,
      });
    this.active++;
    try {
      return await body();
    } finally {
      this.active--;
    }
  }
}
