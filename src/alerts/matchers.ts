/**
 * Label matchers, as Alertmanager writes and applies them: `name=value`, `name!=value`,
 * `name=~regex`, `name!~regex`. Routes, silences and inhibition rules all select alerts with them, so
 * a matcher copied from an Alertmanager configuration means the same thing here.
 */
import { compareNames, type Labels, labelValue, openMetricsQuote } from "./labels.js";

/**
 * The four operators.
 *
 * @example
 * ```ts
 * const type: MatchType = "=~";
 * ```
 */
export type MatchType = "=" | "!=" | "=~" | "!~";

/**
 * One matcher. Build it with {@link parseMatcher}, {@link newMatcher} or {@link matcherFromJson}, which
 * compile `regex` for the regex operators (anchored at both ends, as Alertmanager's
 * `^(?:regex)$`).
 *
 * @example
 * ```ts
 * const result = parseMatcher('severity=~"warning|critical"');
 * if (result.ok) matches(result.matcher, "critical"); // true
 * ```
 */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  /** The compiled, anchored regex of `=~` and `!~`; absent for `=` and `!=`. */
  readonly regex?: RegExp;
}

/**
 * Why a matcher could not be read: the input, what is wrong, and (where it helps) the 1-based column
 * of the offending character.
 *
 * @example
 * ```ts
 * const problem: MatcherProblem = { input: "model", message: "expected =, !=, =~ or !~ after the label name \"model\"", column: 6 };
 * ```
 */
export interface MatcherProblem {
  readonly input: string;
  readonly message: string;
  readonly column?: number;
}

/**
 * What {@link parseMatcher}, {@link newMatcher} and {@link matcherFromJson} return.
 *
 * @example
 * ```ts
 * const result: MatcherResult = parseMatcher("model=bike");
 * if (!result.ok) console.error(result.problem.message);
 * ```
 */
export type MatcherResult =
  | { readonly ok: true; readonly matcher: Matcher }
  | { readonly ok: false; readonly problem: MatcherProblem };

/**
 * What {@link parseMatchers} returns: every matcher, or every problem.
 *
 * @example
 * ```ts
 * const result: MatchersResult = parseMatchers('{model="bike", severity!="warning"}');
 * ```
 */
export type MatchersResult =
  | { readonly ok: true; readonly matchers: readonly Matcher[] }
  | { readonly ok: false; readonly problems: readonly MatcherProblem[] };

/**
 * The JSON form of a matcher in Alertmanager's API v2 (silences): `isEqual` false negates,
 * `isRegex` makes `value` a regex. `isEqual` defaults to true, as in Alertmanager.
 *
 * @example
 * ```ts
 * const json: MatcherJson = { name: "model", value: "bike", isRegex: false, isEqual: true };
 * ```
 */
export interface MatcherJson {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual?: boolean;
}

// Alertmanager's parser accepts `:` in names (`[a-zA-Z_:][a-zA-Z0-9_:]*`); so do we, so that any
// matcher it reads is read here too.
const nameStart = /[a-zA-Z_:]/;
const namePart = /[a-zA-Z0-9_:]/;
const nameRule = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// Go's regexp `\s`: the whitespace Alertmanager trims around each token (not Unicode spaces).
const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f";

/**
 * Parses one matcher in Alertmanager's syntax: a label name, an operator, and a value that may be
 * double-quoted; whitespace around each token is ignored. Inside the value `\"`, `\n` and `\\` are
 * escapes, a lone `\` is literal, and an unescaped `"` other than the enclosing pair is an error. A
 * regex is anchored at both ends and must compile. Never throws: a problem says what is wrong and
 * where.
 *
 * @example
 * ```ts
 * parseMatcher('severity=~"warning|critical"'); // { ok: true, matcher: { name: "severity", type: "=~", … } }
 * parseMatcher("severity"); // { ok: false, problem: { message: 'expected =, !=, =~ or !~ after the label name "severity"', … } }
 * ```
 */
export function parseMatcher(input: string): MatcherResult {
  const fail = (message: string, column?: number): MatcherResult => ({
    ok: false,
    problem: column === undefined ? { input, message } : { input, message, column },
  });
  let i = 0;
  while (isSpace(input[i])) i++;
  if (i === input.length)
    return fail("empty matcher; expected name=value, name!=value, name=~regex or name!~regex");
  const nameAt = i;
  if (!nameStart.test(input[i]!))
    return fail(
      `expected a label name at column ${i + 1}, found "${input[i]}"; names are letters, digits, _ and :, not starting with a digit`,
      i + 1,
    );
  while (i < input.length && namePart.test(input[i]!)) i++;
  const name = input.slice(nameAt, i);
  while (isSpace(input[i])) i++;
  const operator = (["=~", "!=", "!~", "="] as const).find((op) => input.startsWith(op, i));
  if (operator === undefined)
    return fail(
      i === input.length
        ? `expected =, !=, =~ or !~ after the label name "${name}"`
        : `expected =, !=, =~ or !~ after the label name "${name}", found "${input[i]}" at column ${i + 1}`,
      i + 1,
    );
  i += operator.length;
  while (isSpace(input[i])) i++;
  let end = input.length;
  while (end > i && isSpace(input[end - 1])) end--;
  const value = unescapeValue(input.slice(i, end), i);
  if (!value.ok) return fail(value.message, value.column);
  return newMatcher(name, operator, value.value, input);
}

