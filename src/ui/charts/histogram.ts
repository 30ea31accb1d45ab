import type { Histogram } from "../api.js";
import { formatNumber, h } from "../format.js";

const SVG = "http://www.w3.org/2000/svg";

function el(name: string, attributes: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  return node;
}

/** Room between two tick labels (SVG units: CSS px at the figure's natural width). */
const TICK_GAP = 8;
/** The axis text's size (styles.css `.histogram .axis-text`). */
const FONT_PX = 11;
/** A category name longer than this is shortened on the axis (the full name in its tooltip). */
const MAX_LABEL = 14;

let measure: CanvasRenderingContext2D | null | undefined;

/** A label's width at the axis font, measured by the browser (with a margin for its rounding). */
function textWidth(text: string): number {
  if (measure === undefined) {
    measure = document.createElement("canvas").getContext("2d");
    if (measure !== null)
      measure.font = `${FONT_PX}px ${getComputedStyle(document.body).fontFamily || "sans-serif"}`;
  }
  // Without a canvas, an upper bound: no glyph of the axis font is wider than 0.7 em.
  return measure === null ? text.length * FONT_PX * 0.7 : Math.ceil(measure.measureText(text).width * 1.1);
}

function shorten(label: string): string {
  return label.length <= MAX_LABEL ? label : `${label.slice(0, MAX_LABEL - 1)}…`;
}

/**
 * The reference and current distributions of one column side by side (shares of each sample), with
 * the bin edges or categories on the x axis and percentages on the y axis.
 */
export function histogramChart(histogram: Histogram, column: string): HTMLElement {
  const width = 560;
  const height = 220;
  const left = 44;
  const bottom = 40;
  const top = 10;
  const labels =
    histogram.kind === "numeric"
      ? histogram.reference.map((_, i) => formatNumber(histogram.edges[i]!, 3))
      : histogram.categories;
  const bins = histogram.reference.length;
  const max = Math.max(1e-9, ...histogram.reference, ...histogram.current);
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "histogram",
    role: "img",
    "aria-label": `Distribution of ${column}: reference and current shares over ${bins} ${histogram.kind === "numeric" ? "bins" : "categories"}`,
  });
  const band = plotW / Math.max(1, bins);
  const y = (share: number) => top + plotH - (share / max) * plotH;
  for (const tick of [0, 0.5, 1]) {
    const value = tick * max;
    svg.append(el("line", { x1: left, x2: width - 8, y1: y(value), y2: y(value), class: "grid-line" }));
    const text = el("text", { x: left - 4, y: y(value) + 4, "text-anchor": "end", class: "axis-text" });
    text.textContent = `${(value * 100).toFixed(value * 100 < 10 ? 1 : 0)}%`;
    svg.append(text);
  }
  for (let i = 0; i < bins; i++) {
    const x = left + i * band;
    const w = Math.max(1, band / 2 - 1);
    svg.append(
      el("rect", {
        x,
        y: y(histogram.reference[i]!),
        width: w,
        height: top + plotH - y(histogram.reference[i]!),
        class: "bar-reference",
      }),
      el("rect", {
        x: x + w,
        y: y(histogram.current[i]!),
        width: w,
        height: top + plotH - y(histogram.current[i]!),
        class: "bar-current",
      }),
    );
  }
  // Tick labels: every `step`-th bin, the smallest step at which no two labels (and not the last
  // edge's, right-aligned at the end) come closer than a gap. Widths are measured in the SVG's own
  // units, so the choice holds at whatever size the figure is drawn.
  const shown = labels.map((l) => shorten(l));
  const widths = shown.map(textWidth);
  const endLabel = histogram.kind === "numeric" ? formatNumber(histogram.edges.at(-1)!, 3) : null;
  const endStart = endLabel === null ? Number.POSITIVE_INFINITY : width - 8 - textWidth(endLabel);
  const fits = (step: number) => {
    let right = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < bins; i += step) {
      const x = left + i * band;
      if (x < right + TICK_GAP) return false;
      right = x + widths[i]!;
    }
    return true;
  };
  let step = 1;
  while (step < bins && !fits(step)) step++;
  let ticks = 0;
  for (let i = 0; i < bins; i += step) {
    const x = left + i * band;
    // The last edge's label wins over a bin label it would touch (the data's range stays readable).
    if (i > 0 && x + widths[i]! > endStart - TICK_GAP) break;
    const text = el("text", { x, y: height - bottom + 14, class: "axis-text tick-x" });
    text.textContent = shown[i] ?? "";
    if (shown[i] !== labels[i]) {
      const title = el("title", {});
      title.textContent = labels[i] ?? "";
      text.append(title);
    }
    svg.append(text);
    ticks++;
  }
  if (endLabel !== null) {
    const text = el("text", {
      x: width - 8,
      y: height - bottom + 14,
      "text-anchor": "end",
      class: "axis-text tick-x",
    });
    text.textContent = endLabel;
    svg.append(text);
    ticks++;
  }
  svg.setAttribute("data-ticks", String(ticks));
  const caption = el("text", {
    x: left + plotW / 2,
    y: height - 6,
    "text-anchor": "middle",
    class: "axis-text",
  });
  caption.textContent = histogram.kind === "numeric" ? `${column} (bin start)` : column;
  svg.append(caption);
  return h(
    "figure",
    { class: "histogram-figure" },
    svg as unknown as HTMLElement,
    h(
      "figcaption",
      { class: "legend" },
      h("span", { class: "legend-item" }, h("span", { class: "swatch bar-reference" }), "reference"),
      h("span", { class: "legend-item" }, h("span", { class: "swatch bar-current" }), "current window"),
    ),
  );
}
