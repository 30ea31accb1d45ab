import { TikTokToeError } from "../../errors/index.js";

/** The deepest nesting a JSON body may have: real configurations and metadata stay far below it. */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON request body. The nesting depth is checked on the text first, without recursion, so a
 * body of `[[[[…` a million deep is a 400 naming the limit instead of a stack overflow later (in
 * validation, storage or serialisation, which all walk the value recursively).
 *
 * @example
 * ```ts
 * const body = parseJsonBody('{"version":"2","meta":{"owner":"ml"}}');
 * ```
 */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const depth = nestingDepth(text, maxDepth);
  if (depth > maxDepth)
    throw new TikTokToeError("REQUEST_INVALID", `the body is nested deeper than ${maxDepth} levels`, {
      path: "",
      hint: "flatten the value (metadata is a shallow object of strings and numbers)",
    });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TikTokToeError("REQUEST_INVALID", `the body is not valid JSON: ${(error as Error).message}`, {
      path: "",
    });
  }
}

/**
 * The deepest nesting of arrays and objects in a JSON text, stopping as soon as it passes `stopAbove`.
 * Brackets inside strings are skipped; the text need not be valid JSON (parsing says so afterwards).
 *
 * @example
 * ```ts
 * nestingDepth('{"a":[1,{"b":"]"}]}'); // 3
 * ```
 */
export function nestingDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
