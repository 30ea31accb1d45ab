import type { z } from "zod";
import { TikTokToeError } from "../../errors/index.js";

/**
 * A zod issue path as the API's errors write it: `features[0].type`.
 *
 * @example
 * ```ts
 * fieldPath(["features", 0, "type"]); // "features[0].type"
 * ```
 */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let text = "";
  for (const part of path)
    text += typeof part === "number" ? `[${part}]` : text === "" ? String(part) : `.${String(part)}`;
  return text;
}

/** Each problem of a failed parse, with its field path (an unknown key is its own problem). */
function problemsOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => ({ path: fieldPath([...issue.path, key]), message: "unknown field" }));
    return [{ path: fieldPath(issue.path), message: issue.message }];
  });
}

/**
 * Checks a request's part (its JSON body, path or query parameters) against the contract's schema and
 * throws `REQUEST_INVALID` naming the first field (`location.path`) and listing every problem. The
 * value itself is left as it came: the handlers read what the client sent.
 *
 * @example
 * ```ts
 * validateRequest(api.registerModel.body.content["application/json"].schema, body);
 * ```
 */
export function validateRequest(schema: z.ZodType, value: unknown, what = "the body"): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const problems = problemsOf(result.error);
  const first = problems[0]!;
  // A message that names its field already (`points must be …`) is not prefixed with it again.
  const line = (p: { path: string; message: string }) =>
    p.path === "" || new RegExp(`\\b${p.path.replace(/[^\w]/g, "\\$&")}\\b`).test(p.message)
      ? p.message
      : `${p.path}: ${p.message}`;
  throw new TikTokToeError(
    "REQUEST_INVALID",
    problems.length === 1 && first.path === "" ? `${what}: ${first.message}` : problems.map(line).join("; "),
    { path: first.path, problems },
  );
}

/**
 * The query parameters a schema declares, as an object (absent ones left out; the first of repeated ones).
 *
 * @example
 * ```ts
 * queryObject(["from", "to"], new URLSearchParams("from=0")); // { from: "0" }
 * ```
 */
export function queryObject(names: readonly string[], query: URLSearchParams): Record<string, string> {
  const object: Record<string, string> = {};
  for (const name of names) {
    const value = query.get(name);
    if (value !== null) object[name] = value;
  }
  return object;
}
