import { TikTokToeError } from "../errors/index.js";
import type { Row } from "./features.js";

/**
 * A consistency rule across fields, written as an arithmetic comparison over column names:
 * `registered + casual == cnt`, `temp <= atemp + 0.2`, `(a - b) * 2 != 0`. Operators `+ - * /`,
 * parentheses, unary minus, numbers, and one comparison `== != < <= > >=`; `==` and `!=` compare
 * within `tolerance` (absolute, default 1e-9), so float sums compare sensibly.
 *
 * @example
 * ```ts
 * const rule: ConsistencyRule = { name: "counts add up", expression: "registered + casual == cnt" };
 * ```
 */
export interface ConsistencyRule {
  readonly name: string;
  readonly expression: string;
  readonly tolerance?: number;
}

type Expr =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "column"; readonly name: string }
  | { readonly kind: "negate"; readonly operand: Expr }
  | {
      readonly kind: "binary";
      readonly op: "+" | "-" | "*" | "/";
      readonly left: Expr;
      readonly right: Expr;
    };

const comparisons = ["==", "!=", "<=", ">=", "<", ">"] as const;
type Comparison = (typeof comparisons)[number];

/**
 * A parsed rule: `evaluate(row)` is true (holds), false (violated) or undefined (a field it reads is
 * missing or not a number, so the rule says nothing about this row — the completeness and type
 * checks report those).
 *
 * @example
 * ```ts
 * const rule = compileRule({ name: "sum", expression: "a + b == c" });
 * rule.evaluate({ a: 1, b: 2, c: 3 }); // true
 * ```
 */
export interface CompiledRule {
  readonly rule: ConsistencyRule;
  readonly columns: readonly string[];
  evaluate(row: Row): boolean | undefined;
}

/**
 * Parses a rule; a syntax error is CONFIG_INVALID with the rule's name and the position.
 *
 * @example
 * ```ts
 * compileRule({ name: "sum", expression: "registered + casual == cnt" }).columns; // ["registered", "casual", "cnt"]
 * ```
 */
export function compileRule(rule: ConsistencyRule, path = "rules"): CompiledRule {
  const tokens = tokenize(rule.expression, rule, path);
  let at = 0;
  const fail = (message: string): never => {
    throw new TikTokToeError(
      "CONFIG_INVALID",
      `rule "${rule.name}": ${message} in ${JSON.stringify(rule.expression)}`,
      { path, hint: "write a comparison such as `registered + casual == cnt`" },
    );
  };
  const peek = () => tokens[at];
  const columns: string[] = [];
  const primary = (): Expr => {
    const token = tokens[at++];
    if (token === undefined) return fail("the expression ends too early");
    if (token === "(") {
      const inner = sum();
      if (tokens[at++] !== ")") fail("a ')' is missing");
      return inner;
    }
    if (token === "-") return { kind: "negate", operand: primary() };
    if (/^[0-9.]/.test(token)) {
      const value = Number(token);
      if (!Number.isFinite(value)) fail(`"${token}" is not a number`);
      return { kind: "number", value };
    }
    if (/^[A-Za-z_`]/.test(token)) {
      const name = token.startsWith("`") ? token.slice(1, -1) : token;
      if (!columns.includes(name)) columns.push(name);
      return { kind: "column", name };
    }
    return fail(`unexpected "${token}"`);
  };
  const product = (): Expr => {
    let left = primary();
    while (peek() === "*" || peek() === "/") {
      const op = tokens[at++] as "*" | "/";
      left = { kind: "binary", op, left, right: primary() };
    }
    return left;
  };
  const sum = (): Expr => {
    let left = product();
    while (peek() === "+" || peek() === "-") {
      const op = tokens[at++] as "+" | "-";
      left = { kind: "binary", op, left, right: product() };
    }
    return left;
  };
  const left = sum();
  const op = tokens[at++];
  if (op === undefined || !(comparisons as readonly string[]).includes(op))
    fail("a comparison (== != < <= > >=) is missing");
  const right = sum();
  if (at !== tokens.length) fail(`unexpected "${tokens[at]}"`);
  const tolerance = rule.tolerance ?? 1e-9;
  const comparison = op as Comparison;
  return {
    rule,
    columns,
    evaluate(row: Row): boolean | undefined {
      const a = evaluate(left, row);
      const b = evaluate(right, row);
      if (a === undefined || b === undefined) return undefined;
      switch (comparison) {
        case "==":
          return Math.abs(a - b) <= tolerance;
        case "!=":
          return Math.abs(a - b) > tolerance;
        case "<":
          return a < b;
        case "<=":
          return a <= b + tolerance;
        case ">":
          return a > b;
        case ">=":
          return a >= b - tolerance;
      }
    },
  };
}

function evaluate(expr: Expr, row: Row): number | undefined {
  switch (expr.kind) {
    case "number":
      return expr.value;
    case "column": {
      const value = row[expr.name];
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    }
    case "negate": {
      const value = evaluate(expr.operand, row);
      return value === undefined ? undefined : -value;
    }
    case "binary": {
      const a = evaluate(expr.left, row);
      const b = evaluate(expr.right, row);
      if (a === undefined || b === undefined) return undefined;
      return expr.op === "+" ? a + b : expr.op === "-" ? a - b : expr.op === "*" ? a * b : a / b;
    }
  }
}

function tokenize(text: string, rule: ConsistencyRule, path: string): string[] {
  const tokens: string[] = [];
  const pattern =
    /\s*(?:(==|!=|<=|>=|<|>|[-+*/()])|([0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+)|([A-Za-z_][A-Za-z0-9_.]*)|(`[^`]+`))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null)
      throw new TikTokToeError(
        "CONFIG_INVALID",
        `rule "${rule.name}": cannot read ${JSON.stringify(text.slice(at).trim())} in ${JSON.stringify(text)}`,
        { path, hint: "use column names, numbers, + - * / ( ) and one comparison" },
      );
    tokens.push((match[1] ?? match[2] ?? match[3] ?? match[4])!);
    at = pattern.lastIndex;
  }
  return tokens;
}
