import type { IncomingMessage } from "node:http";

/**
 * True for a host name that can only mean this machine: `localhost` (and `*.localhost`, which RFC
 * 6761 reserves for loopback), 127.0.0.0/8, and `[::1]`.
 *
 * @example
 * ```ts
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("rebound.example"); // false
 * ```
 */
export function isLoopbackHost(name: string): boolean {
  const host = name.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "[::1]" || host === "::1") return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets?.slice(1).every((o) => Number(o) <= 255) === true;
}

/**
 * The host name a request is addressed to (Host without the port), lower-case.
 *
 * @example
 * ```ts
 * hostName(request); // "localhost" for Host: localhost:8080, "[::1]" for Host: [::1]:8080
 * ```
 */
export function hostName(request: IncomingMessage): string {
  const host = (request.headers.host ?? "").trim().toLowerCase();
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * DNS rebinding guard: without tokens the API is open to whoever can reach it, which is meant to be
 * this machine only — but a web page whose name was rebound to 127.0.0.1 reaches it too, through
 * the visitor's browser, with its own name in Host. So without tokens only loopback names (and the
 * external URL's host) are served. With tokens, a token is what lets a request in.
 *
 * @example
 * ```ts
 * hostAllowed(request, auth.enabled, new URL("https://monitor.example.com"));
 * ```
 */
export function hostAllowed(request: IncomingMessage, tokens: boolean, external: URL | null): boolean {
  if (tokens) return true;
  const host = request.headers.host;
  if (host === undefined) return true; // HTTP/1.0 without Host: not a browser, so not rebinding
  const name = hostName(request);
  return isLoopbackHost(name) || (external !== null && name === external.hostname.toLowerCase());
}
