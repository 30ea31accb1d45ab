import type { Block, ReportDocument, Section } from "./document.js";
import { formatNumber } from "./format.js";
import { escapeHtml } from "./html.js";

const W = 640;
const H = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 40 };
const COLORS = ["#3b6fd8", "#e07a1f", "#2f8f46", "#8e44ad", "#c9302c", "#16a2b8"];

/**
 * A document as one self-contained HTML file: inline CSS, charts as inline SVG, no script, no
 * network (a Content-Security-Policy says so), a table of contents, and print CSS so the browser's
 * "print to PDF" gives a clean document.
 *
 * @example
 * ```ts
 * writeFileSync("card.html", renderDocumentHtml(buildModelCard(input, Date.now())));
 * ```
 */
export function renderDocumentHtml(document: ReportDocument): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="TikTokToe">
<title>${escapeHtml(document.title)}</title>
<style>
:root { color-scheme: light dark; --fg: #1d2430; --muted: #5b6577; --bg: #ffffff; --card: #f5f7fa; --line: #d5dae2; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa4b5; --bg: #14171c; --card: #1d2129; --line: #343a46; } }
body { font: 14px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 24px auto; max-width: 960px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; } .summary { color: var(--muted); margin: 0 0 4px; } .generated { color: var(--muted); font-size: 12px; }
nav ol { margin: 8px 0 0; padding-left: 20px; columns: 2; font-size: 13px; } a { color: inherit; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; } caption { text-align: left; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 12px 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
figcaption { font-size: 13px; margin-bottom: 4px; } svg { display: block; width: 100%; height: auto; }
svg text { fill: var(--muted); font-size: 10px; } svg .grid { stroke: var(--line); } svg .guide { stroke: var(--muted); stroke-dasharray: 4 3; }
.legend { font-size: 12px; color: var(--muted); } .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; vertical-align: -1px; }
.sources { font-size: 12px; color: var(--muted); margin: 6px 0 0; padding-left: 18px; } code { font-size: 12px; }
@media print {
  :root { --fg: #000; --muted: #444; --bg: #fff; --card: #fff; --line: #bbb; }
  body { margin: 0; max-width: none; font-size: 11pt; } nav { display: none; }
  section, figure, table, dl { break-inside: avoid; } h2, h3 { break-after: avoid; }
  @page { margin: 16mm 14mm; }
}
</style>
</head>
<body>
<header>
<h1>${escapeHtml(document.title)}</h1>
<p class="summary">${text(document.summary)}</p>
<p class="generated">Generated ${escapeHtml(document.generated)} by TikTokToe.</p>
<nav><ol>${document.sections.map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.heading)}</a></li>`).join("")}</ol></nav>
</header>
<main>
${document.sections.map((s) => section(s, 2)).join("\n")}
</main>
</body>
</html>
`;
}

function section(s: Section, level: number): string {
  return `<section id="${escapeHtml(s.id)}" data-section="${escapeHtml(s.id)}">
<h${level}>${escapeHtml(s.heading)}</h${level}>
${s.blocks.map(block).join("\n")}
${
  s.sources.length === 0
    ? ""
    : `<ul class="sources">${s.sources.map((src) => `<li>Source: <code>${escapeHtml(src.ref)}</code>${src.detail === undefined ? "" : ` — ${escapeHtml(src.detail)}`}</li>`).join("")}</ul>`
}
${(s.subsections ?? []).map((sub) => section(sub, level + 1)).join("\n")}
</section>`;
}

/** Text with its `code` spans. */
function text(value: string): string {
  return value
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : escapeHtml(part)))
    .join("");
}

function block(b: Block): string {
  switch (b.kind) {
    case "paragraph":
      return `<p>${text(b.text)}</p>`;
    case "facts":
      return `<dl class="facts">${b.facts.map((f) => `<dt>${text(f.label)}</dt><dd>${text(f.value)}</dd>`).join("")}</dl>`;
    case "list":
      return `<ul>${b.items.map((i) => `<li>${text(i)}</li>`).join("")}</ul>`;
    case "table": {
      const num = (i: number) => (b.numeric?.[i] ? ' class="num"' : "");
      return `<table>${b.caption === undefined ? "" : `<caption>${text(b.caption)}</caption>`}
<thead><tr>${b.columns.map((c, i) => `<th${num(i)}>${text(c)}</th>`).join("")}</tr></thead>
<tbody>${b.rows.map((r) => `<tr>${r.map((c, i) => `<td${num(i)}>${text(c)}</td>`).join("")}</tr>`).join("\n")}</tbody></table>`;
    }
    case "chart":
      return chart(b);
  }
}

