import type { IncomingMessage } from "node:http";
import { TikTokToeError } from "../errors/index.js";
import { clientOf, SESSION_COOKIE, SESSION_TTL_MS, type TokenAuth } from "./auth.js";
import {
  type DashboardAssets,
  dashboardPages,
  modelPagePreload,
  safeNext,
  serveAsset,
  serveLogin,
  servePage,
} from "./dashboard.js";
import type { BodyReader, Route } from "./http/endpoint.js";
import type { RouteContext } from "./http/router.js";

/** What the dashboard's routes need of the app. */
export interface DashboardRouteDeps {
  readonly auth: TokenAuth;
  /** The built dashboard; null: no dashboard, API only. */
  readonly assets: DashboardAssets | null;
  readonly body: BodyReader;
  /** The wall clock (login backoff). */
  readonly now: () => number;
  /** Mark the session cookie `Secure` also on plain HTTP (an https external URL: a proxy ends TLS). */
  readonly secureCookie: boolean;
}

/**
 * The dashboard's HTML pages, its assets, `/login` and `/logout` (not part of the API contract).
 *
 * @example
 * ```ts
 * for (const route of dashboardRoutes(deps)) router.add(...route);
 * ```
 */
export function dashboardRoutes(deps: DashboardRouteDeps): Route[] {
  const { auth, assets, body, now } = deps;
  const secure = (request: IncomingMessage): boolean =>
    deps.secureCookie || (request.socket as { encrypted?: boolean }).encrypted === true;
  const page = ({ request, response, params, query }: RouteContext) => {
    if (!auth.mayRead(request)) {
      response.writeHead(303, { location: `/login?next=${encodeURIComponent(request.url ?? "/")}` });
      response.end();
      return;
    }
    const preload = params.model === undefined ? null : modelPagePreload(params.model, query);
    servePage(
      assets,
      { authEnabled: auth.enabled, ...(preload === null ? {} : { preload: [preload] }) },
      response,
    );
  };
  return [
    ...dashboardPages.map((path): Route => ["GET", path, page]),
    [
      "GET",
      "/ui/{asset}",
      ({ request, response, params }) => {
        if (assets === null || !serveAsset(assets, params.asset!, request, response))
          throw new TikTokToeError("NOT_FOUND", "no such dashboard asset", {
            path: request.url ?? "",
            hint: "reload the page: the dashboard was rebuilt",
          });
      },
    ],
    [
      "GET",
      "/login",
      ({ response, query }) => {
        if (!auth.enabled) {
          response.writeHead(303, { location: safeNext(query.get("next")) });
          response.end();
          return;
        }
        serveLogin(response, {
          next: safeNext(query.get("next")),
          error: null,
          styles: assets?.styles ?? [],
        });
      },
    ],
    [
      "POST",
      "/login",
      async ({ request, response }) => {
        const form = new URLSearchParams((await body(request, 64 * 1024)).toString("utf8"));
        const next = safeNext(form.get("next"));
        const client = clientOf(request);
        if (auth.enabled) auth.refuseWhileLocked(client);
        const session = auth.enabled ? await auth.login(form.get("token") ?? "", now()) : "";
        if (session === null) auth.throttle.fail(client, now());
        else auth.throttle.succeed(client);
        if (session === null) {
          serveLogin(
            response,
            { next, error: "Unknown token, or it lacks the read scope.", styles: assets?.styles ?? [] },
            401,
          );
          return;
        }
        response.writeHead(303, {
          location: next,
          ...(auth.enabled
            ? {
                "set-cookie": `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure(request) ? "; Secure" : ""}`,
              }
            : {}),
        });
        response.end();
      },
    ],
    [
      "POST",
      "/logout",
      async ({ request, response }) => {
        await auth.logout(request);
        response.writeHead(303, {
          location: "/login",
          "set-cookie": `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure(request) ? "; Secure" : ""}`,
        });
        response.end();
      },
    ],
  ];
}
