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
