/**
 * Reading a configuration file by path: the one function of this folder that does I/O.
 */
import { readFile } from "node:fs/promises";
import { TikTokToeError } from "../errors/index.js";
import { configFormatOf, parseConfig } from "./parse.js";
import { configError } from "./problems.js";
import type { MonitorConfig } from "./resolve.js";

/**
 * Reads and parses a configuration file (`.yaml`, `.yml` or `.json`). Throws a {@link TikTokToeError}:
 * INPUT_NOT_FOUND when the file is absent, unreadable or a directory; INPUT_FORMAT for another
 * extension; CONFIG_INVALID listing every problem, with lines and columns.
 *
 * @example
 * ```ts
 * const config = await loadConfig("monitor.yaml");
 * const bike = resolveModelConfig(config, "bike");
 * ```
 */
export async function loadConfig(file: string): Promise<MonitorConfig> {
  const format = configFormatOf(file);
  if (format === undefined) {
    throw new TikTokToeError(
      "INPUT_FORMAT",
      `${file} is not a configuration file: its extension must be .yaml, .yml or .json`,
      {
        file,
        hint: "rename the file to .yaml (or .json if it is JSON)",
      },
    );
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw unreadable(file, error);
  }
  const result = parseConfig(text, { format });
  if (!result.ok) throw configError(result.problems, file);
  return result.config;
}

function unreadable(file: string, error: unknown): TikTokToeError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    code === "ENOENT"
      ? "does not exist"
      : code === "EISDIR"
        ? "is a directory, not a file"
        : code === "EACCES" || code === "EPERM"
          ? "cannot be read (permission denied)"
          : `cannot be read (${error instanceof Error ? error.message : String(error)})`;
  return new TikTokToeError("INPUT_NOT_FOUND", `configuration file ${file} ${reason}`, {
    file,
    hint: `check the path given to --config; a relative path starts from ${process.cwd()}`,
    cause: error,
  });
}
