import { readFileSync, writeFileSync } from "node:fs";
import { repoPath } from "../testing/paths.js";

/**
 * Replaces the section named `name` of docs/benchmarks.md (between `<!-- bench:NAME -->` and
 * `<!-- /bench:NAME -->`) with `body`, appending the section when it is new.
 *
 * @example
 * ```ts
 * writeBenchSection("drift", "| … |");
 * ```
 */
export function writeBenchSection(name: string, body: string): void {
  const file = repoPath("docs", "benchmarks.md");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text =
      "# Benchmarks\n\nMeasured by `npm run bench`; each section is rewritten by the run that measured it.\n";
  }
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + section + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
