import { cssVar, formatTime, h, severityNames, zoneName } from "../format.js";

/** The heat map's data: rows are columns of the model, cells points in time, values severity codes. */
export interface HeatmapSpec {
  readonly columns: readonly string[];
  readonly start: readonly number[];
  /** `cells[row][point]`: -1 not tested, 0 ok … 3 emergency. */
  readonly cells: ReadonlyArray<ReadonlyArray<number>>;
  readonly onSelect: (row: number, point: number) => void;
}

const ROW = 18;
const AXIS = 22;
/** Per code (-1 not tested … 3 emergency): the fill, the pattern drawn over it, and its ink. */
const STYLES = [
  { fill: "--cell-none", pattern: "dots", ink: "--cell-ink-none" },
  { fill: "--sev-ok-cell", pattern: "plain", ink: "" },
  { fill: "--sev-warning", pattern: "hatch", ink: "--cell-ink" },
  { fill: "--sev-critical", pattern: "cross", ink: "--cell-ink" },
  { fill: "--sev-emergency", pattern: "grid", ink: "--cell-ink-emergency" },
] as const;
const TILE = 8;

/** A severity's name by code, in the API's words. */
export const cellName = (code: number): string =>
  code < 0 ? "not tested" : (severityNames[code] ?? "not tested");

/**
 * An 8 × 8 tile of a severity's fill with its pattern: severity is told by pattern as well as by
 * colour (dots: not tested, plain: ok, one hatch: warning, cross-hatch: critical, grid: emergency),
 * so it survives colour blindness and greyscale.
 */
function tile(code: number, dpr: number): HTMLCanvasElement {
  const style = STYLES[code + 1] ?? STYLES[0];
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(TILE * dpr);
  canvas.height = Math.round(TILE * dpr);
  const ctx = canvas.getContext("2d")!;
  ctx.scale(dpr, dpr);
  ctx.fillStyle = cssVar(style.fill);
  ctx.fillRect(0, 0, TILE, TILE);
  if (style.ink === "") return canvas;
  ctx.strokeStyle = cssVar(style.ink);
  ctx.fillStyle = cssVar(style.ink);
  ctx.lineWidth = 1.25;
  const line = (x1: number, y1: number, x2: number, y2: number) => {
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x2, y2);
    ctx.stroke();
  };
  if (style.pattern === "dots") ctx.fillRect(3, 3, 2, 2);
  if (style.pattern === "hatch" || style.pattern === "cross") {
    line(0, TILE, TILE, 0);
    line(-TILE / 2, TILE / 2, TILE / 2, -TILE / 2);
    line(TILE / 2, TILE + TILE / 2, TILE + TILE / 2, TILE / 2);
  }
  if (style.pattern === "cross") {
    line(0, 0, TILE, TILE);
    line(-TILE / 2, TILE / 2, TILE / 2, TILE + TILE / 2);
    line(TILE / 2, -TILE / 2, TILE + TILE / 2, TILE / 2);
  }
  if (style.pattern === "grid") {
    ctx.fillRect(0, 3, TILE, 2);
    ctx.fillRect(3, 0, 2, TILE);
  }
  return canvas;
}

/** A legend swatch: the same tile as the map's cells. */
function swatch(code: number): HTMLCanvasElement {
  const dpr = devicePixelRatio || 1;
  const style = STYLES[code + 1] ?? STYLES[0];
  // The pattern's name, for tests that check severity is told apart without colour.
  const canvas = h("canvas", {
    class: "swatch",
    "aria-hidden": "true",
    "data-code": code,
    "data-pattern": style.pattern,
  });
  canvas.width = Math.round(12 * dpr);
  canvas.height = Math.round(12 * dpr);
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = ctx.createPattern(tile(code, dpr), "repeat") ?? "transparent";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  return canvas;
}

/**
 * Columns × windows coloured and patterned by drift severity, on one canvas (36,000 cells draw in a
 * few ms, where as many DOM nodes would not). Mouse: hover names the cell, click selects it.
 * Keyboard: the canvas takes focus; arrows move, Home/End jump, Enter or Space selects. A "Table
 * view" below holds the same cells as text (built when opened), for screen readers. The geometry is
 * published as data attributes so tests can click a given cell.
 */
