/**
 * Sticky routing: a request key hashes to one of 10,000 buckets, and the canary takes the buckets
 * below its weight, so one user (one key) sees one version for a whole step and keeps it as the
 * weight grows (a bucket under 5 % is also under 25 %).
 */

/** Buckets of the hash: weights are given to 0.01 %. */
export const BUCKETS = 10_000;

const encoder = new TextEncoder();

/**
 * FNV-1a, 32 bits, over the key's UTF-8 bytes: stable across processes, machines and versions of
 * Node (the replicas of a scale-out must agree without talking), and cheap.
 *
 * @example
 * ```ts
 * fnv1a32("a"); // 0xe40c292c
 * ```
 */
export function fnv1a32(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The bucket 0…9,999 of a request key.
 *
 * @example
 * ```ts
 * routingBucket("user-42"); // the same number on every replica
 * ```
 */
export function routingBucket(key: string): number {
  return fnv1a32(key) % BUCKETS;
}

/**
 * Whether a request with this key goes to the canary at `weightPercent` (0–100).
 *
 * @example
 * ```ts
 * routesToCanary("user-42", 25); // true for about a quarter of the keys
 * ```
 */
export function routesToCanary(key: string, weightPercent: number): boolean {
  return routingBucket(key) < Math.round(weightPercent * (BUCKETS / 100));
}
