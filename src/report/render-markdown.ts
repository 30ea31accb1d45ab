import type { Block, ReportDocument, Section } from "./document.js";
import { formatNumber } from "./format.js";

/** markdownlint's default line length (MD013): every line that can be wrapped stays within it. */
const WIDTH = 80;

/**
 * A document as Markdown that passes markdownlint's default rules: text wrapped at 80 columns, one
 * top-level heading, unique headings, tables that fit in 80 columns (wider ones become one list item
 * per row), charts as tables of their points. Text's only markup is `code` spans; everything else
 * that Markdown would read as syntax is escaped.
 *
 * @example
 * ```ts
 * writeFileSync("card.md", renderDocumentMarkdown(buildModelCard(input, Date.now())));
 * ```
 */
export function renderDocumentMarkdown(document: ReportDocument): string {
  const out: string[] = [`# ${inline(document.title)}`, ""];
  out.push(...wrap(document.summary), "");
  out.push(...wrap(`Generated ${document.generated} by TikTokToe.`), "");
  for (const section of document.sections) out.push(...renderSection(section, 2));
  while (out.at(-1) === "") out.pop();
  return `${out.join("\n")}\n`;
}

function renderSection(section: Section, level: number): string[] {
  const out: string[] = [`${"#".repeat(level)} ${inline(section.heading)}`, ""];
  for (const block of section.blocks) out.push(...renderBlock(block), "");
  if (section.sources.length > 0) {
    out.push(...wrap(section.sources.length === 1 ? "Source:" : "Sources:"), "");
    for (const s of section.sources)
      out.push(...wrap(`\`${s.ref}\`${s.detail === undefined ? "" : ` — ${s.detail}`}`, "- ", "  "));
    out.push("");
  }
  for (const sub of section.subsections ?? []) out.push(...renderSection(sub, level + 1));
  return out;
}

function renderBlock(block: Block): string[] {
  switch (block.kind) {
    case "paragraph":
      return wrap(block.text);
    case "facts":
      return block.facts.flatMap((f) => wrap(`${f.label}: ${f.value}`, "- ", "  "));
    case "list":
      return block.items.flatMap((item) => wrap(item, "- ", "  "));
    case "table":
      return [
        ...(block.caption === undefined ? [] : [...wrap(`${block.caption}:`), ""]),
        ...table(block.columns, block.rows, block.numeric),
      ];
    case "chart": {
      const count = block.series.map((s) => s.points.length);
      const head = `Chart: ${block.title} (${count.join(" and ")} point${count.every((n) => n === 1) ? "" : "s"}${block.guides === undefined || block.guides.length === 0 ? "" : `; ${block.guides.map((g) => `${g.label} ${formatNumber(g.y)}`).join(", ")}`}):`;
      const labels = block.series[0]?.points.map((p) => p.label) ?? [];
      const rows = labels.map((label, i) => [
        label,
        ...block.series.map((s) => formatNumber(s.points[i]?.y ?? null)),
      ]);
      return [
        ...wrap(head),
        "",
        ...table([block.x, ...block.series.map((s) => s.name)], rows, [
          false,
          ...block.series.map(() => true),
        ]),
      ];
    }
  }
}

/** A GFM table when it fits in {@link WIDTH} columns, else one list item per row. */
function table(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[] = [],
): string[] {
  const cells = (row: readonly string[]) => row.map((c) => inline(c, true));
  const head = cells(columns);
  const body = rows.map(cells);
  const widths = head.map((h, i) => Math.max(3, h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  const lines = [line(head), rule, ...body.map(line)];
  if (lines.every((l) => l.length <= WIDTH)) return lines;
  return rows.flatMap((row) =>
    wrap(
      `${row[0] ?? ""}: ${row
        .slice(1)
        .map((c, i) => `${columns[i + 1]} ${c === "" ? "—" : c}`)
        .join("; ")}`,
      "- ",
      "  ",
    ),
  );
}

/**
 * Escapes Markdown syntax outside `code` spans (bare URLs become code spans, so that no rule reads
 * them as links); in table cells `|` too.
 */
function inline(text: string, cell = false): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => {
      if (i % 2 === 1) return part;
      return part
        .replace(/[\\*_[\]<>~|]/g, (c) => (c === "|" && !cell ? "\\|" : `\\${c}`))
        .replace(/(https?:\/\/[^\s)]+)/g, (url) => `\`${url.replace(/\\/g, "")}\``);
    })
    .join("");
}

/**
 * `text` escaped and wrapped at {@link WIDTH} columns: `first` prefixes the first line, `rest` the
 * others. Code spans never break; a word that would start a line and read as Markdown syntax there
 * (a list marker, a heading, a quote) is escaped.
 */
function wrap(text: string, first = "", rest = ""): string[] {
  // Words split at whitespace outside code spans: a code span never breaks.
  const words: string[] = [];
  let word = "";
  let inCode = false;
  for (const c of inline(text)) {
    if (c === "`") inCode = !inCode;
    if (!inCode && /\s/.test(c)) {
      if (word !== "") words.push(word);
      word = "";
    } else word += c;
  }
  if (word !== "") words.push(word);
  const lines: string[] = [];
  let current = first;
  let empty = true;
  const prefix = () => (lines.length === 0 ? first : rest);
  for (const raw of words) {
    const next = empty ? lineStart(raw) : raw;
    if (!empty && current.length + 1 + next.length > WIDTH) {
      lines.push(current);
      current = prefix() + lineStart(raw);
      continue;
    }
    current += empty ? next : ` ${next}`;
    empty = false;
  }
  lines.push(current);
  return lines.map((l) => l.trimEnd());
}

/** A word that would read as block syntax at the start of a line, escaped. */
function lineStart(word: string): string {
  // A list marker, a heading's hashes, an ordered list's number or a setext underline: only as a
  // whole word (a line that starts "0.1074" or "-0.5" is text).
  if (/^([-+*]|#{1,6}|\d{1,9}[.)]|=+|-+)$/.test(word)) return word.replace(/^(\d*)([-+*#=.)])/, "$1\\$2");
  return word;
}
