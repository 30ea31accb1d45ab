import { TikTokToeError } from "../errors/index.js";
import type { FeatureSpec, ModelRecord } from "../store/index.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Column keys the window uses for the prediction and the target, such as `(prediction)`. */
const RESERVED = /^\(.*\)$/;

/**
 * Validates the body of `POST /v1/models`: `{ name, task, features: [{name, type, role?, drift?}], classes? }`.
 * `drift: false` keeps a column out of drift testing (docs/server.md); sensitive attributes are
 * never drift-tested, so `drift: true` on one is a contradiction and reported.
 * Every problem is reported at once, each with its JSON path.
 *
 * @example
 * ```ts
 * const model = parseModelDefinition(JSON.parse(body), Date.now());
 * ```
 */
export function parseModelDefinition(value: unknown, createdMs: number): ModelRecord {
  const problems: Array<{ path: string; message: string }> = [];
  const fail = (path: string, message: string) => problems.push({ path, message });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TikTokToeError("REQUEST_INVALID", "the body must be a JSON object", { path: "" });
  }
  const body = value as Record<string, unknown>;
  for (const key of Object.keys(body))
    if (!["name", "task", "features", "classes"].includes(key)) fail(key, "unknown field");
  if (typeof body.name !== "string" || !NAME.test(body.name))
    fail("name", "a name of 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  if (body.task !== "binary" && body.task !== "multiclass" && body.task !== "regression")
    fail("task", 'one of "binary", "multiclass", "regression"');
  const features: FeatureSpec[] = [];
  if (!Array.isArray(body.features) || body.features.length === 0)
    fail("features", "a non-empty array of columns");
  else
    for (const [i, raw] of (body.features as unknown[]).entries()) {
      const path = `features[${i}]`;
      if (typeof raw !== "object" || raw === null) {
        fail(path, "an object {name, type, role?, drift?}");
        continue;
      }
      const f = raw as Record<string, unknown>;
      for (const key of Object.keys(f))
        if (!["name", "type", "role", "drift"].includes(key)) fail(`${path}.${key}`, "unknown field");
      if (typeof f.name !== "string" || f.name === "") fail(`${path}.name`, "a non-empty string");
      else if (RESERVED.test(f.name))
        fail(
          `${path}.name`,
          `"${f.name}" is reserved: names in parentheses are the prediction's and target's`,
        );
      else if (f.name.length > 256) fail(`${path}.name`, "at most 256 characters");
      else if (features.some((g) => g.name === f.name)) fail(`${path}.name`, `duplicate column "${f.name}"`);
      if (f.type !== "numeric" && f.type !== "categorical")
        fail(`${path}.type`, 'one of "numeric", "categorical"');
      if (f.role !== undefined && f.role !== "feature" && f.role !== "sensitive")
        fail(`${path}.role`, 'one of "feature", "sensitive"');
      if (f.drift !== undefined && typeof f.drift !== "boolean")
        fail(`${path}.drift`, "true (the default: drift-tested) or false (kept and shown, not drift-tested)");
      else if (f.drift === true && f.role === "sensitive")
        fail(`${path}.drift`, "sensitive attributes are never drift-tested: leave drift out");
      if (typeof f.name === "string" && (f.type === "numeric" || f.type === "categorical"))
        features.push({
          name: f.name,
          type: f.type,
          role: f.role === "sensitive" ? "sensitive" : "feature",
          ...(f.drift === false ? { drift: false as const } : {}),
        });
    }
  let classes: string[] | undefined;
  if (body.classes !== undefined) {
    if (
      !Array.isArray(body.classes) ||
      body.classes.some((c) => typeof c !== "string" && typeof c !== "number")
    )
      fail("classes", "an array of class labels");
    else {
      classes = body.classes.map(String);
      if (new Set(classes).size !== classes.length) fail("classes", "class labels must be distinct");
    }
  }
  if (body.task === "binary" && classes?.length !== 2)
    fail("classes", "a binary model declares exactly two classes (negative, positive)");
  if (body.task === "regression" && classes !== undefined)
    fail("classes", "a regression model has no classes");
  if (problems.length > 0)
    throw new TikTokToeError("REQUEST_INVALID", problems.map((p) => `${p.path}: ${p.message}`).join("; "), {
      path: problems[0]!.path,
      problems,
    });
  return {
    name: body.name as string,
    task: body.task as ModelRecord["task"],
    features,
    ...(classes === undefined ? {} : { classes }),
    createdMs,
  };
}
