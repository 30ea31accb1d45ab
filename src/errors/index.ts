export { type ErrorCode, errorCodes } from "./codes.js";
export {
  type ErrorLocation,
  isTikTokToeError,
  TikTokToeError,
  type TikTokToeErrorOptions,
} from "./tiktoktoe-error.js";
