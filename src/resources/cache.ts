import { type MetricDefinition, sampleOf } from "./metric-definition.js";
import {
  type CollectError,
  type Collector,
  type CollectResult,
  collectResult,
  errorMessage,
  type ResourceSample,
} from "./port.js";
import { type ProcOptions, readProc } from "./proc-source.js";
import { parseMeminfo } from "./procfs.js";

/**
 * The cache metrics: the OS page cache (node_exporter's names) and the server's own caches
 * (`tiktoktoe_cache_*{cache}`).
 *
 * @example
 * ```ts
 * cacheMetrics.hits.metric; // "tiktoktoe_cache_hits_total"
 * ```
 */
export const cacheMetrics = {
  pageCache: {
    metric: "node_memory_Cached_bytes",
    type: "gauge",
    help: "Memory information field Cached_bytes.",
  },
  buffers: {
    metric: "node_memory_Buffers_bytes",
    type: "gauge",
    help: "Memory information field Buffers_bytes.",
  },
  hits: { metric: "tiktoktoe_cache_hits_total", type: "counter", help: "Lookups answered by the cache." },
  misses: {
    metric: "tiktoktoe_cache_misses_total",
    type: "counter",
    help: "Lookups the cache could not answer.",
  },
  entries: { metric: "tiktoktoe_cache_entries", type: "gauge", help: "Entries held by the cache." },
  bytes: { metric: "tiktoktoe_cache_size_bytes", type: "gauge", help: "Bytes held by the cache." },
  hitRatio: {
    metric: "tiktoktoe_cache_hit_ratio",
    type: "gauge",
    help: "Hits over lookups since the cache was created (0 to 1); windows compute it from deltas.",
  },
} as const satisfies Record<string, MetricDefinition>;

/**
 * What a cache tells the registry: its name and getters read at every collection (getters, not
 * values, so the cache keeps counting on its own hot path and pays nothing between collections).
 *
 * @example
 * ```ts
 * const source: CacheSource = {
 *   name: "reference-profiles", hits: () => lru.hits, misses: () => lru.misses,
 *   entries: () => lru.size, bytes: () => lru.bytes,
 * };
 * ```
 */
export interface CacheSource {
  /** A short stable name, used as the `cache` label (`[a-zA-Z0-9_.:-]+`). */
  readonly name: string;
  /** Lookups answered since the cache was created; never decreases. */
  hits(): number;
  /** Lookups not answered since the cache was created; never decreases. */
  misses(): number;
  entries(): number;
  bytes(): number;
}

/**
 * The server's caches, registered by name so the cache collector can read them. Registering a name
 * twice is a bug and throws; `register` returns the function that unregisters.
 *
 * @example
 * ```ts
 * const caches = new CacheRegistry();
 * const unregister = caches.register(source);
 * // … on shutdown
 * unregister();
 * ```
 */
export class CacheRegistry {
  private readonly sources = new Map<string, CacheSource>();

  register(source: CacheSource): () => void {
    if (!/^[a-zA-Z0-9_.:-]+$/.test(source.name))
      throw new RangeError(`cache name "${source.name}" is not valid`);
    if (this.sources.has(source.name)) throw new RangeError(`cache "${source.name}" is already registered`);
    this.sources.set(source.name, source);
    return () => {
      if (this.sources.get(source.name) === source) this.sources.delete(source.name);
    };
  }

  /** The registered caches, in registration order. */
  list(): CacheSource[] {
    return [...this.sources.values()];
  }
}

/**
 * Which caches the cache collector reads.
 *
 * @example
 * ```ts
 * new CacheCollector({ registry: caches });
 * ```
 */
export interface CacheCollectorOptions extends ProcOptions {
  readonly registry?: CacheRegistry;
}

/**
 * The OS page cache (`Cached` and `Buffers` from `/proc/meminfo`) and every registered cache's
 * hits, misses, entries, bytes and lifetime hit ratio. A cache whose getter throws or answers
 * something that is not a finite non-negative number is an error entry; the others are reported.
 *
 * @example
 * ```ts
 * const { samples } = await new CacheCollector({ registry: caches }).collect();
 * ```
 */
export class CacheCollector implements Collector {
  readonly name = "cache";
  private readonly procPath: string;
  readonly registry: CacheRegistry;

  constructor(options: CacheCollectorOptions = {}) {
    this.procPath = options.procPath ?? "/proc";
    this.registry = options.registry ?? new CacheRegistry();
  }

  async collect(): Promise<CollectResult> {
    const samples: ResourceSample[] = [];
    const errors: CollectError[] = [];
    try {
      const fields = parseMeminfo(await readProc(this.procPath, "meminfo"));
      const cached = fields.get("Cached");
      const buffers = fields.get("Buffers");
      if (cached !== undefined) samples.push(sampleOf(cacheMetrics.pageCache, cached));
      if (buffers !== undefined) samples.push(sampleOf(cacheMetrics.buffers, buffers));
    } catch (error) {
      errors.push({ source: "/proc/meminfo", message: errorMessage(error) });
    }
    for (const source of this.registry.list()) {
      try {
        const read = (what: string, getter: () => number) => {
          const value = getter.call(source);
          if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
            throw new RangeError(`${what}() answered ${String(value)}, not a count`);
          }
          return value;
        };
        const hits = read("hits", source.hits);
        const misses = read("misses", source.misses);
        const entries = read("entries", source.entries);
        const bytes = read("bytes", source.bytes);
        const labels = { cache: source.name };
        samples.push(
          sampleOf(cacheMetrics.hits, hits, labels),
          sampleOf(cacheMetrics.misses, misses, labels),
          sampleOf(cacheMetrics.entries, entries, labels),
          sampleOf(cacheMetrics.bytes, bytes, labels),
        );
        // No lookups yet: the ratio is undefined, and a made-up 0 or 1 would set off alerts.
        if (hits + misses > 0) samples.push(sampleOf(cacheMetrics.hitRatio, hits / (hits + misses), labels));
      } catch (error) {
        errors.push({ source: `cache:${source.name}`, message: errorMessage(error) });
      }
    }
    return collectResult(this.name, samples, errors);
  }
}
