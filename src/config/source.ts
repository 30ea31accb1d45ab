/**
 * From text to a value plus a way to find where a path was written. YAML is read by the `yaml`
 * package, whose syntax tree keeps every node's offsets; JSON is read by `JSON.parse` (strict JSON,
 * as the extension promises) and then also by `yaml` — JSON is YAML 1.2 — only to find positions.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { ConfigProblem } from "./problems.js";

/**
 * The formats a configuration file may have, chosen by its extension.
 *
 * @example
 * ```ts
 * const format: ConfigFormat = "yaml";
 * ```
 */
export type ConfigFormat = "yaml" | "json";

/**
 * A 1-based line and column.
 *
 * @example
 * ```ts
 * const position: SourcePosition = { line: 4, column: 11 };
 * ```
 */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Finds where a path was written: `"key"` for the key itself (an unknown key), `"value"` for its
 * value. A path deeper than the file goes gives the deepest part that exists.
 *
 * @example
 * ```ts
 * const locate: Locate = readSource("monitor:\n  windw: 1h\n", "yaml").locate;
 * locate(["monitor", "windw"], "key"); // { line: 2, column: 3 }
 * ```
 */
export type Locate = (path: readonly PropertyKey[], at: "key" | "value") => SourcePosition | undefined;

/**
 * What reading the text gave.
 *
 * @example
 * ```ts
 * const source: ConfigSource = readSource("monitor: { window: 1h }", "yaml");
 * console.log(source.value, source.problems.length); // { monitor: { window: "1h" } } 0
 * ```
 */
export interface ConfigSource {
  /** The document's value; `undefined` when the text could not be read (see `problems`). */
  readonly value: unknown;
  /** Syntax problems and duplicate keys. */
  readonly problems: readonly ConfigProblem[];
  readonly locate: Locate;
}

const yamlSyntaxHint =
  "fix the YAML at this line: indentation, a missing ':' or closing bracket, or quote a value that contains ': ' or '#'";

/**
 * Reads YAML text. A syntax error makes the value `undefined`; duplicate keys are reported but the
 * rest is still checked, so a user sees them together with every other problem.
 *
 * @example
 * ```ts
 * const source = readSource("monitor:\n  window: 1h\n", "yaml");
 * source.locate(["monitor", "window"], "value"); // { line: 2, column: 11 }
 * ```
 */
export function readSource(text: string, format: ConfigFormat): ConfigSource {
  // A byte-order mark is not part of the document (editors on Windows add one).
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  return format === "json" ? readJson(body) : readYaml(body);
}

function readYaml(text: string): ConfigSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locate = locator(doc, lines);
  const problems = duplicateKeys(doc, lines);
  const syntax = doc.errors.filter((error) => error.code !== "DUPLICATE_KEY");
  for (const error of syntax) {
    const { line, col } = lines.linePos(error.pos[0]);
    problems.push({
      kind: "syntax",
      path: "",
      line,
      column: col,
      message: error.message,
      hint: yamlSyntaxHint,
    });
  }
  if (syntax.length > 0) return { value: undefined, problems, locate };
  try {
    // An empty file (or only comments) is an empty configuration: every default.
    const value: unknown = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 1000 });
    return { value, problems, locate };
  } catch (error) {
    // toJS throws for alias expansion beyond maxAliasCount (a "billion laughs" document).
    const message = error instanceof Error ? error.message : String(error);
    problems.push({ kind: "syntax", path: "", message, hint: "use fewer YAML aliases (*name)" });
    return { value: undefined, problems, locate };
  }
}

function readJson(text: string): ConfigSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locate = locator(doc, lines);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 says "… in JSON at position N"; the end of input when it does not say.
    const offset = Number(/at position (\d+)/.exec(message)?.[1] ?? text.length);
    const { line, col } = lines.linePos(offset);
    return {
      value: undefined,
      problems: [
        {
          kind: "syntax",
          path: "",
          line,
          column: col,
          message: message.replace(/ in JSON at position \d+.*$/, ""),
          hint: "fix the JSON at this line: JSON allows no comments, no trailing commas and only double-quoted strings",
        },
      ],
      locate,
    };
  }
  // JSON.parse keeps the last of two equal keys without a word; say so, as for YAML.
  return { value, problems: duplicateKeys(doc, lines), locate };
}

function duplicateKeys(doc: Document, lines: LineCounter): ConfigProblem[] {
  return doc.errors
    .filter((error) => error.code === "DUPLICATE_KEY")
    .map((error) => {
      const { line, col } = lines.linePos(error.pos[0]);
      const path = pathAtKey(doc, error.pos[0]);
      const key = path?.at(-1) ?? "";
      return {
        kind: "duplicate_key" as const,
        path: path === undefined ? "" : formatKeys(path),
        line,
        column: col,
        message: `the key ${JSON.stringify(key)} appears more than once in the same mapping`,
        hint: "keep one of them: a parser would silently use only one",
      };
    });
}

function formatKeys(path: readonly string[]): string {
  return path.map((key) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key))).join(".");
}

/** The path of the mapping key that starts at `offset`, found by walking the tree. */
function pathAtKey(doc: Document, offset: number): string[] | undefined {
  const walk = (node: unknown, path: string[]): string[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyText(pair.key);
        const keyNode = pair.key as Node | null;
        if (keyNode?.range?.[0] === offset) return [...path, key];
        const found = walk(pair.value, [...path, key]);
        if (found !== undefined) return found;
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const found = walk(item, [...path, String(index)]);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function locator(doc: Document, lines: LineCounter): Locate {
  return (path, at) => {
    let node: unknown = doc.contents;
    let offset = (node as Node | null)?.range?.[0];
    for (const [index, segment] of path.entries()) {
      if (isAlias(node)) node = node.resolve(doc);
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => keyText(item.key) === String(segment));
        if (pair === undefined) break;
        const keyStart = (pair.key as Node | null)?.range?.[0];
        const valueStart = (pair.value as Node | null)?.range?.[0];
        // An empty value (`window:`) has a zero-width node right after the colon; point at the key.
        const valueEmpty = isScalar(pair.value) && pair.value.value === null && pair.value.source === "";
        offset = last && at === "key" ? keyStart : valueEmpty ? keyStart : (valueStart ?? keyStart);
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) break;
        offset = (item as Node | null)?.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}