function unescapeValue(
  raw: string,
  offset: number,
): { ok: true; value: string } | { ok: false; message: string; column: number } {
  const quoted = raw.startsWith('"');
  const body = quoted ? raw.slice(1) : raw;
  const start = quoted ? offset + 1 : offset;
  let value = "";
  let closed = !quoted;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\" && i < body.length - 1) {
      const next = body[++i]!;
      // Alertmanager's (OpenMetrics) escapes; any other `\x` keeps its backslash, so a regex such as
      // `\d+` can be written without doubling it.
      value += next === "n" ? "\n" : next === '"' || next === "\\" ? next : `\\${next}`;
      continue;
    }
    if (c === '"') {
      if (quoted && i === body.length - 1) {
        closed = true;
        continue;
      }
      return {
        ok: false,
        message: `unescaped double quote at column ${start + i + 1} in the value ${JSON.stringify(raw)}; write \\" for a literal quote`,
        column: start + i + 1,
      };
    }
    value += c;
  }
  if (!closed)
    return {
      ok: false,
      message: `the value ${JSON.stringify(raw)} opens a double quote that is never closed`,
      column: offset + 1,
    };
  return { ok: true, value };
}

/**
 * A matcher from its parts; compiles the regex of `=~` and `!~`. Go's RE2 and JavaScript differ a
 * little: a leading `(?i)`/`(?s)` flag group (RE2 syntax) becomes a JavaScript flag; the pattern is
 * compiled in Unicode mode, falling back to the legacy mode for escapes RE2 allows and Unicode mode
 * rejects (`\-`); look-arounds and back-references, which RE2 rejects, are accepted here.
 *
 * @example
 * ```ts
 * newMatcher("model", "=~", "res.*"); // { ok: true, matcher: { name: "model", type: "=~", value: "res.*", regex: /^(?:res.*)$/u } }
 * ```
 */
export function newMatcher(name: string, type: MatchType, value: string, input?: string): MatcherResult {
  const source = input ?? `${name}${type}${openMetricsQuote(value)}`;
  if (!nameRule.test(name))
    return {
      ok: false,
      problem: {
        input: source,
        message: `invalid label name ${JSON.stringify(name)}; names are letters, digits, _ and :, not starting with a digit`,
      },
    };
  if (type === "=" || type === "!=") return { ok: true, matcher: { name, type, value } };
  const regex = compileAnchored(value);
  if (typeof regex === "string")
    return {
      ok: false,
      problem: { input: source, message: `invalid regex ${JSON.stringify(value)}: ${regex}` },
    };
  return { ok: true, matcher: { name, type, value, regex } };
}

function compileAnchored(pattern: string): RegExp | string {
  let flags = "";
  let body = pattern;
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (leading) {
    for (const flag of leading[1]!) {
      if (flag !== "i" && flag !== "s")
        return `the flag group (?${leading[1]}) is not supported here; only (?i) and (?s) are`;
      if (!flags.includes(flag)) flags += flag;
    }
    body = pattern.slice(leading[0].length);
  }
  try {
    return new RegExp(`^(?:${body})$`, `${flags}u`);
  } catch (unicodeError) {
    try {
      return new RegExp(`^(?:${body})$`, flags);
    } catch {
      return (unicodeError as Error).message;
    }
  }
}

/**
 * Parses a list of matchers as Alertmanager's `ParseMatchers`: optionally in braces, separated by
 * commas outside double quotes, a trailing comma allowed. Reports every bad matcher, not only the
 * first. Whitespace is allowed inside the braces but not outside them: `' {foo="bar"}'` and
 * `'{foo="bar"} '` are errors, as in Alertmanager 0.25.
 *
 * @example
 * ```ts
 * parseMatchers('{model="bike", severity=~"critical|emergency"}'); // { ok: true, matchers: [ … two … ] }
 * ```
 */
