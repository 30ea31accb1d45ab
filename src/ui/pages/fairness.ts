import { getJson, type HealthReport, type ModelRecord, type ReportSummary, type Series } from "../api.js";
import { type Chart, timeChart } from "../charts/time-series.js";
import { formatTime, h, zoneName } from "../format.js";
import { debounce, subscribe } from "../live.js";
import { fairnessTables } from "./fairness-table.js";

const RANGES = [
  ["24h", "Last 24 h"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["all", "Everything kept"],
] as const;
const COLOURS = ["--series-1", "--series-2", "--series-3", "--series-4", "--series-5"];

/**
 * Group fairness of the models with sensitive attributes: the smallest impact ratio per attribute
 * over time against the four-fifths line, and the newest report's groups with their rates and
 * intervals. Binary classifiers; see docs/fairness.md for multiclass and regression.
 */
export async function renderFairness(
  main: HTMLElement,
  _params: Record<string, string>,
  query: URLSearchParams,
): Promise<() => void> {
  const { models } = await getJson<{ models: ModelRecord[] }>("/v1/models");
  const candidates = models.filter((m) => m.features.some((f) => f.role === "sensitive"));
  main.append(h("h1", {}, "Fairness"));
  if (candidates.length === 0) {
    main.append(
      h(
        "p",
        { class: "empty" },
        'No model declares a sensitive attribute. Mark schema columns with "role": "sensitive" when registering a model.',
      ),
    );
    return () => undefined;
  }
  let model = candidates.some((m) => m.name === query.get("model"))
    ? query.get("model")!
    : candidates[0]!.name;
  let range = query.get("range") ?? "all";
  const controls = h("div", { class: "controls", role: "group", "aria-label": "Model and range" });
  const chartBox = h("div", { class: "chart-box" });
  const tables = h("section", { "aria-labelledby": "fairness-report-title" });
  main.append(controls, chartBox, tables);
  let chart: Chart | null = null;

  const load = async () => {
    history.replaceState(
      null,
      "",
      `/fairness?model=${encodeURIComponent(model)}${range === "all" ? "" : `&range=${range}`}`,
    );
    const select = h(
      "select",
      { id: "fairness-model", "aria-label": "Model" },
      ...candidates.map((m) => h("option", { value: m.name, selected: m.name === model }, m.name)),
    );
    select.addEventListener("change", () => {
      model = select.value;
      void load();
    });
    controls.replaceChildren(
      h("label", { for: "fairness-model" }, "Model "),
      select,
      ...RANGES.map(([value, label]) => {
        const button = h(
          "button",
          { type: "button", class: "range", "aria-pressed": String(range === value) },
          label,
        );
        button.addEventListener("click", () => {
          range = value;
          void load();
        });
        return button;
      }),
    );
    const [series, list] = await Promise.all([
      getJson<Series>(
        `/v1/models/${encodeURIComponent(model)}/series?points=1000${range === "all" ? "" : `&last=${range}`}`,
      ),
      getJson<{ reports: ReportSummary[] }>(`/v1/models/${encodeURIComponent(model)}/reports?limit=1`),
    ]);
    chart?.destroy();
    chartBox.replaceChildren();
    const newest = series.versions.at(-1);
    const attributes = newest === undefined ? [] : Object.keys(newest.impactRatio);
    if (newest === undefined || attributes.length === 0)
      chartBox.append(h("p", { class: "empty" }, "No window with events in this range."));
    else
      chart = timeChart(chartBox, {
        id: "chart-impact-ratio",
        title: `Smallest impact ratio per window, version ${newest.version}`,
        unit: "ratio",
        x: newest.start,
        lines: attributes.map((a, i) => ({
          label: a,
          values: newest.impactRatio[a]!,
          color: COLOURS[i % COLOURS.length]!,
        })),
        thresholds: [{ value: 0.8, label: "four-fifths rule 0.8" }],
        fromZero: true,
      });
    const newestReport = list.reports[0];
    if (newestReport === undefined) {
      tables.replaceChildren(
        h("h2", { id: "fairness-report-title" }, "Groups"),
        h(
          "p",
          { class: "empty" },
          "No report yet: one is made at each reporting period (reporting.frequency).",
        ),
      );
      return;
    }
    const report = await getJson<HealthReport>(
      `/v1/models/${encodeURIComponent(model)}/reports/${encodeURIComponent(newestReport.id)}`,
    );
    tables.replaceChildren(
      h(
        "h2",
        { id: "fairness-report-title" },
        `Groups, ${formatTime(report.from)} to ${formatTime(report.to)} (${zoneName()})`,
      ),
      h(
        "p",
        { class: "muted" },
        h(
          "a",
          { href: `/reports?model=${encodeURIComponent(model)}&id=${encodeURIComponent(report.id)}` },
          "The whole report",
        ),
      ),
      ...report.versions.flatMap((v) =>
        v.fairness === null
          ? [h("p", { class: "empty" }, `Version ${v.version}: no fairness counts (binary models only).`)]
          : [h("h3", {}, `Version ${v.version}`), ...fairnessTables(v.fairness)],
      ),
    );
  };
  await load();
  const reload = debounce(() => void load().catch(() => undefined), 1000);
  const unsubscribe = subscribe((change) => {
    if (change.type === "reset" || (change.type !== "alert" && change.model === model)) reload();
  });
  return () => {
    unsubscribe();
    chart?.destroy();
  };
}
