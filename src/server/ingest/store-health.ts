import { TikTokToeError } from "../../errors/index.js";

/** Why the store refuses writes (see {@link StoreHealth}). */
export interface StoreFailure {
  /** `disk_full`, `store_busy` or `store_unavailable` (readiness's reason). */
  readonly code: string;
  readonly message: string;
  readonly sinceMs: number;
}

/**
 * Whether the store takes writes: the last failed write (disk full, locked) until a write succeeds.
 * `/readyz` answers from it; every writer (ingest, the aggregator's flush, the window-final consumers)
 * reports to it.
 *
 * @example
 * ```ts
 * try { await store.appendIngest(batches); health.succeeded(); }
 * catch (error) { throw health.refused(error); }
 * ```
 */
export class StoreHealth {
  private current: StoreFailure | null = null;

  constructor(private readonly now: () => number) {}

  /** The failure that makes the server not ready, or null. */
  get failure(): StoreFailure | null {
    return this.current;
  }

  /** Sets the failure as it is (tests simulate an outage with it; null clears it). */
  set(failure: StoreFailure | null): void {
    this.current = failure;
  }

  /** A write succeeded: the store takes writes again. */
  succeeded(): void {
    this.current = null;
  }

  /**
   * The answer to a write the store refused. A full disk or a locked database is the operator's to
   * fix and the client's to retry: 503 with the reason, and /readyz says not ready until a write
   * succeeds. Anything else is a bug, returned as it is.
   */
  refused(error: unknown): unknown {
    if (error instanceof TikTokToeError) {
      // The PostgreSQL adapter answers an outage as STORE_UNAVAILABLE itself; readiness must say so too.
      if (error.code === "STORE_UNAVAILABLE")
        this.current = { code: "store_unavailable", message: error.message, sinceMs: this.now() };
      return error;
    }
    const code = String((error as { code?: unknown }).code ?? "");
    const message = (error as Error).message ?? String(error);
    const full = code === "SQLITE_FULL" || code === "ENOSPC" || /disk is full|no space left/i.test(message);
    const busy = code === "SQLITE_BUSY" || code === "SQLITE_LOCKED" || code.startsWith("SQLITE_IOERR");
    if (!full && !busy) return error;
    this.current = {
      code: full ? "disk_full" : "store_busy",
      message: full ? "the store's disk is full" : `the store cannot write (${code})`,
      sinceMs: this.now(),
    };
    return new TikTokToeError("STORE_UNAVAILABLE", `${this.current.message}; nothing was stored`, {
      cause: error,
      hint: full ? "free disk space on the server; then resend (the client SDKs retry)" : "retry shortly",
      retryAfterS: 5,
    });
  }
}
