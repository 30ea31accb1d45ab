import { rename, rm, writeFile } from "node:fs/promises";
import { TikTokToeError } from "../errors/index.js";

/**
 * Writes `text` to `file` atomically: a temporary file beside it, then a rename, so a failed or
 * interrupted run never leaves half a report behind.
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
    throw new TikTokToeError("USAGE", `cannot write the report: ${(error as Error).message}`, {
      file,
      path: "--output",
      hint: "check that the folder exists and is writable",
      cause: error,
    });
  }
}
