export { type ErrorCode, errorCodes } from "./codes.js";
export { columnMissingError } from "./column-missing.js";
export { suggest } from "./suggest.js";
export {
  type ErrorLocation,
  isTikTokToeError,
  TikTokToeError,
  type TikTokToeErrorOptions,
} from "./tiktoktoe-error.js";
