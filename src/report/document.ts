/**
 * The content model of every document the system writes (model cards, optimization, learning-update
 * and health reports): typed sections of paragraphs, facts, tables and charts, built by pure
 * functions from what the API answers and rendered to Markdown or HTML by one renderer each. A
 * document holds no formatting decisions beyond words and numbers, so both renderers say the same.
 */

/** The kinds of document. */
export type DocumentKind = "model-card" | "optimization-report" | "learning-report" | "health-report";

/** Where a section's figures came from: an API path, a file, or a record, with what was read. */
export interface Source {
  /** e.g. `GET /v1/models/bike/windows?version=2011`, or `file: out/report.json`. */
  readonly ref: string;
  /** What of it, e.g. `window 2012-12-24 to 2012-12-31`. */
  readonly detail?: string;
}

/** A named value; `value` is already words (numbers formatted by the builder with formatNumber). */
export interface Fact {
  readonly label: string;
  readonly value: string;
}

/** One point of a chart series; `y` null is a gap (no value in that window). */
export interface ChartPoint {
  readonly x: number;
  readonly y: number | null;
  /** How the x value reads (a date, a candidate's id). */
  readonly label: string;
}

/** One line of a chart. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
}

/** A block of a section. */
export type Block =
  | { readonly kind: "paragraph"; readonly text: string }
  | { readonly kind: "facts"; readonly facts: readonly Fact[] }
  | { readonly kind: "list"; readonly items: readonly string[] }
  | {
      readonly kind: "table";
      readonly caption?: string;
      readonly columns: readonly string[];
      /** Which columns hold numbers (right-aligned). */
      readonly numeric?: readonly boolean[];
      readonly rows: readonly (readonly string[])[];
    }
  | {
      readonly kind: "chart";
      readonly title: string;
      readonly x: string;
      readonly y: string;
      /** Drawn as a dashed horizontal line: a threshold or a reference value. */
      readonly guides?: readonly { readonly label: string; readonly y: number }[];
      readonly series: readonly ChartSeries[];
      /** `line` for a series over time, `bar` for values per category (candidates). */
      readonly style: "line" | "bar";
    };

/** A section: a heading, its blocks and the data it came from. */
export interface Section {
  /** Stable and unique within the document (HTML anchors, tests). */
  readonly id: string;
  readonly heading: string;
  readonly blocks: readonly Block[];
  readonly sources: readonly Source[];
  /** Sub-sections (one level): per version, per candidate. */
  readonly subsections?: readonly Section[];
}

/**
 * A whole document.
 *
 * @example
 * ```ts
 * const card: ReportDocument = buildModelCard(input);
 * card.sections.map((s) => s.id); // ["intended-use", "inputs-outputs", …]
 * ```
 */
export interface ReportDocument {
  readonly kind: DocumentKind;
  readonly title: string;
  /** One line under the title. */
  readonly summary: string;
  /** When it was generated (ISO 8601), passed in: builders read no clock. */
  readonly generated: string;
  readonly sections: readonly Section[];
}

/** Formats of a document. */
export type DocumentFormat = "markdown" | "html";

/** Every {@link DocumentFormat}, as the CLI and the API list them. */
export const documentFormats: readonly DocumentFormat[] = ["markdown", "html"];

/** The media type of each format (served with `charset=utf-8`). */
export const documentMediaTypes: Readonly<Record<DocumentFormat, string>> = {
  markdown: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
};

/**
 * Every section and sub-section of a document, depth first (for tests and the table of contents).
 *
 * @example
 * ```ts
 * allSections(card).find((s) => s.id === "fairness");
 * ```
 */
export function allSections(document: ReportDocument): Section[] {
  const out: Section[] = [];
  const walk = (sections: readonly Section[]) => {
    for (const s of sections) {
      out.push(s);
      walk(s.subsections ?? []);
    }
  };
  walk(document.sections);
  return out;
}

/**
 * A time as the documents print it: `2012-12-24 00:00 UTC` (the date alone at midnight).
 *
 * @example
 * ```ts
 * timeText(Date.UTC(2012, 11, 24)); // "2012-12-24"
 * ```
 */
export function timeText(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  const iso = new Date(ms).toISOString();
  return iso.slice(11, 16) === "00:00" ? iso.slice(0, 10) : `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * A window or period as `from to to`.
 *
 * @example
 * ```ts
 * rangeText(0, 86_400_000); // "1970-01-01 to 1970-01-02"
 * ```
 */
export function rangeText(fromMs: number, toMs: number): string {
  return `${timeText(fromMs)} to ${timeText(toMs)}`;
}
