/**
 * TikTokToe's library API. Each surface re-exports its folder's public names; see README.md.
 */
export * from "./errors/index.js";
