/**
 * Mergeable, bounded-memory summaries of a stream, pure (no I/O, no clock, randomness injected): the
 * monitoring server's per-window state. {@link DDSketch} gives quantiles within a relative error α;
 * {@link Reservoir} keeps a uniform sample of rows. Both merge exactly and serialise to JSON.
 */
export {
  DDSKETCH_DEFAULT_MAX_BUCKETS,
  DDSKETCH_DEFAULT_RELATIVE_ACCURACY,
  DDSketch,
  type DDSketchBucketsJSON,
  type DDSketchJSON,
  type DDSketchOptions,
} from "./ddsketch.js";
export {
  RESERVOIR_DEFAULT_CAPACITY,
  Reservoir,
  type ReservoirJSON,
  type ReservoirOptions,
} from "./reservoir.js";
