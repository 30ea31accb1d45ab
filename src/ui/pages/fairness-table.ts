import type { AttributeFairness, FairnessReport, Interval } from "../api.js";
import { badge, formatNumber, h } from "../format.js";

const pct = (value: number | null | undefined) =>
  value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
const range = (interval: Interval | null, asPercent = true) =>
  interval === null
    ? ""
    : asPercent
      ? ` [${pct(interval.lower)}, ${pct(interval.upper)}]`
      : ` [${formatNumber(interval.lower, 3)}, ${formatNumber(interval.upper, 3)}]`;

/**
 * One attribute's fairness: the between-group figures with their intervals, and every group's rates.
 * Shared by the fairness and report pages.
 */
export function attributeTable(
  attribute: AttributeFairness,
  confidence: number,
  threshold: number,
): HTMLElement {
  const verdict =
    attribute.fourFifthsRule === "violation"
      ? "critical"
      : attribute.fourFifthsRule === "pass"
        ? "ok"
        : "no_data";
  const dp = attribute.demographicParityDifference;
  const eo = attribute.equalizedOddsDifference;
  const ratios = new Map(attribute.impactRatios.map((r) => [r.group, r]));
  return h(
    "section",
    {
      class: "fairness-attribute",
      "data-attribute": attribute.attribute,
      "data-rule": attribute.fourFifthsRule,
    },
    h(
      "h3",
      {},
      `By ${attribute.attribute} `,
      badge(verdict),
      h("span", { class: "muted" }, ` four-fifths rule: ${attribute.fourFifthsRule.replace("-", " ")}`),
    ),
    h(
      "dl",
      { class: "stats" },
      h("dt", {}, "Demographic parity difference"),
      h(
        "dd",
        { "data-metric": "demographic-parity-difference" },
        `${pct(dp.value)}${range(dp.interval)}${dp.groups === null ? "" : ` (${dp.groups[0]} vs ${dp.groups[1]})`}`,
      ),
      h("dt", {}, "Equalized odds difference"),
      h("dd", {}, `${pct(eo.value)}${range(eo.interval)}${eo.note === null ? "" : ` — ${eo.note}`}`),
      h("dt", {}, "Privileged group"),
      h("dd", {}, attribute.privilegedGroup ?? "—"),
      h("dt", {}, "Intervals"),
      h("dd", {}, `${Math.round(confidence * 100)}% (Wilson; Newcombe for differences; Katz for ratios)`),
    ),
    h(
      "table",
      { class: "groups" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...[
            "Group",
            "Events",
            "Labelled",
            "Selection rate",
            "True positive rate",
            "False positive rate",
            `Impact ratio (≥ ${threshold})`,
          ].map((t) => h("th", { scope: "col" }, t)),
        ),
      ),
      h(
        "tbody",
        {},
        ...attribute.groups.map((g) => {
          const ratio = ratios.get(g.group);
          return h(
            "tr",
            { "data-group": g.group },
            h("th", { scope: "row" }, g.group),
            h("td", { class: "num" }, g.count.toLocaleString("en-US")),
            h("td", { class: "num" }, g.labelled.toLocaleString("en-US")),
            h("td", { class: "num" }, `${pct(g.selectionRate.value)}${range(g.selectionRate.interval)}`),
            h(
              "td",
              { class: "num" },
              `${pct(g.truePositiveRate.value)}${range(g.truePositiveRate.interval)}`,
            ),
            h(
              "td",
              { class: "num" },
              `${pct(g.falsePositiveRate.value)}${range(g.falsePositiveRate.interval)}`,
            ),
            h(
              "td",
              { class: `num${ratio?.violation ? " violation" : ""}` },
              g.group === attribute.privilegedGroup
                ? "reference"
                : ratio === undefined || ratio.value === null
                  ? "—"
                  : `${formatNumber(ratio.value, 3)}${range(ratio.interval, false)}`,
            ),
          );
        }),
      ),
    ),
  );
}

/** Every attribute of a fairness report. */
export function fairnessTables(report: FairnessReport): HTMLElement[] {
  return report.attributes.map((a) => attributeTable(a, report.confidence, report.impactRatioThreshold));
}
