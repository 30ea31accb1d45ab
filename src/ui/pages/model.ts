import { type DriftColumn, type DriftReport, getJson, type Series, type VersionSeries } from "../api.js";
import { heatmap } from "../charts/heatmap.js";
import { histogramChart } from "../charts/histogram.js";
import { type Chart, timeChart } from "../charts/time-series.js";
import {
  badge,
  formatDuration,
  formatNumber,
  formatP,
  formatTime,
  h,
  metricTitle,
  severityNames,
  stacked,
  zoneName,
} from "../format.js";
import { debounce, subscribe } from "../live.js";

const RANGES = [
  ["24h", "Last 24 h"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["all", "Everything kept"],
] as const;
const COLOURS = ["--series-1", "--series-2", "--series-3", "--series-4", "--series-5"];

/** Parses a time of the URL (ISO 8601 or epoch ms), or null. */
function urlTime(value: string | null): number | null {
  if (value === null || value === "") return null;
  const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** A datetime-local input's value in the chosen zone → epoch ms. */
function fromInput(value: string): number | null {
  if (value === "") return null;
  const ms = zoneName() === "UTC" ? Date.parse(`${value}:00Z`) : new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

function toInput(ms: number): string {
  return formatTime(ms).replace(" ", "T");
}

/**
 * One model: its quality metric, latency quantiles against the threshold, event volume and label
 * coverage over a range; the drift heat map (columns × windows) with the distributions and
 * statistics of a clicked cell; versions side by side. The URL holds the state (range, version,
 * selected window), so an alert's link opens on its window.
 */
export async function renderModel(
  main: HTMLElement,
  params: Record<string, string>,
  query: URLSearchParams,
): Promise<() => void> {
  const model = params.model!;
  // An alert links with from/to of its one window: show it with context and open its drift.
  const linkFrom = urlTime(query.get("from"));
  const linkTo = urlTime(query.get("to"));
  let range: string = query.get("range") ?? (linkFrom !== null || linkTo !== null ? "custom" : "all");
  let from = linkFrom;
  let to = linkTo;
  let focus: number | null = null;
  if (range === "custom" && from !== null && to !== null && query.get("range") === null) {
    focus = from;
    const span = Math.max(to - from, 3_600_000);
    from -= 12 * span;
    to += 12 * span;
  }
  let version = query.get("version") ?? "";
  const charts: Chart[] = [];
  const cleanups: Array<() => void> = [];

  const heading = h("h1", {}, `Model `, h("span", { class: "model-name" }, model));
  const meta = h("p", { class: "muted" }, "");
  const controls = h("div", { class: "controls", role: "group", "aria-label": "Range and version" });
  const chartsBox = h("section", { class: "charts", "aria-label": "Time series" });
  const driftBox = h("section", { class: "drift", "aria-labelledby": "drift-title" });
  const detail = h("section", { class: "detail", id: "drift-detail", "aria-live": "polite" });
  const versionsBox = h("section", { class: "versions", "aria-labelledby": "versions-title" });
  main.append(heading, meta, controls, chartsBox, driftBox, detail, versionsBox);

  const updateUrl = () => {
    const q = new URLSearchParams();
    if (version !== "") q.set("version", version);
    if (range === "custom") {
      if (from !== null) q.set("from", new Date(from).toISOString());
      if (to !== null) q.set("to", new Date(to).toISOString());
      q.set("range", "custom");
    } else if (range !== "all") q.set("range", range);
    history.replaceState(null, "", `/models/${encodeURIComponent(model)}${q.size > 0 ? `?${q}` : ""}`);
  };

  const seriesUrl = () => {
    const q = new URLSearchParams({ points: "1000" });
    if (version !== "") q.set("version", version);
    if (range === "custom") {
      if (from !== null) q.set("from", String(from));
      if (to !== null) q.set("to", String(to));
    } else if (range !== "all") q.set("last", range);
    return `/v1/models/${encodeURIComponent(model)}/series?${q}`;
  };

  // The controls are built once and updated after each load, never replaced: the element the user
  // acted on keeps the focus (a rebuilt one would drop it to <body>).
  const select = h("select", { id: "version", "aria-label": "Version" });
  // Arrow keys on a closed select fire "change" at every step: wait until the choice settles.
  let versionTimer: ReturnType<typeof setTimeout> | undefined;
  select.addEventListener("change", () => {
    clearTimeout(versionTimer);
    versionTimer = setTimeout(() => {
      versionTimer = undefined;
      if (select.value === version) return;
      version = select.value;
      updateUrl();
      void load();
    }, 400);
  });
  const buttons = RANGES.map(([value, label]) => {
    const button = h(
      "button",
      { type: "button", class: "range", "aria-pressed": "false", "data-range": value },
      label,
    );
    button.addEventListener("click", () => {
      range = value;
      focus = null;
      updateUrl();
      void load();
    });
    return button;
  });
  const fromInputEl = h("input", { type: "datetime-local", id: "range-from" });
  const toInputEl = h("input", { type: "datetime-local", id: "range-to" });
  const zoneLabel = h("span", { class: "muted" }, "");
  const custom = h(
    "form",
    { class: "custom-range" },
    fromInputEl,
    "–",
    toInputEl,
    h("button", { type: "submit" }, "Apply"),
    zoneLabel,
  );
  custom.addEventListener("submit", (event) => {
    event.preventDefault();
    range = "custom";
    from = fromInput(fromInputEl.value);
    to = fromInput(toInputEl.value);
    focus = null;
    updateUrl();
    void load();
  });
  controls.append(h("label", { for: "version" }, "Version "), select, ...buttons, custom);

  const renderControls = (series: Series) => {
    const options = ["", ...series.versionList];
    if (select.options.length !== options.length || options.some((v, i) => select.options[i]?.value !== v))
      select.replaceChildren(
        ...options.map((v) => h("option", { value: v }, v === "" ? "All versions" : `Version ${v}`)),
      );
    // A choice still settling is the user's: a load finishing meanwhile must not undo it.
    if (versionTimer === undefined) select.value = version;
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.range === range));
    fromInputEl.setAttribute("aria-label", `From (${zoneName()})`);
    toInputEl.setAttribute("aria-label", `To (${zoneName()})`);
    fromInputEl.value = from === null ? "" : toInput(from);
    toInputEl.value = to === null ? "" : toInput(to);
    zoneLabel.textContent = zoneName();
  };

  /** The x axis: the range asked for, or for "everything" the windows' own extent. */
  const xRangeOf = (series: Series): [number, number] => {
    const starts = series.versions.flatMap((v) => v.start);
    const ends = series.versions.flatMap((v) => v.end);
    const lo = series.from ?? Math.min(...starts);
    const hi = series.to ?? (range === "all" ? Math.max(...ends) : series.now);
    return [lo, hi > lo ? hi : lo + series.pointMs];
  };

  const renderCharts = (series: Series) => {
    for (const chart of charts.splice(0)) chart.destroy();
    chartsBox.replaceChildren();
    if (series.versions.length === 0) {
      chartsBox.append(h("p", { class: "empty" }, "No window in this range."));
      return;
    }
    // One x axis for all versions: the union of point starts.
    const xs = [...new Set(series.versions.flatMap((v) => v.start))].sort((a, b) => a - b);
    const align = (v: VersionSeries, pick: (v: VersionSeries) => ReadonlyArray<number | null>) => {
      const values = pick(v);
      const at = new Map(v.start.map((s, i) => [s, values[i] ?? null]));
      return xs.map((x) => at.get(x) ?? null);
    };
    const q = series.quality;
    const direction = q.direction === "above" ? "alert above" : "alert below";
    const sync = `model-${model}`;
    const xRange = xRangeOf(series);
    const box = () => {
      const div = h("div", { class: "chart-box" });
      chartsBox.append(div);
      return div;
    };
    charts.push(
      timeChart(box(), {
        id: "chart-quality",
        ...metricTitle(q.metric),
        x: xs,
        lines: series.versions.map((v, i) => ({
          label: `v${v.version}`,
          values: align(v, (s) => s.quality),
          color: COLOURS[i % COLOURS.length]!,
        })),
        thresholds: [{ value: q.threshold, label: `threshold ${formatNumber(q.threshold)} (${direction})` }],
        // The metric on each version's reference data: what the model scored where it was checked.
        baselines: referenceOf(series).map((r) => ({
          value: r.value,
          label: `reference${series.versions.length > 1 ? ` v${r.version}` : ""} ${formatNumber(r.value)}`,
        })),
        syncKey: sync,
        xRange,
      }),
    );
    const latencyVersion = series.versions.at(-1)!;
    const lat = series.latency;
    charts.push(
      timeChart(box(), {
        id: "chart-latency",
        title: `Latency${series.versions.length > 1 ? ` (version ${latencyVersion.version})` : ""}`,
        unit: "ms",
        x: xs,
        lines: [
          { label: "p50", values: align(latencyVersion, (s) => s.p50), color: "--series-2" },
          { label: "p95", values: align(latencyVersion, (s) => s.p95), color: "--series-3" },
          { label: "p99", values: align(latencyVersion, (s) => s.p99), color: "--series-1" },
        ],
        thresholds: [
          {
            value: lat.thresholdMs,
            label: `p${lat.percentile} threshold ${formatNumber(lat.thresholdMs)} ms`,
          },
        ],
        syncKey: sync,
        xRange,
        fromZero: true,
      }),
    );
    charts.push(
      timeChart(box(), {
        id: "chart-volume",
        title: "Event volume",
        unit: `events per ${formatDuration(series.pointMs)}`,
        x: xs,
        lines: series.versions.map((v, i) => ({
          label: `v${v.version}`,
          values: align(v, (s) => s.events),
          color: COLOURS[i % COLOURS.length]!,
          bars: series.versions.length === 1,
        })),
        syncKey: sync,
        xRange,
        fromZero: true,
        height: 150,
      }),
    );
    charts.push(
      timeChart(box(), {
        id: "chart-coverage",
        title: "Label coverage",
        unit: "%",
        x: xs,
        lines: series.versions.map((v, i) => ({
          label: `v${v.version}`,
          values: align(v, (s) => s.coverage),
          color: COLOURS[i % COLOURS.length]!,
        })),
        syncKey: sync,
        xRange,
        fromZero: true,
        scale: 100,
        height: 150,
      }),
    );
  };

  let heat: { destroy(): void } | null = null;
  let detailRequest = 0;
  const showDetail = async (versionOf: string, start: number, column: string) => {
    const id = ++detailRequest;
    detail.replaceChildren(
      h("p", { class: "muted" }, `Loading the drift of ${column} in the window of ${formatTime(start)}…`),
    );
    const report = await getJson<DriftReport>(
      `/v1/models/${encodeURIComponent(model)}/windows/${start}/drift?version=${encodeURIComponent(versionOf)}`,
    );
    if (id !== detailRequest) return;
    const chosen = report.columns.find((c) => c.column === column);
    const others = [...report.columns].sort(
      (a, b) =>
        severityNames.indexOf(b.severity) - severityNames.indexOf(a.severity) ||
        (a.column < b.column ? -1 : 1),
    );
    const stat = (c: DriftColumn) =>
      h(
        "dl",
        { class: "stats" },
        ...(
          [
            ["Method", c.method],
            ["Statistic", formatNumber(c.statistic)],
            ["p-value", formatP(c.p_value)],
            ["Adjusted p", formatP(c.p_adjusted ?? null)],
            ["Threshold", c.p_value === null ? formatNumber(c.threshold) : formatP(c.threshold)],
            ...(c.effect_size === undefined
              ? []
              : [
                  [
                    `Effect (${c.effect_size_method ?? ""})`,
                    `${formatNumber(c.effect_size)} (threshold ${formatNumber(c.effect_size_threshold ?? null)})`,
                  ],
                ]),
            ["Rows", `${c.n_reference} reference · ${c.n_current} current`],
          ] as Array<[string, string]>
        ).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      );
    detail.replaceChildren(
      h(
        "h2",
        {},
        `${column} in the window of ${formatTime(start)} `,
        chosen === undefined ? "" : badge(chosen.severity),
      ),
      chosen === undefined
        ? h("p", {}, "This column was not tested in this window.")
        : h("div", { class: "detail-grid" }, histogramChart(chosen.histogram, column), stat(chosen)),
      h(
        "p",
        { class: "muted" },
        h(
          "a",
          {
            href: `/explanations?model=${encodeURIComponent(model)}&version=${encodeURIComponent(versionOf)}&window=${start}`,
          },
          "Feature importance in this window",
        ),
        " (needs the version's ONNX model or linear weights, and labels)",
      ),
      h(
        "details",
        {},
        h("summary", {}, `All ${report.columns.length} columns of this window (severity ${report.severity})`),
        h(
          "table",
          { class: "columns" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Column", "Severity", "Method", "Statistic", "p-value", "Threshold"].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          h(
            "tbody",
            {},
            ...others.map((c) =>
              h(
                "tr",
                { "data-column": c.column },
                h("th", { scope: "row" }, c.column),
                h("td", {}, badge(c.severity)),
                h("td", {}, c.method),
                h("td", { class: "num" }, formatNumber(c.statistic)),
                h("td", { class: "num" }, formatP(c.p_value)),
                h("td", { class: "num" }, formatP(c.threshold)),
              ),
            ),
          ),
        ),
      ),
    );
    detail.dataset.column = column;
    detail.dataset.start = String(start);
    detail.dataset.severity = chosen?.severity ?? "";
  };

  const renderDrift = (series: Series) => {
    heat?.destroy();
    const matrix =
      series.drift.find((d) => d.version === version) ??
      series.drift.find((d) => d.version === series.versions.at(-1)?.version) ??
      series.drift.at(-1);
    const title = h("h2", { id: "drift-title" }, "Drift by column and window");
    if (matrix === undefined) {
      driftBox.replaceChildren(
        title,
        h("p", { class: "empty" }, "No drift yet: upload reference data for this version (PUT …/reference)."),
      );
      return;
    }
    const heatBox = h("div", { class: "heat-box", "data-version": matrix.version });
    driftBox.replaceChildren(
      title,
      h(
        "p",
        { class: "muted" },
        `Version ${matrix.version}; each cell is a ${series.bucket > 1 ? `bucket of ${series.bucket} windows (its worst severity)` : `window of ${formatDuration(series.windowMs)}`}. Click a cell, or focus the map and use the arrow keys and Enter, for its distributions.`,
      ),
      heatBox,
    );
    heat = heatmap(heatBox, {
      columns: matrix.columns,
      start: matrix.start,
      cells: matrix.cells,
      onSelect: (row, point) =>
        void showDetail(matrix.version, matrix.start[point]!, matrix.columns[row]!).catch((e: Error) => {
          detail.replaceChildren(h("p", { class: "error", role: "alert" }, e.message));
        }),
    });
    if (focus !== null) {
      const point = matrix.start.indexOf(focus);
      if (point >= 0) {
        let row = 0;
        let worst = -2;
        matrix.cells.forEach((cells, r) => {
          if (cells[point]! > worst) {
            worst = cells[point]!;
            row = r;
          }
        });
        void showDetail(matrix.version, focus, matrix.columns[row]!).catch(() => undefined);
      }
    }
  };

  const renderVersions = (series: Series) => {
    const rows = series.versions.map((v) => {
      let weighted = 0;
      let weight = 0;
      v.quality.forEach((value, i) => {
        if (value === null) return;
        const k = Math.max(1, v.labels[i]!);
        weighted += value * k;
        weight += k;
      });
      const events = v.events.reduce((a, b) => a + b, 0);
      const labels = v.labels.reduce((a, b) => a + b, 0);
      const p99 = v.p99.reduce<number | null>(
        (a, b) => (b === null ? a : a === null ? b : Math.max(a, b)),
        null,
      );
      const bad = v.severity.filter((s) => s >= 2).length;
      return h(
        "tr",
        { "data-version": v.version },
        h("th", { scope: "row" }, v.version),
        h("td", { class: "num" }, String(v.windows.reduce((a, b) => a + b, 0))),
        h("td", { class: "num" }, events.toLocaleString("en-US")),
        h("td", { class: "num" }, events === 0 ? "—" : `${((labels / events) * 100).toFixed(1)}%`),
        h("td", { class: "num" }, formatNumber(weight === 0 ? null : weighted / weight)),
        h(
          "td",
          { class: "num" },
          formatNumber(referenceOf(series).find((r) => r.version === v.version)?.value ?? null),
        ),
        h("td", { class: "num" }, p99 === null ? "—" : `${formatNumber(p99)} ms`),
        h("td", { class: "num" }, String(bad)),
        h("td", {}, v.start.length === 0 ? "—" : formatTime(v.start.at(-1)!)),
      );
    });
    versionsBox.replaceChildren(
      h("h2", { id: "versions-title" }, "Versions compared"),
      stacked(
        h(
          "table",
          { class: "versions-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...[
                "Version",
                "Windows",
                "Events",
                "Labelled",
                `Mean ${series.quality.metric}`,
                `Reference ${series.quality.metric}`,
                "Worst p99",
                "Critical windows",
                "Newest window",
              ].map((t) => h("th", { scope: "col" }, t)),
            ),
          ),
          h("tbody", {}, ...rows),
        ),
      ),
      // Documents (issue #17): a card per version and the stored health reports, printable to PDF.
      h(
        "p",
        { class: "documents" },
        "Documents: ",
        ...series.versionList.flatMap((v) => [
          h(
            "a",
            {
              href: `/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(v)}/card?format=html`,
              "data-card": v,
            },
            `model card ${v}`,
          ),
          " · ",
        ]),
        h(
          "a",
          { href: `/v1/models/${encodeURIComponent(model)}/health-report?format=html` },
          "health report",
        ),
      ),
    );
  };

  const load = async () => {
    const series = await getJson<Series>(seriesUrl());
    // Named marks for the dashboard bench (npm run bench -- dashboard): where a render's time goes.
    performance.mark("tiktoktoe:series-loaded");
    meta.textContent = `${series.task} · windows of ${formatDuration(series.windowMs)}${series.bucket > 1 ? ` · ${series.bucket} windows per point` : ""} · model clock ${formatTime(series.now)} · times in ${zoneName()}`;
    renderControls(series);
    renderCharts(series);
    performance.mark("tiktoktoe:charts-created");
    renderDrift(series);
    performance.mark("tiktoktoe:heatmap-drawn");
    renderVersions(series);
  };
  await load();
  const reload = debounce(() => void load().catch(() => undefined), 1000);
  cleanups.push(
    subscribe((change) => {
      if (change.type === "reset" || (change.type === "window" && change.model === model)) reload();
    }),
  );
  return () => {
    for (const c of cleanups) c();
    for (const chart of charts) chart.destroy();
    heat?.destroy();
  };
}

/** The versions' reference quality values that exist (a metric the reference lacks is null). */
function referenceOf(series: Series): Array<{ version: string; value: number }> {
  return (series.referenceQuality ?? []).flatMap((r) =>
    r.value === null ? [] : [{ version: r.version, value: r.value }],
  );
}
