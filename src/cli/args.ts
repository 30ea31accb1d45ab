import { type ParseArgsConfig, parseArgs } from "node:util";
import { TikTokToeError } from "../errors/index.js";

/**
 * Parses a command's arguments strictly (unknown options and stray positionals are usage errors
 * that name the offending argument).
 *
 * @example
 * ```ts
 * const { values } = parseCommandArgs(argv, { alpha: { type: "string" } }, "drift");
 * ```
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: readonly string[],
  options: T,
  command: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new TikTokToeError("USAGE", message, { hint: `see: tiktoktoe ${command} --help` });
  }
}

/**
 * A required string option, or a usage error naming it.
 *
 * @example
 * ```ts
 * const reference = required(values.reference, "--reference", "drift");
 * ```
 */
export function required(value: string | undefined, option: string, command: string): string {
  if (value === undefined || value === "")
    throw new TikTokToeError("USAGE", `missing required option ${option}`, {
      path: option,
      hint: `see: tiktoktoe ${command} --help`,
    });
  return value;
}

/**
 * A number option within [min, max] (exclusive bounds when `open`), or a usage error.
 *
 * @example
 * ```ts
 * numberOption("0.01", "--alpha", { min: 0, max: 1, open: true }); // 0.01
 * ```
 */
export function numberOption(
  value: string,
  option: string,
  range: { readonly min: number; readonly max: number; readonly open?: boolean },
): number {
  const parsed = Number(value);
  const inside = range.open
    ? parsed > range.min && parsed < range.max
    : parsed >= range.min && parsed <= range.max;
  if (value.trim() === "" || !Number.isFinite(parsed) || !inside) {
    const interval = range.open ? `(${range.min}, ${range.max})` : `[${range.min}, ${range.max}]`;
    throw new TikTokToeError("USAGE", `${option} must be a number in ${interval}, got "${value}"`, {
      path: option,
    });
  }
  return parsed;
}

/**
 * One of a fixed set of words, or a usage error listing them.
 *
 * @example
 * ```ts
 * choiceOption("holm", "--correction", ["bonferroni", "holm", "bh", "none"]); // "holm"
 * ```
 */
export function choiceOption<T extends string>(value: string, option: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new TikTokToeError("USAGE", `${option} must be one of ${choices.join(", ")}; got "${value}"`, {
      path: option,
    });
  return value as T;
}

/**
 * A comma-separated list option (`a,b,c`), trimmed, empty items dropped.
 *
 * @example
 * ```ts
 * listOption("temp, hum"); // ["temp", "hum"]
 * ```
 */
export function listOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
