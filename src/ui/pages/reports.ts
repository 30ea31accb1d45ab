import { getJson, type HealthReport, type Overview, type ReportSummary } from "../api.js";
import { type Chart, timeChart } from "../charts/time-series.js";
import {
  badge,
  formatDuration,
  formatNumber,
  formatSpan,
  h,
  metricTitle,
  stacked,
  zoneName,
} from "../format.js";
import { debounce, subscribe } from "../live.js";
import { fairnessTables } from "./fairness-table.js";

/**
 * The windows a period drew on, when they differ from the period (weekly windows behind an hourly
 * report): "from 1 window of 1w, 2013-01-07 – 2013-01-13".
 */
function windowsLine(
  from: number,
  to: number,
  windows: { readonly from: number; readonly to: number; readonly count: number } | null,
): HTMLElement | null {
  if (windows === null || (windows.from === from && windows.to === to)) return null;
  const length = (windows.to - windows.from) / windows.count;
  const each = Number.isInteger(length) && windows.count === 1 ? ` of ${formatDuration(length)}` : "";
  return h(
    "div",
    { class: "muted report-windows" },
    `from ${windows.count} window${windows.count === 1 ? "" : "s"}${each}, ${formatSpan(windows.from, windows.to)}`,
  );
}

function windowsNote(report: HealthReport): HTMLElement | null {
  const starts = [...new Set(report.versions.flatMap((v) => v.chart.start))].sort((a, b) => a - b);
  if (starts.length === 0 || report.windowMs === undefined) return null;
  return windowsLine(report.from, report.to, {
    from: starts[0]!,
    to: starts.at(-1)! + report.windowMs,
    count: starts.length,
  });
}

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
  /** Reports per page of the list: a year of hourly reports must not make the page 16,000 px tall. */
  const PAGE = 20;
  let page = 0;

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
      h("h2", {}, `${model}: ${formatSpan(report.from, report.to)} (${zoneName()}) `, badge(report.status)),
      windowsNote(report) ?? "",
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
          h("dt", {}, metricTitle(v.quality.metric).title),
          h(
            "dd",
            {},
            // Too few labels is said as such, never shown as a pass.
            v.verdicts?.find((x) => x.rule === "quality")?.status === "insufficient_data"
              ? h("span", { class: "insufficient" }, "insufficient data")
              : formatNumber(v.quality.value),
            ` (threshold ${formatNumber(v.quality.threshold)})`,
          ),
          // CBPE estimates a classifier's accuracy without labels: a regression has no such row.
          ...(report.task === "regression"
            ? []
            : [
                h("dt", {}, "Estimated accuracy (CBPE)"),
                h(
                  "dd",
                  {},
                  est === null
                    ? "—"
                    : `${formatNumber(est.estimate)} [${formatNumber(est.lower)}, ${formatNumber(est.upper)}]`,
                ),
              ]),
          h("dt", {}, "Latency p50 / p95 / p99"),
          h(
            "dd",
            {},
            `${formatNumber(v.latency.p50)} / ${formatNumber(v.latency.p95)} / ${formatNumber(v.latency.p99)} ms`,
          ),
          // The window's verdict (which can be emergency) and the columns' own, which stop at critical:
          // the same words as the heat map and the API.
          h("dt", {}, "Drift (worst window)"),
          h("dd", {}, v.drift.worst === null ? "no reference" : v.drift.worst),
          h("dt", {}, "Columns critical"),
          h(
            "dd",
            {},
            v.drift.columns.length === 0
              ? "none"
              : v.drift.columns
                  .slice(0, 8)
                  .map((c) => `${c.column} (${c.windows} window${c.windows === 1 ? "" : "s"})`)
                  .join(", "),
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
            ...metricTitle(v.quality.metric),
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
    for (const row of listBox.querySelectorAll("tr[data-report]")) {
      const current = row.getAttribute("data-report") === reportId;
      row.classList.toggle("selected", current);
      const link = row.querySelector("a");
      if (current) link?.setAttribute("aria-current", "true");
      else link?.removeAttribute("aria-current");
    }
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
      `/v1/models/${encodeURIComponent(model)}/reports?limit=1000`,
    );
    allReports = reports;
    const chosen = reports.find((r) => r.id === id) ?? reports[0];
    if (chosen !== undefined) page = Math.floor(reports.indexOf(chosen) / PAGE);
    renderList();
    if (chosen !== undefined) await showReport(chosen.id);
    else detail.replaceChildren();
  };

  let allReports: ReportSummary[] = [];
  const renderList = () => {
    const reports = allReports;
    const pages = Math.max(1, Math.ceil(reports.length / PAGE));
    page = Math.min(Math.max(0, page), pages - 1);
    const shown = reports.slice(page * PAGE, (page + 1) * PAGE);
    const pager = (which: "previous" | "next") => {
      const button = h(
        "button",
        {
          type: "button",
          class: `page-${which}`,
          disabled: which === "previous" ? page === 0 : page >= pages - 1,
        },
        which === "previous" ? "Newer" : "Older",
      );
      button.addEventListener("click", () => {
        page += which === "previous" ? -1 : 1;
        renderList();
        listBox.querySelector<HTMLButtonElement>(`button.page-${which}:not([disabled])`)?.focus();
        if (document.activeElement === document.body)
          listBox.querySelector<HTMLButtonElement>("button:not([disabled])")?.focus();
      });
      return button;
    };
    listBox.replaceChildren(
      h("h2", { id: "reports-title" }, `Reports (${reports.length})`),
      reports.length === 0
        ? h("p", { class: "empty" }, "None yet: a report is stored at the end of each reporting period.")
        : stacked(
            h(
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
                ...shown.map((r) => {
                  const link = h(
                    "a",
                    { href: `/reports?model=${encodeURIComponent(model)}&id=${encodeURIComponent(r.id)}` },
                    formatSpan(r.from, r.to),
                  );
                  link.addEventListener("click", (event) => {
                    event.preventDefault();
                    event.stopPropagation();
                    void showReport(r.id);
                  });
                  return h(
                    "tr",
                    { "data-report": r.id },
                    h("td", {}, link, windowsLine(r.from, r.to, r.windows ?? null)),
                    h("td", {}, badge(r.status)),
                    h("td", {}, r.reasons[0]?.message ?? "—"),
                  );
                }),
              ),
            ),
          ),
      reports.length > PAGE
        ? h(
            "nav",
            { class: "pager", "aria-label": "Reports pages" },
            pager("previous"),
            h("span", { class: "muted", "aria-live": "polite" }, `Page ${page + 1} of ${pages}`),
            pager("next"),
          )
        : "",
    );
    if (id !== null)
      for (const row of listBox.querySelectorAll("tr[data-report]"))
        if (row.getAttribute("data-report") === id) row.classList.add("selected");
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
