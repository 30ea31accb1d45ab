import { formatNumber, h } from "../format.js";

const SVG = "http://www.w3.org/2000/svg";

/** A small inline trend line (SVG, no axes) with the threshold as a dashed line. */
export function sparkline(
  values: ReadonlyArray<number | null>,
  options: {
    readonly threshold?: number;
    readonly label: string;
    readonly width?: number;
    readonly height?: number;
  },
): Element {
  const width = options.width ?? 120;
  const height = options.height ?? 28;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("role", "img");
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  svg.setAttribute("data-points", String(values.length));
  const last = finite.at(-1);
  svg.setAttribute(
    "aria-label",
    `${options.label}: ${finite.length} windows${last === undefined ? "" : `, last ${formatNumber(last)}`}`,
  );
  if (finite.length === 0) return h("span", { class: "muted" }, "no values");
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (options.threshold !== undefined) {
    lo = Math.min(lo, options.threshold);
    hi = Math.max(hi, options.threshold);
  }
  if (!(hi > lo)) hi = lo + 1;
  const x = (i: number) => (values.length <= 1 ? width / 2 : (i / (values.length - 1)) * (width - 2) + 1);
  const y = (v: number) => height - 2 - ((v - lo) / (hi - lo)) * (height - 4);
  if (options.threshold !== undefined) {
    const line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "0");
    line.setAttribute("x2", String(width));
    line.setAttribute("y1", String(y(options.threshold)));
    line.setAttribute("y2", String(y(options.threshold)));
    line.setAttribute("class", "spark-threshold");
    svg.append(line);
  }
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  path.setAttribute("class", "spark-line");
  svg.append(path);
  return svg;
}
