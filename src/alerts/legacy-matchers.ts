/**
 * Alertmanager's deprecated matcher maps, still valid in 0.25 and in most copied configurations:
 * `match` / `match_re` on routes, `source_match` / `source_match_re` / `target_match` /
 * `target_match_re` on inhibition rules. Read once here, so routes and inhibition rules agree.
 */
import { type Matcher, newMatcher } from "./matchers.js";

/**
 * A problem in a legacy matcher map, with the path of the entry at fault.
 *
 * @example
 * ```ts
 * const problem: LegacyMatcherProblem = { path: "inhibit_rules[0].source_match_re.env", message: 'invalid regex "(": …' };
 * ```
 */
export interface LegacyMatcherProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * The matchers of one legacy map (label name → value), as Alertmanager 0.25 builds them
 * (`NewRoute` in dispatch/route.go, `NewInhibitRule` in inhibit/inhibit.go): one `=` matcher per
 * entry of an equality map; for a regex map, one `=~` matcher whose value is the regex as
 * `config.Regexp` prints it, `^(?:regex)$`, so route keys agree with Alertmanager's. `undefined` and
 * `null` (a YAML key with nothing after it) are an empty map, as Go's YAML reads them. Problems are
 * pushed to `problems` with `path.name`.
 *
 * @example
 * ```ts
 * const problems: LegacyMatcherProblem[] = [];
 * legacyMatchers({ env: "prod|staging" }, "=~", "inhibit_rules[0].source_match_re", problems);
 * // [{ name: "env", type: "=~", value: "^(?:prod|staging)$", regex: /^(?:^(?:prod|staging)$)$/u }]
 * ```
 */
export function legacyMatchers(
  table: unknown,
  type: "=" | "=~",
  path: string,
  problems: LegacyMatcherProblem[],
): Matcher[] {
  if (table === undefined || table === null) return [];
  if (typeof table !== "object" || Array.isArray(table)) {
    problems.push({ path, message: "must be a map of label name to value" });
    return [];
  }
  const out: Matcher[] = [];
  for (const [name, raw] of Object.entries(table as Record<string, unknown>)) {
    // YAML scalars such as 500 or true are read as text, as Go's yaml.v2 reads them into a string.
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
      problems.push({ path: `${path}.${name}`, message: "must be a string" });
      continue;
    }
    const value = type === "=" ? String(raw) : `^(?:${String(raw)})$`;
    const result = newMatcher(name, type, value);
    if (result.ok) out.push(result.matcher);
    else problems.push({ path: `${path}.${name}`, message: result.problem.message });
  }
  return out;
}
