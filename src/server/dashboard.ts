import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/**
 * The dashboard's pages: paths the browser may open directly (bookmarks, alert links). Every one
 * serves the same shell; the front end routes. A later page (resources, fairness, reports…) is one
 * entry here and one in src/ui/pages.
 */
export const dashboardPages: readonly string[] = [
  "/",
  "/models/{model}",
  "/alerts",
  "/fairness",
  "/reports",
  "/resources",
  "/explanations",
  "/deployments",
];

/**
 * Only the server's own origin: no inline script or style, no CDN, no fonts from elsewhere, no framing.
 * `img-src data:` is for the favicon placeholder only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
} as const;

interface Asset {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly type: string;
}

/** The built front end (`npm run build` puts it in dist/ui with a manifest of hashed names). */
export interface DashboardAssets {
  readonly scripts: readonly string[];
  readonly styles: readonly string[];
  readonly files: ReadonlyMap<string, Asset>;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * Loads the built front end into memory (a few hundred KB, gzipped once at start), or null when the
 * build has not produced it (then the pages answer with what to run).
 *
 * @example
 * ```ts
 * const assets = loadDashboardAssets();
 * ```
 */
export function loadDashboardAssets(
  dir = fileURLToPath(new URL("../ui/", import.meta.url)),
): DashboardAssets | null {
  const manifestFile = join(dir, "manifest.json");
  if (!existsSync(manifestFile)) return null;
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { scripts: string[]; styles: string[] };
  const files = new Map<string, Asset>();
  for (const name of [...manifest.scripts, ...manifest.styles]) {
    const body = readFileSync(join(dir, name));
    const type = TYPES[name.slice(name.lastIndexOf("."))] ?? "application/octet-stream";
    files.set(name, { body, gzip: gzipSync(body, { level: 9 }), type });
  }
  return { scripts: manifest.scripts, styles: manifest.styles, files };
}

/**
 * Serves one hashed asset: immutable for a year (its name changes with its content), gzipped when
 * the browser accepts it.
 *
 * @example
 * ```ts
 * serveAsset(assets, "app-3f2a1c.js", request, response);
 * ```
 */
export function serveAsset(
  assets: DashboardAssets,
  name: string,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  const asset = assets.files.get(name);
  if (asset === undefined) return false;
  const gzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
  const body = gzip ? asset.gzip : asset.body;
  response.writeHead(200, {
    "content-type": asset.type,
    "content-length": body.length,
    "cache-control": "public, max-age=31536000, immutable",
    vary: "accept-encoding",
    ...(gzip ? { "content-encoding": "gzip" } : {}),
    ...SECURITY_HEADERS,
  });
  response.end(request.method === "HEAD" ? undefined : body);
  return true;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page shell every dashboard path serves: the hashed script and style, nothing inline (the
 * policy forbids it). Revalidated on every load so a new build is picked up at once.
 *
 * @example
 * ```ts
 * servePage(assets, { authEnabled: false }, response);
 * ```
 */
export function servePage(
  assets: DashboardAssets | null,
  options: { readonly authEnabled: boolean; readonly preload?: readonly string[] },
  response: ServerResponse,
): void {
  const body =
    assets === null
      ? shell(
          "",
          `<main id="main"><h1>TikTokToe</h1><p>The dashboard has not been built: run <code>npm run build</code>.</p></main>`,
        )
      : shell(
          [
            ...assets.styles.map((s) => `<link rel="stylesheet" href="/ui/${escapeHtml(s)}">`),
            ...assets.scripts.map((s) => `<script type="module" src="/ui/${escapeHtml(s)}"></script>`),
            // The page's first API request, started with the script instead of after it has run.
            ...(options.preload ?? []).map(
              (url) => `<link rel="preload" href="${escapeHtml(url)}" as="fetch" crossorigin>`,
            ),
          ].join(""),
          `<a class="skip-link" href="#main">Skip to content</a><div id="app" data-auth="${options.authEnabled ? "on" : "off"}"><p class="loading">Loading…</p></div>`,
        );
  sendHtml(response, 200, body);
}

/**
 * The login page (when tokens are configured): a plain form, no script, that posts a token.
 *
 * @example
 * ```ts
 * serveLogin(response, { next: "/models/bike", error: null });
 * ```
 */
export function serveLogin(
  response: ServerResponse,
  options: { readonly next: string; readonly error: string | null; readonly styles: readonly string[] },
  status = 200,
): void {
  sendHtml(
    response,
    status,
    shell(
      options.styles.map((s) => `<link rel="stylesheet" href="/ui/${escapeHtml(s)}">`).join(""),
      `<main id="main" class="login"><h1>TikTokToe</h1>
<form method="post" action="/login" class="card">
<label for="token">API token (read or admin scope)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
${options.error === null ? "" : `<p class="error" role="alert">${escapeHtml(options.error)}</p>`}
<button type="submit">Log in</button>
</form></main>`,
    ),
  );
}

/**
 * The series request the model page makes first, for a preload in its shell: the same URL the page
 * builds from its query (src/ui/pages/model.ts), or null when the page widens the range itself (an
 * alert's link with from/to) and the URL cannot be known here.
 *
 * @example
 * ```ts
 * modelPagePreload("bike", new URLSearchParams("version=2011")); // "/v1/models/bike/series?points=1000&version=2011"
 * ```
 */
export function modelPagePreload(model: string, query: URLSearchParams): string | null {
  const range = query.get("range") ?? (query.has("from") || query.has("to") ? "custom" : "all");
  if (range === "custom") return null;
  const q = new URLSearchParams({ points: "1000" });
  const version = query.get("version") ?? "";
  if (version !== "") q.set("version", version);
  if (range !== "all") q.set("last", range);
  return `/v1/models/${encodeURIComponent(model)}/series?${q}`;
}

/** A `next` target of the login form: a path of this server only (no open redirect). */
export function safeNext(value: string | null | undefined): string {
  // Browsers drop tabs and newlines from a Location and read "\\" as "/": "/\t/evil.example" would
  // leave the origin, and CR/LF would break the header. Anything but a plain same-origin path is "/".
  if (typeof value !== "string" || !value.startsWith("/") || hasUnsafeCharacter(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, "http://tiktoktoe.invalid");
  } catch {
    return "/";
  }
  if (url.origin !== "http://tiktoktoe.invalid" || url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Control characters, space, DEL or a backslash: none belongs in a redirect target. */
function hasUnsafeCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c) return true;
  }
  return false;
}

function shell(head: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>TikTokToe</title><link rel="icon" href="data:,">${head}</head>
<body>${body}</body></html>
`;
}

function sendHtml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-cache",
    ...SECURITY_HEADERS,
  });
  response.end(body);
}
