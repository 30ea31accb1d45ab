import { type ErrorCode, TikTokToeError } from "../../errors/index.js";
import type { Store } from "../port.js";

/**
 * The messages between the SQLite store's thread and its proxy (see thread.ts): a call by method
 * name with its arguments, and its answer. Everything crosses by structured clone.
 */
export type StoreMethod = Exclude<keyof Store, "dialect">;

/** Every method of the port, so that both sides agree on what may be called. */
export const STORE_METHODS = [
  "createModel",
  "getModel",
  "listModels",
  "createVersion",
  "getVersion",
  "listVersions",
  "putArtifact",
  "getArtifact",
  "appendBatches",
  "appendIngest",
  "readBatches",
  "readModelBatches",
  "logHead",
  "countIndexedEvents",
  "getCheckpoint",
  "putCheckpoint",
  "putWindows",
  "getWindows",
  "getWindowSummaries",
  "getLogPosition",
  "commitAlerting",
  "getAlertingState",
  "dueNotifications",
  "claimNotifications",
  "updateNotification",
  "listNotifications",
  "putSilence",
  "listSilences",
  "expireSilence",
  "putDocument",
  "getDocument",
  "listDocuments",
  "deleteDocumentsBefore",
  "deleteBefore",
  "close",
] as const satisfies readonly StoreMethod[];

// Every method of the port is listed (a method added to Store and not here fails to compile).
type Missing = Exclude<StoreMethod, (typeof STORE_METHODS)[number]>;
const _complete: Missing extends never ? true : never = true;
void _complete;

/** A call from the proxy. */
export interface CallMessage {
  readonly id: number;
  readonly method: StoreMethod;
  readonly args: readonly unknown[];
}

/** An error as it crosses: enough to rebuild a TikTokToeError, or a driver error with its code. */
export type ErrorShape =
  | {
      readonly kind: "tiktoktoe";
      readonly code: ErrorCode;
      readonly message: string;
      readonly options: Record<string, unknown>;
    }
  | { readonly kind: "error"; readonly name: string; readonly message: string; readonly code?: string };

/** The thread's answer to a call (or, with id 0, to opening the store). */
export type ReplyMessage =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ErrorShape };

/**
 * An error, ready to cross to the other thread. The store's callers look at a TikTokToeError's code
 * and details, and at a driver error's `code` (SQLITE_FULL is a full disk: see StoreHealth).
 */
export function errorShape(error: unknown): ErrorShape {
  if (error instanceof TikTokToeError) {
    const options: Record<string, unknown> = { ...error.location };
    if (error.hint !== undefined) options.hint = error.hint;
    if (error.problems !== undefined) options.problems = error.problems;
    if (error.problemsTruncated) options.problemsTruncated = true;
    if (error.retryAfterS !== undefined) options.retryAfterS = error.retryAfterS;
    return { kind: "tiktoktoe", code: error.code, message: error.message, options };
  }
  const e = error as { name?: unknown; message?: unknown; code?: unknown };
  return {
    kind: "error",
    name: typeof e?.name === "string" ? e.name : "Error",
    message: typeof e?.message === "string" ? e.message : String(error),
    ...(typeof e?.code === "string" ? { code: e.code } : {}),
  };
}

/** The error {@link errorShape} described, in this thread. */
export function errorFrom(shape: ErrorShape): Error {
  if (shape.kind === "tiktoktoe") return new TikTokToeError(shape.code, shape.message, shape.options);
  const error = new Error(shape.message) as Error & { code?: string };
  error.name = shape.name;
  if (shape.code !== undefined) error.code = shape.code;
  return error;
}
