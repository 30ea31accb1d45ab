import type { IncomingMessage } from "node:http";
import { TikTokToeError } from "../errors/index.js";

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
  constructor(private readonly tokens: ReadonlyMap<string, ReadonlySet<Scope>>) {}

  get enabled(): boolean {
    return this.tokens.size > 0;
  }

  /** Throws 401 without a known token, 403 when it lacks `scope`. */
  check(request: IncomingMessage, scope: Scope): void {
    if (!this.enabled) return;
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const granted = match === null ? undefined : this.tokens.get(match[1]!);
    if (granted === undefined)
      throw new TikTokToeError("UNAUTHORIZED", "a valid bearer token is required", {
        hint: "send Authorization: Bearer <token>",
      });
    if (!granted.has(scope) && !granted.has("admin"))
      throw new TikTokToeError("FORBIDDEN", `this token lacks the "${scope}" scope`, {
        hint: `use a token with the ${scope} scope`,
      });
  }
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
