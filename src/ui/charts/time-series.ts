import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { cssVar, formatNumber, formatTime, h, settings, zoneName } from "../format.js";

/** One line of a chart. */
export interface Line {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
  /** A CSS custom property holding the colour, e.g. "--series-1". */
  readonly color: string;
  readonly dash?: number[];
  /** Draw as bars (event volume) rather than a line. */
  readonly bars?: boolean;
}

/** A chart: x in ms, lines, thresholds drawn in. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** Unit shown on the axis and in the caption, e.g. "ms", "rentals/h", "%". */
  readonly unit: string;
  readonly x: readonly number[];
  readonly lines: readonly Line[];
  readonly thresholds?: ReadonlyArray<{ readonly value: number; readonly label: string }>;
  /**
   * Reference levels (e.g. the metric on the reference data), drawn like thresholds but in the
   * baseline colour with a shorter dash, labelled, and kept inside the y range.
   */
  readonly baselines?: ReadonlyArray<{ readonly value: number; readonly label: string }>;
  readonly height?: number;
  /** Start the y axis at zero (volumes, errors). */
  readonly fromZero?: boolean;
  /** Cursors of charts with the same key move together. */
  readonly syncKey?: string;
  /** Multiplies values for display (ratios shown as %). */
  readonly scale?: number;
  /**
   * The x axis's extent in ms: the range the page asked for. Without it uPlot pads a single point
   * into years on either side.
   */
  readonly xRange?: readonly [number, number];
}

/** A rendered chart; `destroy` frees it. */
export interface Chart {
  readonly figure: HTMLElement;
  destroy(): void;
}

/**
 * Horizontal threshold lines with their labels, drawn on top of the series. Labels of lines closer
 * than a text line apart are set side by side, so two thresholds never print over each other. The
 * labels' boxes (CSS px, relative to the plot) go to `placed` for tests.
 */
function thresholdPlugin(
  thresholds: ReadonlyArray<{ readonly value: number; readonly label: string; readonly baseline?: boolean }>,
  placed: (boxes: Array<{ x: number; y: number; width: number; height: number; label: string }>) => void,
): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        if (!thresholds?.length) return;
        const { ctx } = u;
        const { left, width } = u.bbox;
        const dpr = devicePixelRatio;
        const lineHeight = 14 * dpr;
        ctx.save();
        ctx.lineWidth = 1.5 * dpr;
        ctx.font = `${11 * dpr}px system-ui, sans-serif`;
        // uPlot leaves the axis labels' alignment on the context.
        ctx.textAlign = "left";
        ctx.textBaseline = "bottom";
        const lines = thresholds
          .map((t) => ({ ...t, y: Math.round(u.valToPos(t.value, "y", true)) }))
          .sort((a, b) => a.y - b.y);
        const boxes: Array<{ x: number; y: number; width: number; height: number; label: string }> = [];
        let previous: { x: number; y: number; width: number } | null = null;
        for (const t of lines) {
          const colour = cssVar(t.baseline ? "--baseline" : "--threshold");
          ctx.strokeStyle = colour;
          ctx.fillStyle = colour;
          ctx.setLineDash(t.baseline ? [2 * dpr, 3 * dpr] : [6 * dpr, 4 * dpr]);
          ctx.beginPath();
          ctx.moveTo(left, t.y);
          ctx.lineTo(left + width, t.y);
          ctx.stroke();
          const textWidth = ctx.measureText(t.label).width;
          let x = left + 4 * dpr;
          if (previous !== null && Math.abs(t.y - previous.y) < lineHeight)
            x = previous.x + previous.width + 12 * dpr;
          const baseline = t.y - 4 * dpr;
          ctx.fillText(t.label, x, baseline);
          previous = { x, y: t.y, width: textWidth };
          boxes.push({
            x: (x - left) / dpr,
            y: (baseline - 11 * dpr) / dpr,
            width: textWidth / dpr,
            height: 11,
            label: t.label,
          });
        }
        ctx.restore();
        placed(boxes);
      },
    },
  };
}

/**
 * A uPlot time-series chart in a captioned figure, with the unit on the y axis, thresholds drawn as
 * dashed lines, times in the chosen zone, and the data as a table for keyboard and screen-reader users.
 */
