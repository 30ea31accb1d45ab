import { lint } from "markdownlint/sync";

/**
 * markdownlint 0.37.4 with its default rules (no configuration) on `text`: one line per problem,
 * `line N: MDxxx detail`, empty when it passes.
 *
 * @example
 * ```ts
 * assert.deepEqual(markdownProblems(renderDocumentMarkdown(doc)), []);
 * ```
 */
export function markdownProblems(text: string): string[] {
  const result = lint({ strings: { document: text } });
  return (result.document ?? []).map(
    (e) =>
      `line ${e.lineNumber}: ${e.ruleNames.join("/")} ${e.ruleDescription}${e.errorDetail ? ` (${e.errorDetail})` : ""}: ${text.split("\n")[e.lineNumber - 1]}`,
  );
}
