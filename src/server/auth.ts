import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { TikTokToeError } from "../errors/index.js";
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
  /** Dashboard sessions: cookie value → the scopes of the token that logged in, and when it expires. */
  private readonly sessions = new Map<string, { scopes: ReadonlySet<Scope>; expiresMs: number }>();
  /** Wrong tokens per client address, bearer and login form alike. */
  readonly throttle: LoginThrottle;

  constructor(
    private readonly tokens: ReadonlyMap<string, ReadonlySet<Scope>>,
    private readonly now: () => number = Date.now,
    throttle: LoginThrottle = new LoginThrottle(),
  ) {
    this.throttle = throttle;
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
   * or null for an unknown token or one without read. Sessions live in memory for `ttlMs`.
   */
  login(token: string, nowMs: number, ttlMs = SESSION_TTL_MS): string | null {
    const scopes = this.tokens.get(token);
    if (scopes === undefined || !(scopes.has("read") || scopes.has("admin"))) return null;
    for (const [id, s] of this.sessions) if (s.expiresMs <= nowMs) this.sessions.delete(id);
    // Bounded: past the cap the oldest session (the first inserted, so the first to expire) ends.
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const id = randomBytes(32).toString("base64url");
    this.sessions.set(id, { scopes, expiresMs: nowMs + ttlMs });
    return id;
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

  /** Ends the request's session, if any. */
  logout(request: IncomingMessage): void {
    const id = sessionCookie(request);
    if (id !== undefined) this.sessions.delete(id);
  }

  private session(request: IncomingMessage): ReadonlySet<Scope> | undefined {
    const id = sessionCookie(request);
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresMs <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session.scopes;
  }
}

/** Dashboard sessions kept at once: a team's browsers, not an attacker's loop of logins. */
export const MAX_SESSIONS = 1000;

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