export function heatmap(container: HTMLElement, spec: HeatmapSpec): { destroy(): void } {
  const canvas = h("canvas", {
    class: "heatmap",
    tabindex: 0,
    role: "grid",
    "aria-label": `Drift severity of ${spec.columns.length} columns over ${spec.start.length} windows. Arrow keys move, Enter shows the distributions.`,
  });
  const status = h("p", { class: "heatmap-status", "aria-live": "polite" }, "");
  // Columns are never worse than critical (emergency is a whole window's verdict): the legend lists
  // emergency only when a cell has it.
  const present = new Set(spec.cells.flat());
  const legend = h(
    "p",
    { class: "legend" },
    ...[-1, 0, 1, 2, 3]
      .filter((code) => code < 3 || present.has(code))
      .map((code) => h("span", { class: "legend-item" }, swatch(code), cellName(code))),
  );
  const table = h("details", { class: "chart-table heatmap-table" }, h("summary", {}, "Table view"));
  table.addEventListener("toggle", () => {
    if (!table.open || table.querySelector("table") !== null) return;
    const head = h("tr", {}, h("th", { scope: "col" }, `Window (${zoneName()})`));
    for (const c of spec.columns) head.append(h("th", { scope: "col" }, c));
    const body = h("tbody");
    spec.start.forEach((start, p) => {
      const row = h("tr", {}, h("th", { scope: "row" }, formatTime(start)));
      spec.columns.forEach((_, r) => {
        const code = spec.cells[r]?.[p] ?? -1;
        row.append(h("td", { "data-code": code }, cellName(code)));
      });
      body.append(row);
    });
    table.append(
      h(
        "table",
        {},
        h("caption", { class: "muted" }, "Drift severity per column and window"),
        h("thead", {}, head),
        body,
      ),
    );
  });
  container.append(canvas, status, legend, table);
  const ctx = canvas.getContext("2d")!;
  let cursor = { row: 0, point: Math.max(0, spec.start.length - 1) };
  let geometry = { labelWidth: 0, cellWidth: 1 };

  const draw = () => {
    const dpr = devicePixelRatio || 1;
    const width = Math.max(320, container.clientWidth);
    ctx.font = "12px system-ui, sans-serif";
    const labelWidth = Math.min(
      180,
      Math.ceil(Math.max(40, ...spec.columns.map((c) => ctx.measureText(c).width))) + 10,
    );
    const cellWidth = Math.max(1, (width - labelWidth) / Math.max(1, spec.start.length));
    const height = spec.columns.length * ROW + AXIS;
    geometry = { labelWidth, cellWidth };
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    canvas.dataset.labelWidth = String(labelWidth);
    canvas.dataset.cellWidth = String(cellWidth);
    canvas.dataset.rowHeight = String(ROW);
    canvas.dataset.columns = JSON.stringify(spec.columns);
    canvas.dataset.points = String(spec.start.length);
    // Every severity's fill and pattern in the current theme (emergency included, which the legend
    // lists only when a cell has it), for tests that check them under colour-vision deficiency.
    canvas.dataset.palette = JSON.stringify(
      STYLES.map((s, i) => ({
        code: i - 1,
        name: cellName(i - 1),
        fill: cssVar(s.fill),
        pattern: s.pattern,
      })),
    );
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const fills = STYLES.map((_, i) => ctx.createPattern(tile(i - 1, dpr), "repeat")!);
    const gap = cellWidth > 4 ? 1 : 0;
    // Cells are drawn in order, setting the colour only when it changes; without a gap between
    // cells, a run of equal cells is one rectangle (tens of thousands of cells, a few runs per row).
    let fill: CanvasPattern | null = null;
    spec.cells.forEach((row, r) => {
      for (let p = 0; p < row.length; ) {
        const value = row[p]!;
        let end = p + 1;
        if (gap === 0) while (end < row.length && row[end] === value) end++;
        const colour = fills[value + 1] ?? fills[0]!;
        if (colour !== fill) {
          ctx.fillStyle = colour;
          fill = colour;
        }
        const x = labelWidth + p * cellWidth;
        const last = labelWidth + (end - 1) * cellWidth;
        ctx.fillRect(x, r * ROW, last + Math.max(1, cellWidth - gap) - x, ROW - 1);
        p = end;
      }
    });
    ctx.fillStyle = cssVar("--fg");
    ctx.textBaseline = "middle";
    ctx.font = "12px system-ui, sans-serif";
    spec.columns.forEach((c, r) => {
      let text = c;
      while (ctx.measureText(text).width > labelWidth - 10 && text.length > 3) text = `${text.slice(0, -2)}…`;
      ctx.fillText(text, 2, r * ROW + ROW / 2);
    });
    // Time axis: about one label per 110 px.
    ctx.fillStyle = cssVar("--fg-muted");
    ctx.textBaseline = "top";
    const every = Math.max(1, Math.ceil(110 / cellWidth));
    for (let p = 0; p < spec.start.length; p += every)
      ctx.fillText(
        formatTime(spec.start[p]!, "date"),
        labelWidth + p * cellWidth,
        spec.columns.length * ROW + 4,
      );
    // The keyboard cursor.
    if (document.activeElement === canvas) {
      ctx.strokeStyle = cssVar("--focus");
      ctx.lineWidth = 2;
      ctx.strokeRect(
        labelWidth + cursor.point * cellWidth,
        cursor.row * ROW,
        Math.max(2, cellWidth),
        ROW - 1,
      );
    }
  };

  const describe = (row: number, point: number) => {
    const value = spec.cells[row]?.[point] ?? -1;
    return `${spec.columns[row]} · ${formatTime(spec.start[point]!)} · ${cellName(value)}`;
  };
  const at = (event: MouseEvent) => {
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const point = Math.floor((x - geometry.labelWidth) / geometry.cellWidth);
    const row = Math.floor(y / ROW);
    if (x < geometry.labelWidth || point >= spec.start.length || row < 0 || row >= spec.columns.length)
      return null;
    return { row, point };
  };
  canvas.addEventListener("mousemove", (event) => {
    const cell = at(event);
    canvas.title = cell === null ? "" : describe(cell.row, cell.point);
    canvas.style.cursor = cell === null ? "default" : "pointer";
  });
  canvas.addEventListener("click", (event) => {
    const cell = at(event);
    if (cell === null) return;
    cursor = cell;
    draw();
    spec.onSelect(cell.row, cell.point);
  });
  canvas.addEventListener("keydown", (event) => {
    const last = spec.start.length - 1;
    const moves: Record<string, () => void> = {
      ArrowLeft: () => (cursor.point = Math.max(0, cursor.point - 1)),
      ArrowRight: () => (cursor.point = Math.min(last, cursor.point + 1)),
      ArrowUp: () => (cursor.row = Math.max(0, cursor.row - 1)),
      ArrowDown: () => (cursor.row = Math.min(spec.columns.length - 1, cursor.row + 1)),
      Home: () => (cursor.point = 0),
      End: () => (cursor.point = last),
    };
    const move = moves[event.key];
    if (move !== undefined) {
      event.preventDefault();
      move();
      status.textContent = describe(cursor.row, cursor.point);
      draw();
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      spec.onSelect(cursor.row, cursor.point);
    }
  });
  canvas.addEventListener("focus", draw);
  canvas.addEventListener("blur", draw);
  draw();
  // The observer also reports the first layout: redraw only when the width or pixel ratio changed.
  let drawn = `${container.clientWidth}|${devicePixelRatio}`;
  const resize = new ResizeObserver(() => {
    const size = `${container.clientWidth}|${devicePixelRatio}`;
    if (size === drawn) return;
    drawn = size;
    draw();
  });
  resize.observe(container);
  return {
    destroy() {
      resize.disconnect();
    },
  };
}
