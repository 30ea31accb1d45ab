import type { IncomingMessage, ServerResponse } from "node:http";
import { TikTokToeError } from "../../errors/index.js";

/** What a route handler receives. */
export interface RouteContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** Path parameters (`{model}` → `params.model`), URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

/** A route's handler; it writes the response itself. */
export type Handler = (context: RouteContext) => Promise<void> | void;

/**
 * The route a request reached: the path template it was registered with, never the literal path,
 * so that a metric labelled with it has as many values as the server has routes.
 *
 * @example
 * ```ts
 * const matched: MatchedRoute = { path: "/v1/models/{model}/versions/{version}/reference" };
 * ```
 */
export interface MatchedRoute {
  readonly path: string;
}

/** Request targets whose match the router remembers (see Router.matches). */
const MATCH_CACHE_SIZE = 1024;

interface CachedMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

interface Route {
  readonly method: string;
  readonly path: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handler: Handler;
}

/**
 * A small router: exact methods, `{param}` path segments. Unknown paths are 404 and known paths with
 * another method 405 with an `Allow` header — both as TikTokToeErrors. `handle` tells its caller
 * which route template a request reached, for labels that must stay bounded.
 *
 * @example
 * ```ts
 * const router = new Router().add("GET", "/v1/models/{model}", ({ params }) => …);
 * await router.handle(request, response, ({ path }) => count(path)); // "/v1/models/{model}"
 * ```
 */
export class Router {
  private readonly routes: Route[] = [];
  /**
   * Matches of recent query-less request targets, by method and raw target. A served model is asked
   * on one path again and again; parsing the URL and trying every route's pattern for each request
   * was the larger part of what routing allocated. Bounded: cleared when full, so a client sending
   * endless distinct paths costs the slow path, never memory.
   */
  private readonly matches = new Map<string, CachedMatch>();

  add(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const source = path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    this.routes.push({ method, path, pattern: new RegExp(`^${source}$`), names, handler });
    this.matches.clear();
    return this;
  }

  /**
   * Dispatches a request; throws the handler's errors (and 404/405) to the caller. `onMatch` hears
   * the template of the path's route before the handler runs (so also when it throws), and for a 405
   * too (the path is known, the method is not); it is not called for a 404.
   */
  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    onMatch: (route: MatchedRoute) => void = () => {},
  ): Promise<void> {
    const target = request.url ?? "/";
    const cacheable = target.charCodeAt(0) === 47 && !target.includes("?") && !target.includes("#");
    const cacheKey = cacheable ? `${request.method} ${target}` : "";
    const cached = cacheable ? this.matches.get(cacheKey) : undefined;
    if (cached !== undefined) {
      onMatch({ path: cached.route.path });
      // A fresh object per request: a handler may keep or change its parameters.
      const params: Record<string, string> = Object.assign(Object.create(null), cached.params);
      await cached.route.handler({ request, response, params, query: new URLSearchParams() });
      return;
    }
    const url = requestUrl(request);
    const allowed: string[] = [];
    let known: string | undefined;
    for (const route of this.routes) {
      const match = route.pattern.exec(url.pathname);
      if (match === null) continue;
      if (route.method !== request.method) {
        known ??= route.path;
        allowed.push(route.method);
        continue;
      }
      onMatch({ path: route.path });
      const params: Record<string, string> = Object.create(null);
      route.names.forEach((name, i) => {
        params[name] = decodeSegment(match[i + 1]!, name);
      });
      if (cacheable) {
        if (this.matches.size >= MATCH_CACHE_SIZE) this.matches.clear();
        this.matches.set(cacheKey, { route, params: { ...params } });
      }
      await route.handler({ request, response, params, query: url.searchParams });
      return;
    }
    if (known !== undefined) {
      onMatch({ path: known });
      response.setHeader("allow", allowed.join(", "));
      throw new TikTokToeError("METHOD_NOT_ALLOWED", `${request.method} is not allowed here`, {
        path: url.pathname,
        hint: `use ${allowed.join(" or ")}`,
      });
    }
    throw new TikTokToeError("NOT_FOUND", "no such endpoint", {
      path: url.pathname,
      hint: "see GET /openapi.json",
    });
  }
}

/** A path segment, percent-decoded; malformed encoding (`%`, `%zz`, a lone surrogate) is a 400. */
function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new TikTokToeError("REQUEST_INVALID", `the path parameter ${name} is not valid percent-encoding`, {
      path: name,
      hint: "encode reserved characters as %XX (UTF-8), e.g. with encodeURIComponent",
    });
  }
}

/**
 * The request's URL. A request target that is not a valid URL (possible in absolute form) is a 400.
 *
 * @example
 * ```ts
 * requestUrl(request).searchParams.get("from");
 * ```
 */
export function requestUrl(request: IncomingMessage): URL {
  try {
    return new URL(request.url ?? "/", "http://localhost");
  } catch {
    throw new TikTokToeError("REQUEST_INVALID", "the request target is not a valid URL", {
      hint: "send an origin-form path such as /v1/models",
    });
  }
}
