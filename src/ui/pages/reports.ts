import { getJson, type HealthReport, type Overview, type ReportSummary } from "../api.js";
import { type Chart, timeChart } from "../charts/time-series.js";
import { badge, formatNumber, formatTime, h, zoneName } from "../format.js";
import { debounce, subscribe } from "../live.js";
import { fairnessTables } from "./fairness-table.js";

/**
 * The stored health reports (one per reporting period, kept for the retention): a list per model,
 * and one report with its status, every reason, per-version figures, charts and fairness.
 */
export async function renderReports(
  main: HTMLElement,
  _params: Record<string, string>,
  query: URLSearchParams,
): Promise<() => void> {
  const overview = await getJson<Overview>("/v1/overview");
  main.append(h("h1", {}, "Reports"));
  if (overview.models.length === 0) {
    main.append(h("p", { class: "empty" }, "No model is registered yet."));
    return () => undefined;
  }
  let model = overview.models.some((m) => m.name === query.get("model"))
    ? query.get("model")!
    : overview.models[0]!.name;
  let id = query.get("id");
  const controls = h("div", { class: "controls" });
  const listBox = h("section", { "aria-labelledby": "reports-title" });
  const detail = h("section", { class: "report", id: "report-detail" });
  main.append(controls, h("div", { class: "reports-layout" }, listBox, detail));
  const charts: Chart[] = [];

  const showReport = async (reportId: string) => {
    id = reportId;
    history.replaceState(
      null,
      "",
      `/reports?model=${encodeURIComponent(model)}&id=${encodeURIComponent(reportId)}`,
    );
    const report = await getJson<HealthReport>(
      `/v1/models/${encodeURIComponent(model)}/reports/${encodeURIComponent(reportId)}`,
    );
    for (const c of charts.splice(0)) c.destroy();
    detail.replaceChildren(
      h(
        "h2",
        {},
        `${model}: ${formatTime(report.from)} to ${formatTime(report.to)} (${zoneName()}) `,
        badge(report.status),
      ),
      report.reasons.length === 0
        ? h("p", {}, "Nothing breached its threshold in this period.")
        : h(
            "ul",
            { class: "reasons report-reasons" },
            ...report.reasons.map((r) =>
              h("li", { "data-source": r.source }, badge(r.severity), " ", r.message),
            ),
          ),
    );
    detail.dataset.id = report.id;
    detail.dataset.status = report.status;
    for (const v of report.versions) {
      const est = v.estimated?.accuracy ?? null;
      const section = h(
        "section",
        { class: "report-version", "data-version": v.version },
        h("h3", {}, `Version ${v.version}`),
        h(
          "dl",
          { class: "stats" },
          h("dt", {}, "Windows"),
          h("dd", {}, String(v.windows)),
          h("dt", {}, "Events / labelled"),
          h("dd", {}, `${v.events.toLocaleString("en-US")} / ${v.labels.toLocaleString("en-US")}`),
          h("dt", {}, `${v.quality.metric}`),
          h("dd", {}, `${formatNumber(v.quality.value)} (threshold ${formatNumber(v.quality.threshold)})`),
          h("dt", {}, "Estimated accuracy (CBPE)"),
          h(
            "dd",
            {},
            est === null
              ? "—"
              : `${formatNumber(est.estimate)} [${formatNumber(est.lower)}, ${formatNumber(est.upper)}]`,
          ),
          h("dt", {}, "Latency p50 / p95 / p99"),
          h(
            "dd",
            {},
            `${formatNumber(v.latency.p50)} / ${formatNumber(v.latency.p95)} / ${formatNumber(v.latency.p99)} ms`,
          ),
          h("dt", {}, "Drift"),
          h(
            "dd",
            {},
            v.drift.worst === null
              ? "no reference"
              : `${v.drift.worst}${
                  v.drift.columns.length > 0
                    ? `: ${v.drift.columns
                        .slice(0, 8)
                        .map((c) => `${c.column} (${c.windows} windows)`)
                        .join(", ")}`
                    : ""
                }`,
          ),
        ),
      );
      detail.append(section);
      if (v.chart.start.length > 1) {
        const box = h("div", { class: "charts" });
        section.append(box);
        const a = h("div", { class: "chart-box" });
        const b = h("div", { class: "chart-box" });
        box.append(a, b);
        charts.push(
          timeChart(a, {
            id: `report-quality-${v.version}`,
            title: v.quality.metric,
            unit: v.quality.metric,
            x: v.chart.start,
            lines: [{ label: v.quality.metric, values: v.chart.quality, color: "--series-1" }],
            thresholds: [
              { value: v.quality.threshold, label: `threshold ${formatNumber(v.quality.threshold)}` },
            ],
            height: 160,
          }),
          timeChart(b, {
            id: `report-latency-${v.version}`,
            title: "Latency p99",
            unit: "ms",
            x: v.chart.start,
            lines: [{ label: "p99", values: v.chart.p99, color: "--series-3" }],
            height: 160,
            fromZero: true,
          }),
        );
      }
      if (v.fairness !== null) section.append(h("h3", {}, "Fairness"), ...fairnessTables(v.fairness));
    }
    for (const row of listBox.querySelectorAll("tr[data-report]"))
      row.setAttribute("aria-selected", String(row.getAttribute("data-report") === reportId));
  };

  const load = async () => {
    const select = h(
      "select",
      { id: "reports-model", "aria-label": "Model" },
      ...overview.models.map((m) => h("option", { value: m.name, selected: m.name === model }, m.name)),
    );
    select.addEventListener("change", () => {
      model = select.value;
      id = null;
      void load();
    });
    controls.replaceChildren(h("label", { for: "reports-model" }, "Model "), select);
    const { reports } = await getJson<{ reports: ReportSummary[] }>(
      `/v1/models/${encodeURIComponent(model)}/reports?limit=200`,
    );
    listBox.replaceChildren(
      h("h2", { id: "reports-title" }, `Reports (${reports.length})`),
      reports.length === 0
        ? h("p", { class: "empty" }, "None yet: a report is stored at the end of each reporting period.")
        : h(
            "table",
            { class: "reports" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ...[`Period (${zoneName()})`, "Status", "Main reason"].map((t) =>
                  h("th", { scope: "col" }, t),
                ),
              ),
            ),
            h(
              "tbody",
              {},
              ...reports.map((r) => {
                const link = h(
                  "a",
                  { href: `/reports?model=${encodeURIComponent(model)}&id=${encodeURIComponent(r.id)}` },
                  `${formatTime(r.from)} – ${formatTime(r.to, "time")}`,
                );
                link.addEventListener("click", (event) => {
                  event.preventDefault();
                  event.stopPropagation();
                  void showReport(r.id);
                });
                return h(
                  "tr",
                  { "data-report": r.id },
                  h("td", {}, link),
                  h("td", {}, badge(r.status)),
                  h("td", {}, r.reasons[0]?.message ?? "—"),
                );
              }),
            ),
          ),
    );
    const chosen = reports.find((r) => r.id === id) ?? reports[0];
    if (chosen !== undefined) await showReport(chosen.id);
    else detail.replaceChildren();
  };
  await load();
  const reload = debounce(() => void load().catch(() => undefined), 1000);
  const unsubscribe = subscribe((change) => {
    if (change.type === "reset" || (change.type === "report" && change.model === model)) reload();
  });
  return () => {
    unsubscribe();
    for (const c of charts) c.destroy();
  };
}
