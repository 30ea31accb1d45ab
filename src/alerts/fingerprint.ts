/**
 * Alert identity and group identity, in Alertmanager's exact formats, so an alert and a group mean the
 * same thing here, in a notification log, and in a real Alertmanager fed the same labels.
 */
import { compareNames, type Labels, labelSetString } from "./labels.js";

// FNV-1a 64-bit, kept as two unsigned 32-bit halves: plain numbers are exact up to 2^53, and the
// multiplication by the FNV prime 2^40 + 0x1b3 splits into products that stay below that.
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const PRIME_LO = 0x1b3;
const SEPARATOR = 0xff;
const encoder = new TextEncoder();

/**
 * Alertmanager's alert fingerprint (`model.LabelSet.Fingerprint` in prometheus/common): FNV-1a 64-bit
 * over the labels sorted by name, each written as `name 0xFF value 0xFF` in UTF-8, printed as 16
 * lowercase hex digits. Annotations are not part of it: an alert whose summary changes is the same
 * alert. Empty-valued labels count if present; pass {@link normalizeLabels}' output to match what
 * Alertmanager stores.
 *
 * @example
 * ```ts
 * fingerprint({ alertname: "GpuMemoryHigh", instance: "gpu-node-1", model: "resnet50", severity: "critical" });
 * // "8edc4dc61615cc0a"
 * ```
 */
export function fingerprint(labels: Labels): string {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  const add = (byte: number) => {
    lo = (lo ^ byte) >>> 0;
    // (hi·2^32 + lo) · (2^40 + 0x1b3) mod 2^64: lo·0x1b3 gives the low word and a carry; the high
    // word gets hi·0x1b3, the carry, and lo·2^8 (the 2^40 term shifted into the high word).
    const low = lo * PRIME_LO;
    const carry = Math.floor(low / 0x1_0000_0000);
    hi = (hi * PRIME_LO + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  };
  for (const name of Object.keys(labels).sort(compareNames)) {
    for (const byte of encoder.encode(name)) add(byte);
    add(SEPARATOR);
    for (const byte of encoder.encode(labels[name]!)) add(byte);
    add(SEPARATOR);
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}

/**
 * Alertmanager's group key: the route key (the path of matcher sets from the root, e.g.
 * `{}/{severity="critical"}`; see `routeKey` in routing.ts) and the group labels as
 * `LabelSet.String()`, joined by `:`. It names a group in the notification log, so it must not change
 * between versions. Integrations with length limits (PagerDuty's `dedup_key`) use the SHA-256 of this
 * key in hex (`notify.Key.Hash`); hashing is left to the channel that needs it, because this layer
 * does no I/O and imports no `node:crypto`.
 *
 * @example
 * ```ts
 * groupKey("{}", { alertname: "GpuMemoryHigh", model: "resnet50" });
 * // '{}:{alertname="GpuMemoryHigh", model="resnet50"}'
 * ```
 */
export function groupKey(routeKey: string, groupLabels: Labels): string {
  return `${routeKey}:${labelSetString(groupLabels)}`;
}
