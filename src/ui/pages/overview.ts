import { getJson, type Overview } from "../api.js";
import { sparkline } from "../charts/sparkline.js";
import { badge, formatDuration, formatNumber, formatTime, h, stacked, zoneName } from "../format.js";
import { debounce, subscribe } from "../live.js";

/** Every model: health with reasons, newest quality against its threshold, firing alerts, a sparkline. */
export async function renderOverview(main: HTMLElement): Promise<() => void> {
  const body = h("div", { class: "overview" });
  main.append(h("h1", {}, "Models"), body);
  const load = async () => {
    const overview = await getJson<Overview>("/v1/overview");
    const summary = h(
      "p",
      { class: "summary" },
      `${overview.models.length} model${overview.models.length === 1 ? "" : "s"} · `,
      h(
        "a",
        { href: "/alerts" },
        `${overview.alerts.firing} firing alert${overview.alerts.firing === 1 ? "" : "s"}`,
      ),
      overview.alerts.suppressed > 0 ? ` (${overview.alerts.suppressed} silenced)` : "",
      ` · times in ${zoneName()}`,
    );
    if (overview.models.length === 0) {
      body.replaceChildren(
        summary,
        h(
          "p",
          { class: "empty" },
          "No model is registered yet: POST /v1/models, or run ",
          h("code", {}, "npm run demo"),
          ".",
        ),
      );
      return;
    }
    const rows = overview.models.map((m) => {
      const direction = m.quality.direction === "above" ? "≤" : "≥";
      return h(
        "tr",
        { "data-model": m.name, "data-health": m.health.status },
        h(
          "th",
          { scope: "row" },
          h("a", { href: `/models/${encodeURIComponent(m.name)}` }, m.name),
          h("div", { class: "muted" }, `${m.task} · windows of ${formatDuration(m.windowMs)}`),
        ),
        h(
          "td",
          {},
          badge(m.health.status),
          m.health.reasons.length > 0
            ? h(
                "ul",
                { class: "reasons" },
                ...m.health.reasons.slice(0, 3).map((r) => h("li", {}, r.message)),
              )
            : null,
        ),
        h(
          "td",
          { class: "num" },
          m.last === null ? "—" : `${formatNumber(m.last.value)}`,
          h(
            "div",
            { class: "muted" },
            `${m.quality.metric}, target ${direction} ${formatNumber(m.quality.threshold)}`,
          ),
          m.last === null ? null : h("div", { class: "muted" }, `window of ${formatTime(m.last.startMs)}`),
        ),
        h(
          "td",
          { class: "num" },
          m.firing > 0 ? h("a", { href: "/alerts", class: "firing" }, String(m.firing)) : "0",
        ),
        h(
          "td",
          {},
          sparkline(m.sparkline.value, {
            threshold: m.quality.threshold,
            label: `${m.quality.metric} of ${m.name}`,
          }),
        ),
      );
    });
    body.replaceChildren(
      summary,
      stacked(
        h(
          "table",
          { class: "models" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "Model"),
              h("th", { scope: "col" }, "Health"),
              h("th", { scope: "col" }, "Last window"),
              h("th", { scope: "col" }, "Firing"),
              h("th", { scope: "col" }, "Trend"),
            ),
          ),
          h("tbody", {}, ...rows),
        ),
      ),
    );
  };
  await load();
  const reload = debounce(() => void load().catch(() => undefined), 1000);
  return subscribe(() => reload());
}