type Chart = Extract<Block, { kind: "chart" }>;

/**
 * A line chart (x by value: time) or a grouped bar chart (x by position: categories) as inline SVG;
 * each non-null point is a `circle` or `rect` of class `point` with its value as a tooltip, and the
 * SVG carries `data-points` (points per series) for readers and tests.
 */
function chart(c: Chart): string {
  const values = [
    ...c.series.flatMap((s) => s.points.map((p) => p.y)),
    ...(c.guides ?? []).map((g) => g.y),
  ].filter((y): y is number => y !== null && Number.isFinite(y));
  let low = Math.min(0, ...values);
  let high = Math.max(...values, low + 1e-9);
  if (c.style === "line" && values.length > 0) {
    low = Math.min(...values);
    const span = high - low || Math.abs(high) || 1;
    low -= span * 0.05;
    high += span * 0.05;
  }
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - ((v - low) / (high - low)) * plotH;
  const labels = c.series[0]?.points ?? [];
  const n = labels.length;
  const xs = labels.map((p) => p.x);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const xLine = (x: number) => PAD.left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW);
  const slot = plotW / Math.max(1, n);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => low + f * (high - low))
    .map(
      (v) =>
        `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text x="${PAD.left - 4}" y="${(y(v) + 3).toFixed(1)}" text-anchor="end">${escapeHtml(formatNumber(v))}</text>`,
    )
    .join("");
  const guides = (c.guides ?? [])
    .map(
      (g) =>
        `<line class="guide" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(g.y).toFixed(1)}" y2="${y(g.y).toFixed(1)}"/><text x="${W - PAD.right}" y="${(y(g.y) - 3).toFixed(1)}" text-anchor="end">${escapeHtml(`${g.label} ${formatNumber(g.y)}`)}</text>`,
    )
    .join("");
  const every = Math.max(1, Math.ceil(n / 8));
  const xLabels = labels
    .map((p, i) => {
      // Every `every`-th label, and the last unless it would crowd the one before it.
      const last = i === n - 1 && (n - 1) % every >= every / 2;
      if (i % every !== 0 && !last) return "";
      const x = c.style === "bar" ? PAD.left + (i + 0.5) * slot : xLine(p.x);
      const label = p.label.length > 12 ? `${p.label.slice(0, 11)}…` : p.label;
      const anchor = c.style === "bar" ? "middle" : i === 0 ? "start" : i === n - 1 ? "end" : "middle";
      return `<text x="${x.toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="${anchor}">${escapeHtml(label)}</text>`;
    })
    .join("");
  const marks = c.series
    .map((s, k) => {
      const color = COLORS[k % COLORS.length]!;
      const tip = (label: string, v: number) =>
        `<title>${escapeHtml(`${s.name}, ${label}: ${formatNumber(v)}`)}</title>`;
      if (c.style === "bar") {
        const barW = (slot * 0.8) / c.series.length;
        return s.points
          .map((p, i) => {
            if (p.y === null) return "";
            const x = PAD.left + i * slot + slot * 0.1 + k * barW;
            const top = Math.min(y(p.y), y(0));
            return `<rect class="point" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.abs(y(0) - y(p.y)).toFixed(1)}" fill="${color}">${tip(p.label, p.y)}</rect>`;
          })
          .join("");
      }
      // Gaps (null) break the line into runs.
      const runs: string[][] = [[]];
      for (const p of s.points) {
        if (p.y === null) runs.push([]);
        else runs.at(-1)!.push(`${xLine(p.x).toFixed(1)},${y(p.y).toFixed(1)}`);
      }
      const lines = runs
        .filter((r) => r.length > 1)
        .map((r) => `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${r.join(" ")}"/>`)
        .join("");
      const dots = s.points
        .map((p) =>
          p.y === null
            ? ""
            : `<circle class="point" cx="${xLine(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="2.5" fill="${color}">${tip(p.label, p.y)}</circle>`,
        )
        .join("");
      return lines + dots;
    })
    .join("");
  const legend = c.series
    .map((s, k) => `<span style="background:${COLORS[k % COLORS.length]}"></span>${escapeHtml(s.name)}`)
    .join("");
  return `<figure>
<figcaption>${text(c.title)}</figcaption>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(c.title)}" data-chart="${escapeHtml(c.title)}" data-points="${c.series.map((s) => s.points.length).join(",")}">
${grid}${guides}${marks}${xLabels}<text x="${PAD.left + plotW / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(c.x)}</text></svg>
<div class="legend">${legend}</div>
</figure>`;
}