export function parseMatchers(input: string): MatchersResult {
  // Alertmanager 0.25 strips one `{` and one `}` from the raw input, without trimming it first: a
  // space outside the braces leaves a brace in a matcher, which is then an error. Trimming here made
  // us accept configurations the real Alertmanager refuses to load.
  let text = input;
  if (text.startsWith("{")) text = text.slice(1);
  if (text.endsWith("}")) text = text.slice(0, -1);
  const tokens: string[] = [];
  let token = "";
  let quoted = false;
  let escaped = false;
  for (const c of text) {
    if (c === "," && !quoted) {
      tokens.push(token);
      token = "";
      continue;
    }
    if (c === '"') {
      if (!escaped) quoted = !quoted;
      escaped = false;
    } else if (c === "\\") escaped = !escaped;
    else escaped = false;
    token += c;
  }
  if (token.trim() !== "") tokens.push(token);
  const matchers: Matcher[] = [];
  const problems: MatcherProblem[] = [];
  for (const t of tokens) {
    const result = parseMatcher(t);
    if (result.ok) matchers.push(result.matcher);
    else problems.push(result.problem);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, matchers };
}

/**
 * A matcher from its API v2 JSON form (`isEqual` defaults to true).
 *
 * @example
 * ```ts
 * matcherFromJson({ name: "severity", value: "warning|critical", isRegex: true }); // severity=~"warning|critical"
 * ```
 */
export function matcherFromJson(json: MatcherJson): MatcherResult {
  const equal = json.isEqual ?? true;
  const type: MatchType = json.isRegex ? (equal ? "=~" : "!~") : equal ? "=" : "!=";
  return newMatcher(json.name, type, json.value);
}

/**
 * The API v2 JSON form of a matcher.
 *
 * @example
 * ```ts
 * matcherToJson(matcher); // { name: "model", value: "bike", isRegex: false, isEqual: true }
 * ```
 */
export function matcherToJson(matcher: Matcher): MatcherJson {
  return {
    name: matcher.name,
    value: matcher.value,
    isRegex: matcher.type === "=~" || matcher.type === "!~",
    isEqual: matcher.type === "=" || matcher.type === "=~",
  };
}

/**
 * A matcher printed as Alertmanager prints it: `name`, the operator, the value in double quotes with
 * OpenMetrics escapes. Parsing the output gives the same matcher back.
 *
 * @example
 * ```ts
 * matcherString({ name: "team", type: "=", value: 'a"b' }); // 'team="a\\"b"'
 * ```
 */
export function matcherString(matcher: Matcher): string {
  return `${matcher.name}${matcher.type}${openMetricsQuote(matcher.value)}`;
}

/**
 * A list of matchers as Alertmanager's `Matchers.String()`: `{a="1",b=~"2"}` in the given order, no
 * spaces. This is one segment of a route key.
 *
 * @example
 * ```ts
 * matchersString(sortMatchers(route.matchers)); // '{model=~"res.*",severity=~"warning|critical"}'
 * ```
 */
export function matchersString(matchers: readonly Matcher[]): string {
  return `{${matchers.map(matcherString).join(",")}}`;
}

const typeOrder: Readonly<Record<MatchType, number>> = { "=": 0, "!=": 1, "=~": 2, "!~": 3 };

/**
 * A sorted copy, in Alertmanager's order (name, then value, then operator `=` `!=` `=~` `!~`), which
 * it applies to a route's matchers before printing its key.
 *
 * @example
 * ```ts
 * sortMatchers([severity, model]); // [model, severity]
 * ```
 */
export function sortMatchers(matchers: readonly Matcher[]): Matcher[] {
  return [...matchers].sort(
    (a, b) =>
      compareNames(a.name, b.name) || compareNames(a.value, b.value) || typeOrder[a.type] - typeOrder[b.type],
  );
}

/**
 * Whether one matcher accepts a label value; a missing label is the empty string, as in
 * Alertmanager (so `team=""` matches alerts without `team`, and `team!~".+"` too).
 *
 * @example
 * ```ts
 * matches(matcher, labels.severity);
 * ```
 */
export function matches(matcher: Matcher, value: string | undefined): boolean {
  const v = value ?? "";
  switch (matcher.type) {
    case "=":
      return v === matcher.value;
    case "!=":
      return v !== matcher.value;
    case "=~":
      return regexOf(matcher).test(v);
    case "!~":
      return !regexOf(matcher).test(v);
  }
}

// A matcher written as a literal (not built by newMatcher) has no compiled regex: compile it once. An
// invalid one matches nothing, which is the safe reading for a silence or a route.
const compiled = new WeakMap<Matcher, RegExp>();
const nothing = /(?!)/;
function regexOf(matcher: Matcher): RegExp {
  if (matcher.regex !== undefined) return matcher.regex;
  let regex = compiled.get(matcher);
  if (regex === undefined) {
    const result = compileAnchored(matcher.value);
    regex = typeof result === "string" ? nothing : result;
    compiled.set(matcher, regex);
  }
  return regex;
}

/**
 * Whether every matcher accepts the labels (true for no matchers: the root route matches all).
 *
 * @example
 * ```ts
 * matchesAll(route.matchers, { model: "bike", severity: "critical" });
 * ```
 */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matches(m, labelValue(labels, m.name)));
}
