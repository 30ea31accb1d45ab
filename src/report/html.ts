import type { DriftColumnReport, DriftReport, Histogram } from "../drift/index.js";
import { effectText, excludedLines, formatNumber, verdictText } from "./format.js";

const WIDTH = 360;
const HEIGHT = 150;
const PAD = { left: 36, right: 8, top: 8, bottom: 34 };

/**
 * A drift report as one self-contained HTML file: no script, no network; per column its two
 * distributions drawn as inline SVG and its verdict; readable in light and dark themes.
 *
 * @example
 * ```ts
 * writeFileSync("drift.html", renderDriftHtml(report));
 * ```
 */
export function renderDriftHtml(report: DriftReport, options: { readonly title?: string } = {}): string {
  const title = options.title ?? "TikTokToe drift report";
  const rank = { emergency: 3, critical: 2, warning: 1, ok: 0 } as const;
  const columns = [...report.columns].sort((a, b) => rank[b.severity] - rank[a.severity]);
  const features = report.columns.filter((c) => c.dimension === "feature").length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
:root { color-scheme: light dark; --fg: #1d2430; --muted: #5b6577; --bg: #ffffff; --card: #f5f7fa; --line: #d5dae2;
  --ref: #3b6fd8; --cur: #e07a1f; --ok: #2f8f46; --warning: #b58100; --critical: #c9302c; --emergency: #8b0000; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa4b5; --bg: #14171c; --card: #1d2129; --line: #343a46;
  --ref: #6f9bff; --cur: #ffa654; --ok: #5cc47a; --warning: #e5b53a; --critical: #ff6b66; --emergency: #ff4d4d; } }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } p { margin: 4px 0; color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; margin-top: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card h2 { font-size: 15px; margin: 0; display: flex; justify-content: space-between; gap: 8px; }
.badge { font-size: 12px; padding: 1px 8px; border-radius: 10px; color: #fff; text-transform: uppercase; }
.ok { background: var(--ok); } .warning { background: var(--warning); } .critical { background: var(--critical); } .emergency { background: var(--emergency); }
.meta { font-size: 12px; color: var(--muted); } svg text { fill: var(--muted); font-size: 10px; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; vertical-align: -1px; }
table { border-collapse: collapse; margin-top: 6px; font-size: 12px; } td { padding: 1px 10px 1px 0; }
</style>
</head>
<body>
<h1>${escapeHtml(title)} <span class="badge ${report.severity}">${report.severity}</span></h1>
<p>${report.drifted_columns} drifted column(s) — ${formatNumber(report.share * 100)}% of ${features} features; dataset drift: ${report.dataset_drift ? "yes" : "no"}.
${report.tests > 0 ? `${report.tests} feature tests at α = ${report.alpha}, ${escapeHtml(report.correction)} correction, threshold ${formatNumber(report.families.feature.threshold)}.` : `Method: ${escapeHtml(report.method)}.`}</p>
${report.reference && report.current ? `<p>Reference <code>${escapeHtml(report.reference.source)}</code> (${report.reference.rows} rows) · current <code>${escapeHtml(report.current.source)}</code> (${report.current.rows} rows)</p>` : ""}
${excludedLines(report)
  .map((line) => `<p class="excluded">Not tested: ${escapeHtml(line)}.</p>`)
  .join("\n")}
<p class="legend"><span style="background:var(--ref)"></span>reference<span style="background:var(--cur)"></span>current</p>
<div class="grid">
${columns.map(card).join("\n")}
</div>
</body>
</html>
`;
}

function card(column: DriftColumnReport): string {
  return `<section class="card" id="col-${escapeHtml(column.column)}">
<h2><span>${escapeHtml(column.column)}</span><span class="badge ${column.severity}">${column.severity}</span></h2>
<div class="meta">${column.type} · ${column.dimension} · ${escapeHtml(column.method)}${column.effect_size_method ? ` + ${column.effect_size_method}` : ""}</div>
${chart(column.histogram)}
<table>
<tr><td>statistic</td><td>${formatNumber(column.statistic)}</td></tr>
<tr><td>${column.p_value === null ? "distance" : "p-value"}</td><td>${escapeHtml(verdictText(column))}</td></tr>
${column.effect_size === undefined ? "" : `<tr><td>effect size</td><td>${escapeHtml(effectText(column))}</td></tr>`}
<tr><td>rows</td><td>${column.n_reference} vs ${column.n_current} (missing ${column.missing_reference} / ${column.missing_current})</td></tr>
</table>
</section>`;
}

function chart(histogram: Histogram): string {
  const bins = histogram.reference.length;
  const peak = Math.max(...histogram.reference, ...histogram.current, 1e-12);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const barW = plotW / bins;
  const y = (share: number) => PAD.top + plotH - (share / peak) * plotH;
  const bars = (shares: number[], offset: number, width: number, color: string) =>
    shares
      .map(
        (s, i) =>
          `<rect x="${(PAD.left + i * barW + offset).toFixed(1)}" y="${y(s).toFixed(1)}" width="${width.toFixed(1)}" height="${(PAD.top + plotH - y(s)).toFixed(1)}" fill="${color}"><title>${(s * 100).toFixed(2)}%</title></rect>`,
      )
      .join("");
  const axis = `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotH}" stroke="currentColor" stroke-opacity="0.3"/>
<text x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end">${(peak * 100).toFixed(0)}%</text><text x="${PAD.left - 4}" y="${PAD.top + plotH}" text-anchor="end">0</text>`;
  let labels: string;
  if (histogram.kind === "numeric") {
    const first = histogram.edges[0]!;
    const last = histogram.edges[histogram.edges.length - 1]!;
    const mid = histogram.edges[Math.floor(histogram.edges.length / 2)]!;
    labels = `<text x="${PAD.left}" y="${HEIGHT - 18}">${formatNumber(first)}</text><text x="${PAD.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle">${formatNumber(mid)}</text><text x="${WIDTH - PAD.right}" y="${HEIGHT - 18}" text-anchor="end">${formatNumber(last)}</text>`;
  } else {
    labels = histogram.categories
      .map((c, i) =>
        bins <= 12 || i % Math.ceil(bins / 12) === 0
          ? `<text x="${(PAD.left + (i + 0.5) * barW).toFixed(1)}" y="${HEIGHT - 18}" text-anchor="middle">${escapeHtml(c.length > 8 ? `${c.slice(0, 7)}…` : c)}</text>`
          : "",
      )
      .join("");
  }
  const half = barW / 2;
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="reference and current distributions">
${bars(histogram.reference, 0.5, half - 0.5, "var(--ref)")}${bars(histogram.current, half, half - 0.5, "var(--cur)")}
${axis}${labels}</svg>`;
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml("<a & b>"); // "&lt;a &amp; b&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
