export { decodeModel } from "./decode.js";
export { encodeModel } from "./encode.js";
export type * from "./types.js";
