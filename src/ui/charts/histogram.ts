import type { Histogram } from "../api.js";
import { formatNumber, h } from "../format.js";

const SVG = "http://www.w3.org/2000/svg";

function el(name: string, attributes: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  return node;
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
  const every = Math.max(1, Math.ceil(bins / 8));
  for (let i = 0; i < bins; i += every) {
    const text = el("text", { x: left + i * band, y: height - bottom + 14, class: "axis-text" });
    text.textContent = labels[i] ?? "";
    svg.append(text);
  }
  if (histogram.kind === "numeric") {
    const text = el("text", {
      x: width - 8,
      y: height - bottom + 14,
      "text-anchor": "end",
      class: "axis-text",
    });
    text.textContent = formatNumber(histogram.edges.at(-1)!, 3);
    svg.append(text);
  }
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
