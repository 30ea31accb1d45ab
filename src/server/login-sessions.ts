import { createHash, randomBytes } from "node:crypto";
import type { ChangeBus, Store } from "../store/index.js";

/** Dashboard sessions kept at once: a team's browsers, not an attacker's loop of logins. */
export const MAX_SESSIONS = 1000;

/** The store's collection of sessions: key the session id's SHA-256, time its expiry. */
const COLLECTION = "login-sessions";
/** The bus topic of logins and logouts. */
const TOPIC = "sessions";

interface Session<S extends string> {
  readonly scopes: ReadonlySet<S>;
  readonly expiresMs: number;
}

type SessionNotice =
  | { readonly op: "add"; readonly hash: string; readonly scopes: string[]; readonly expiresMs: number }
  | { readonly op: "end"; readonly hash: string };

/** Options of {@link LoginSessions.open}. */
export interface LoginSessionsOptions {
  readonly store: Pick<Store, "putDocument" | "listDocuments" | "deleteDocumentsBefore">;
  /** The replicas' change notices: logins and logouts here are announced, the others' followed. */
  readonly bus?: ChangeBus;
  readonly now: () => number;
  readonly log?: (message: string, error: unknown) => void;
}

/**
 * The dashboard's login sessions. With a store they are shared by every replica on it: each session
 * is a document keyed by the SHA-256 of its id (the cookie value itself is stored nowhere, so a copy
 * of the database logs no one in) with its expiry as the document's time, and every replica keeps
 * the live ones in memory, following the others' logins and logouts through the change bus (and
 * re-reading the store after a gap), so checking a cookie never waits for the database. Without a
 * store (tests, the library) they are this process's alone.
 *
 * @example
 * ```ts
 * const sessions = await LoginSessions.open({ store, bus, now: Date.now });
 * const id = await sessions.create(new Set(["read"]), Date.now(), SESSION_TTL_MS);
 * sessions.find(id, Date.now()); // Set { "read" }
 * ```
 */
export class LoginSessions<S extends string = string> {
  /** By id hash, in order of expiry (every session lives as long), so the first is the oldest. */
  private readonly sessions = new Map<string, Session<S>>();

  constructor(private readonly options?: LoginSessionsOptions) {}

  /** Sessions shared through the store (and the bus), loaded with the live ones. */
  static async open<S extends string>(options: LoginSessionsOptions): Promise<LoginSessions<S>> {
    const sessions = new LoginSessions<S>(options);
    options.bus?.subscribe(TOPIC, (body, fromSelf) => {
      if (!fromSelf) sessions.follow(body as SessionNotice);
    });
    options.bus?.onGap(() =>
      sessions
        .reload()
        .catch((error: unknown) => options.log?.("re-reading the login sessions failed", error)),
    );
    await sessions.reload();
    return sessions;
  }

  /** Live sessions known here. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Starts a session; returns its id (the cookie value). Past {@link MAX_SESSIONS} the oldest ends:
   * bounded, so a loop of logins cannot grow memory or the store.
   */
  async create(scopes: ReadonlySet<S>, nowMs: number, ttlMs: number): Promise<string> {
    for (const [hash, s] of this.sessions) if (s.expiresMs <= nowMs) this.sessions.delete(hash);
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      await this.end(oldest);
    }
    const id = randomBytes(32).toString("base64url");
    const hash = hashOf(id);
    const session: Session<S> = { scopes: new Set(scopes), expiresMs: nowMs + ttlMs };
    const store = this.options?.store;
    if (store !== undefined) {
      // Ended and expired sessions are documents with a past time: this is where they go.
      await store.deleteDocumentsBefore(COLLECTION, nowMs);
      await store.putDocument({
        collection: COLLECTION,
        key: hash,
        timeMs: session.expiresMs,
        body: JSON.stringify({ scopes: [...scopes], expiresMs: session.expiresMs }),
      });
    }
    this.sessions.set(hash, session);
    await this.announce({ op: "add", hash, scopes: [...scopes], expiresMs: session.expiresMs });
    return id;
  }

  /** The scopes of a live session, or undefined for an unknown, ended or expired id. */
  find(id: string, nowMs: number): ReadonlySet<S> | undefined {
    const hash = hashOf(id);
    const session = this.sessions.get(hash);
    if (session === undefined) return undefined;
    if (session.expiresMs <= nowMs) {
      this.sessions.delete(hash);
      return undefined;
    }
    return session.scopes;
  }

  /** Ends a session on every replica (a no-op for an unknown id). */
  async revoke(id: string): Promise<void> {
    await this.end(hashOf(id));
  }

  private async end(hash: string): Promise<void> {
    this.sessions.delete(hash);
    // The store has no single-document delete: an ended session is rewritten as expired long ago.
    await this.options?.store.putDocument({ collection: COLLECTION, key: hash, timeMs: 0, body: "{}" });
    await this.announce({ op: "end", hash });
  }

  private follow(notice: SessionNotice): void {
    if (notice.op === "end") this.sessions.delete(notice.hash);
    else if (notice.expiresMs > (this.options?.now() ?? 0))
      this.sessions.set(notice.hash, { scopes: new Set(notice.scopes as S[]), expiresMs: notice.expiresMs });
  }

  /** Replaces what is known here with the store's live sessions. */
  private async reload(): Promise<void> {
    const options = this.options;
    if (options === undefined) return;
    const docs = await options.store.listDocuments(
      COLLECTION,
      options.now() + 1,
      Number.POSITIVE_INFINITY,
      MAX_SESSIONS,
    );
    this.sessions.clear();
    for (const doc of docs) {
      const body = JSON.parse(doc.body) as { scopes?: string[]; expiresMs?: number };
      if (body.scopes === undefined || body.expiresMs === undefined) continue;
      this.sessions.set(doc.key, { scopes: new Set(body.scopes as S[]), expiresMs: body.expiresMs });
    }
  }

  private async announce(notice: SessionNotice): Promise<void> {
    await this.options?.bus
      ?.publish(TOPIC, notice)
      .catch((error: unknown) => this.options?.log?.("announcing a login session change failed", error));
  }
}

function hashOf(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}
