import { rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { TikTokToeError } from "../errors/index.js";

/**
 * Fails with a USAGE error when `file` cannot be a report's destination: its folder is missing or
 * not a folder, or `file` itself is a folder. Run before the work, so a long drift run does not end
 * in "cannot write".
 *
 * @example
 * ```ts
 * await checkOutputPath("reports/drift.html");
 * ```
 */
export async function checkOutputPath(file: string): Promise<void> {
  const folder = dirname(file);
  const folderStats = await stat(folder).catch(() => undefined);
  if (folderStats === undefined || !folderStats.isDirectory())
    throw outputError(
      file,
      `the folder ${folder} ${folderStats === undefined ? "does not exist" : "is not a folder"}`,
    );
  const fileStats = await stat(file).catch(() => undefined);
  if (fileStats?.isDirectory() === true) throw outputError(file, "it is a folder");
}

/**
 * Writes `text` to `file` atomically: a temporary file beside it, then a rename, so a failed or
 * interrupted run never leaves half a report behind. A failure names `file`, never the temporary.
 *
 * @example
 * ```ts
 * await writeFileAtomic("report.html", html);
 * ```
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, "utf8");
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw outputError(file, reasonOf(error, dirname(file)), error);
  }
}

function reasonOf(error: unknown, folder: string): string {
  switch ((error as { code?: unknown } | null)?.code) {
    case "ENOENT":
    case "ENOTDIR":
      return `the folder ${folder} does not exist`;
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return `permission denied in ${folder}`;
    case "EISDIR":
      return "it is a folder";
    case "ENOSPC":
      return "the disk is full";
    default:
      // The system's message names the temporary file, which the user never chose; keep its code.
      return `the system refused (${String((error as { code?: unknown } | null)?.code ?? "unknown error")})`;
  }
}

function outputError(file: string, reason: string, cause?: unknown): TikTokToeError {
  return new TikTokToeError("USAGE", `cannot write the report to ${file}: ${reason}`, {
    path: "--output",
    hint: "create the folder first, or give --output a path in a folder you can write to",
    ...(cause === undefined ? {} : { cause }),
  });
}
