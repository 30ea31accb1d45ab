import type { IncomingMessage } from "node:http";
import { TikTokToeError } from "../errors/index.js";
import { LoginSessions } from "./login-sessions.js";

export { MAX_SESSIONS } from "./login-sessions.js";

import { LoginThrottle } from "./login-throttle.js";

/** What a token may do. `admin` includes the others. */
export type Scope = "ingest" | "read" | "admin";

/** The scopes, as a token file lists them. */
export const scopes: readonly Scope[] = ["ingest", "read", "admin"];

/**
 * Bearer tokens with scopes. With no token configured every request is allowed — which `serve`
 * permits only on a loopback address, so an open port is never unauthenticated by accident.
 *
 * @example
 * ```ts
 * const auth = new TokenAuth(new Map([["s3cret", new Set(["ingest"])]]));
 * auth.check(request, "ingest");
 * ```
 */
export class TokenAuth {
  /**
   * Wrong tokens per client address, bearer and login form alike. Counted per process: behind a load
   * balancer that spreads one address over n replicas, a guesser gets n times the free tries before
   * the lockouts start, and each replica's lockout still doubles (docs/scale-out.md).
   */
  readonly throttle: LoginThrottle;
  /**
   * Dashboard sessions: the scopes of the token that logged in, and when they expire. Shared by the
   * replicas on one store when `start.ts` passes them opened on it; this process's alone otherwise.
   */
  private readonly sessions: LoginSessions<Scope>;

  constructor(
    private readonly tokens: ReadonlyMap<string, ReadonlySet<Scope>>,
    private readonly now: () => number = Date.now,
    throttle: LoginThrottle = new LoginThrottle(),
    sessions: LoginSessions<Scope> = new LoginSessions<Scope>(),
  ) {
    this.throttle = throttle;
    this.sessions = sessions;
  }

  get enabled(): boolean {
    return this.tokens.size > 0;
  }

  /**
   * Throws 401 without a known token or session, 403 when it lacks `scope`. A browser session (the
   * dashboard's cookie) must also send the `x-tiktoktoe-csrf` header on anything but GET: another
   * site can make a browser post a form with the cookie, but not add a header without CORS.
   */
  check(request: IncomingMessage, scope: Scope): void {
    if (!this.enabled) return;
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const client = clientOf(request);
    if (match !== null) this.refuseWhileLocked(client);
    let granted = match === null ? undefined : this.tokens.get(match[1]!);
    if (match !== null) {
      if (granted === undefined) this.throttle.fail(client, this.now());
      else this.throttle.succeed(client);
    }
    if (match === null) {
      const session = this.session(request);
      if (session !== undefined) {
        if (
          request.method !== "GET" &&
          request.method !== "HEAD" &&
          request.headers["x-tiktoktoe-csrf"] !== "1"
        )
          throw new TikTokToeError("FORBIDDEN", "a browser session must send x-tiktoktoe-csrf: 1", {
            hint: "use the dashboard, or send a bearer token",
          });
        granted = session;
      }
    }
    if (granted === undefined)
      throw new TikTokToeError("UNAUTHORIZED", "a valid bearer token is required", {
        hint: "send Authorization: Bearer <token>, or log in to the dashboard at /login",
      });
    if (!granted.has(scope) && !granted.has("admin"))
      throw new TikTokToeError("FORBIDDEN", `this token lacks the "${scope}" scope`, {
        hint: `use a token with the ${scope} scope`,
      });
  }

  /** Whether a page request may see the dashboard (a session with read scope, or auth off). */
  mayRead(request: IncomingMessage): boolean {
    if (!this.enabled) return true;
    const scopes = this.session(request);
    return scopes !== undefined && (scopes.has("read") || scopes.has("admin"));
  }

  /**
   * Starts a dashboard session for a token with the read (or admin) scope; returns the cookie value,
   * or null for an unknown token or one without read. Sessions last `ttlMs`; past
   * {@link MAX_SESSIONS} the oldest ends.
   */
  async login(token: string, nowMs: number, ttlMs = SESSION_TTL_MS): Promise<string | null> {
    const scopes = this.tokens.get(token);
    if (scopes === undefined || !(scopes.has("read") || scopes.has("admin"))) return null;
    return this.sessions.create(scopes, nowMs, ttlMs);
  }

  /**
   * Throws 429 with `Retry-After` while the request's client is locked out for wrong tokens.
   *
   * @example
   * ```ts
   * auth.refuseWhileLocked(clientOf(request));
   * ```
   */
  refuseWhileLocked(client: string): void {
    const waitMs = this.throttle.retryAfterMs(client, this.now());
    if (waitMs > 0)
      throw new TikTokToeError("TOO_MANY_REQUESTS", "too many wrong tokens from this address", {
        hint: `wait ${Math.ceil(waitMs / 1000)} s before trying again`,
        retryAfterS: Math.ceil(waitMs / 1000),
      });
  }

  /** Dashboard sessions alive (for tests). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Ends the request's session, if any, on every replica. */
  async logout(request: IncomingMessage): Promise<void> {
    const id = sessionCookie(request);
    if (id !== undefined) await this.sessions.revoke(id);
  }

  private session(request: IncomingMessage): ReadonlySet<Scope> | undefined {
    const id = sessionCookie(request);
    return id === undefined ? undefined : this.sessions.find(id, this.now());
  }
}

/**
 * The address a request comes from, for per-client limits (the socket's peer: a proxy in front
 * should be trusted to limit itself).
 *
 * @example
 * ```ts
 * auth.refuseWhileLocked(clientOf(request));
 * ```
 */
export function clientOf(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? "unknown";
}

/** Twelve hours: a working day of a paged engineer, then log in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;

/** The dashboard's session cookie. */
export const SESSION_COOKIE = "tiktoktoe_session";

function sessionCookie(request: IncomingMessage): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return rest.join("=");
  }
  return undefined;
}

/**
 * Parses a token file: one `TOKEN SCOPE[,SCOPE…]` per line; `#` starts a comment.
 *
 * @example
 * ```ts
 * parseTokens("abc123 ingest\nxyz789 read,admin\n");
 * ```
 */
export function parseTokens(text: string, file = "tokens"): Map<string, Set<Scope>> {
  const tokens = new Map<string, Set<Scope>>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const [token, list, extra] = line.split(/\s+/);
    const granted = (list ?? "").split(",").filter((s) => s !== "");
    const bad = granted.find((s) => !(scopes as readonly string[]).includes(s));
    if (token === undefined || granted.length === 0 || bad !== undefined || extra !== undefined)
      throw new TikTokToeError("USAGE", `expected "TOKEN SCOPE[,SCOPE]" with scopes ${scopes.join(", ")}`, {
        file,
        line: i + 1,
      });
    tokens.set(token, new Set(granted as Scope[]));
  });
  return tokens;
}
