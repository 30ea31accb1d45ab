/**
 * TikTokToe's library API: the error type, the pure statistics and drift engine, the data readers,
 * the report renderers and the parallel runner. See README.md and docs/.
 */
export * from "./data/index.js";
export * from "./drift/index.js";
export * from "./errors/index.js";
export * from "./parallel/index.js";
export * from "./report/index.js";
export * from "./stats/index.js";
