import { cssVar, formatTime, h, severityNames } from "../format.js";

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
const COLOURS = ["--sev-ok-cell", "--sev-warning", "--sev-critical", "--sev-emergency"];

/**
 * Columns × windows coloured by drift severity, on one canvas (36,000 cells draw in a few ms, where
 * as many DOM nodes would not). Mouse: hover names the cell, click selects it. Keyboard: the canvas
 * takes focus; arrows move, Home/End jump, Enter or Space selects. The geometry is published as data
 * attributes so tests can click a given cell.
 */
export function heatmap(container: HTMLElement, spec: HeatmapSpec): { destroy(): void } {
  const canvas = h("canvas", {
    class: "heatmap",
    tabindex: 0,
    role: "grid",
    "aria-label": `Drift severity of ${spec.columns.length} columns over ${spec.start.length} windows. Arrow keys move, Enter shows the distributions.`,
  });
  const status = h("p", { class: "heatmap-status", "aria-live": "polite" }, "");
  const legend = h(
    "p",
    { class: "legend" },
    ...["not tested", ...severityNames].map((name, i) =>
      h("span", { class: "legend-item" }, h("span", { class: `swatch cell-${i - 1}` }), name),
    ),
  );
  container.append(canvas, status, legend);
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
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const fills = [cssVar("--cell-none"), ...COLOURS.map((c) => cssVar(c))];
    const gap = cellWidth > 4 ? 1 : 0;
    // Cells are drawn in order, setting the colour only when it changes; without a gap between
    // cells, a run of equal cells is one rectangle (tens of thousands of cells, a few runs per row).
    let fill = "";
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
    return `${spec.columns[row]} · ${formatTime(spec.start[point]!)} · ${value < 0 ? "not tested" : severityNames[value]}`;
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
