import type { ReadTableOptions } from "../data/index.js";
import type { ErrorCode, ErrorLocation } from "../errors/index.js";
import { TikTokToeError } from "../errors/index.js";

/** An error as it crosses a thread boundary (class identity is lost in structured cloning). */
export interface WireError {
  readonly message: string;
  readonly stack?: string;
  readonly code?: ErrorCode;
  readonly location?: ErrorLocation;
  readonly hint?: string;
}

/**
 * Serialises an error for postMessage.
 *
 * @example
 * ```ts
 * port.postMessage({ id, ok: false, error: toWireError(error) });
 * ```
 */
export function toWireError(error: unknown): WireError {
  if (error instanceof TikTokToeError)
    return {
      message: error.message,
      code: error.code,
      location: error.location,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  if (error instanceof Error)
    return { message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) };
  return { message: String(error) };
}

/**
 * Rebuilds the error on the receiving side: a TikTokToeError keeps its code, location and hint.
 *
 * @example
 * ```ts
 * throw fromWireError(reply.error);
 * ```
 */
export function fromWireError(wire: WireError): Error {
  if (wire.code !== undefined) {
    const error = new TikTokToeError(wire.code, wire.message, {
      ...wire.location,
      ...(wire.hint === undefined ? {} : { hint: wire.hint }),
    });
    if (wire.stack !== undefined) error.stack = wire.stack;
    return error;
  }
  const error = new Error(wire.message);
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

/**
 * The distinct ArrayBuffers behind some typed arrays, for a transfer list. A view that does not span
 * its whole buffer is not transferable without moving its neighbours too, so callers must pass
 * arrays that own their buffers (the data layer trims by copying).
 *
 * @example
 * ```ts
 * worker.postMessage(task, buffersOf([task.values]));
 * ```
 */
export function buffersOf(arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const view of arrays) {
    const buffer = view.buffer;
    if (buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength)
      seen.add(buffer);
  }
  return [...seen];
}

/**
 * The payload of a worker's "read" job. With `claim` (one Int32 of shared memory, 0 while nobody has
 * the file) the job is claimable: the worker reads the file only if it sets the value to 1 first, and
 * another thread that sets it to 2 first reads the file itself; the worker then answers null.
 *
 * @example
 * ```ts
 * const job: ReadJob = { file: "cur.csv", options: {}, claim: new SharedArrayBuffer(4) };
 * ```
 */
export interface ReadJob {
  readonly file: string;
  readonly options: ReadTableOptions;
  readonly claim?: SharedArrayBuffer;
}