export function timeChart(container: HTMLElement, spec: ChartSpec): Chart {
  const scale = spec.scale ?? 1;
  const counts = spec.lines.map((l) => l.values.filter((v) => v !== null && Number.isFinite(v)).length);
  const plot = h("div", { class: "plot" });
  const table = h("details", { class: "chart-table" }, h("summary", {}, "Data table"));
  const figure = h(
    "figure",
    {
      class: "chart",
      id: spec.id,
      "data-points": spec.x.length,
      "data-values": counts.join(","),
      "data-series": spec.lines.map((l) => l.label).join("|"),
      ...(spec.baselines?.length ? { "data-baselines": JSON.stringify(spec.baselines) } : {}),
    },
    // The unit once, after the title, and not at all when it would only repeat the title.
    h(
      "figcaption",
      {},
      spec.title,
      spec.unit === "" || spec.unit.toLowerCase() === spec.title.toLowerCase()
        ? null
        : h("span", { class: "unit" }, ` (${spec.unit})`),
    ),
    plot,
    table,
  );
  container.append(figure);
  table.addEventListener("toggle", () => {
    if (!table.open || table.querySelector("table") !== null) return;
    const head = h("tr", {}, h("th", { scope: "col" }, `Start (${zoneName()})`));
    for (const l of spec.lines)
      head.append(h("th", { scope: "col" }, spec.unit === "" ? l.label : `${l.label} (${spec.unit})`));
    const body = h("tbody");
    spec.x.forEach((x, i) => {
      const row = h("tr", {}, h("td", {}, formatTime(x)));
      for (const l of spec.lines) {
        const v = l.values[i];
        row.append(h("td", {}, formatNumber(v === null || v === undefined ? null : v * scale)));
      }
      body.append(row);
    });
    table.append(h("table", {}, h("thead", {}, head), body));
  });

  const zone = settings.timeZone === "UTC" ? "UTC" : Intl.DateTimeFormat().resolvedOptions().timeZone;
  const axisColor = cssVar("--fg-muted");
  const gridColor = cssVar("--grid");
  const width = Math.max(300, container.clientWidth || plot.clientWidth || 600);
  const thresholds = [...(spec.thresholds ?? []), ...(spec.baselines ?? [])];
  const options: uPlot.Options = {
    width,
    height: spec.height ?? 200,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
    cursor: spec.syncKey === undefined ? {} : { sync: { key: spec.syncKey } },
    hooks: {
      // The axis's extent as drawn, for tests and for anyone reading the page's data.
      setScale: [
        (u, key) => {
          if (key !== "x") return;
          figure.dataset.xMin = String(Math.round((u.scales.x?.min ?? Number.NaN) * 1000));
          figure.dataset.xMax = String(Math.round((u.scales.x?.max ?? Number.NaN) * 1000));
        },
      ],
    },
    legend: { live: true },
    scales: {
      x:
        spec.xRange === undefined
          ? { time: true }
          : { time: true, range: () => [spec.xRange![0] / 1000, spec.xRange![1] / 1000] },
      y: {
        range: (_u, min, max) => {
          let lo = spec.fromZero ? 0 : min;
          let hi = max;
          for (const t of thresholds) {
            lo = Math.min(lo, t.value * scale);
            hi = Math.max(hi, t.value * scale);
          }
          if (!(hi > lo)) hi = lo + 1;
          const pad = (hi - lo) * 0.08;
          return [spec.fromZero ? lo : lo - pad, hi + pad];
        },
      },
    },
    axes: [
      { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
      {
        stroke: axisColor,
        grid: { stroke: gridColor, width: 1 },
        ticks: { stroke: gridColor },
        size: 60,
        ...(spec.unit === "" ? {} : { label: spec.unit, labelSize: 18 }),
        values: (_u, splits) => splits.map((v) => formatNumber(v, 3)),
      },
    ],
    series: [
      { label: `Time (${zone})`, value: (_u, v) => (v === null ? "—" : formatTime(v * 1000)) },
      ...spec.lines.map((l) => ({
        label: l.label,
        stroke: cssVar(l.color),
        width: 2,
        ...(l.dash ? { dash: l.dash } : {}),
        ...(l.bars
          ? { fill: cssVar(l.color), paths: uPlot.paths.bars!({ size: [0.8, 40] }) }
          : { points: { show: spec.x.length <= 120 } }),
        spanGaps: false,
        value: (_u: uPlot, v: number | null) =>
          v === null ? "—" : `${formatNumber(v)}${spec.unit === "" ? "" : ` ${spec.unit}`}`,
      })),
    ],
    plugins: [
      thresholdPlugin(
        [
          ...(spec.thresholds ?? []).map((t) => ({ value: t.value * scale, label: t.label })),
          ...(spec.baselines ?? []).map((t) => ({ value: t.value * scale, label: t.label, baseline: true })),
        ],
        (boxes) => {
          figure.dataset.thresholdLabels = JSON.stringify(boxes);
        },
      ),
    ],
  };
  const data: uPlot.AlignedData = [
    spec.x.map((x) => x / 1000),
    ...spec.lines.map((l) => l.values.map((v) => (v === null ? null : v * scale))),
  ];
  const chart = new uPlot(options, data, plot);
  const resize = new ResizeObserver(() => {
    const w = Math.max(300, container.clientWidth);
    if (Math.abs(w - chart.width) > 4) chart.setSize({ width: w, height: spec.height ?? 200 });
  });
  resize.observe(container);
  return {
    figure,
    destroy() {
      resize.disconnect();
      chart.destroy();
    },
  };
}
