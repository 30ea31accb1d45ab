import type { AttributeFairness, FairnessReport } from "../contract/index.js";
import type { Block } from "./document.js";
import { formatNumber } from "./format.js";

function intervalText(value: number | null, interval: { lower: number; upper: number } | null): string {
  if (value === null) return "—";
  return interval === null
    ? formatNumber(value)
    : `${formatNumber(value)} [${formatNumber(interval.lower)}, ${formatNumber(interval.upper)}]`;
}

/** One table per sensitive attribute: each group's rates and impact ratio with their intervals. */
export function fairnessBlocks(report: FairnessReport): Block[] {
  const blocks: Block[] = [
    {
      kind: "paragraph",
      text: `Intervals are ${formatNumber(report.confidence * 100)}% confidence intervals; the four-fifths rule flags an impact ratio below ${formatNumber(report.impactRatioThreshold)}.`,
    },
  ];
  for (const a of report.attributes) blocks.push(...attributeBlocks(a));
  return blocks;
}

function attributeBlocks(a: AttributeFairness): Block[] {
  const ratio = new Map(a.impactRatios.map((r) => [r.group, r]));
  return [
    {
      kind: "table",
      caption: `${a.attribute}: four-fifths rule ${a.fourFifthsRule}; privileged group ${a.privilegedGroup ?? "—"}; ${a.missing} rows without a value`,
      columns: ["group", "events", "labelled", "selection rate", "TPR", "FPR", "impact ratio"],
      numeric: [false, true, true, false, false, false, false],
      rows: a.groups.map((g) => {
        const r = ratio.get(g.group);
        return [
          g.group,
          String(g.count),
          String(g.labelled),
          intervalText(g.selectionRate.value, g.selectionRate.interval),
          intervalText(g.truePositiveRate.value, g.truePositiveRate.interval),
          intervalText(g.falsePositiveRate.value, g.falsePositiveRate.interval),
          r === undefined
            ? "—"
            : `${intervalText(r.value, r.interval)}${r.violation === true ? " (violation)" : ""}`,
        ];
      }),
    },
    {
      kind: "facts",
      facts: [
        {
          label: `${a.attribute}: demographic parity difference`,
          value: intervalText(a.demographicParityDifference.value, a.demographicParityDifference.interval),
        },
        {
          label: `${a.attribute}: equalized odds difference`,
          value: intervalText(a.equalizedOddsDifference.value, a.equalizedOddsDifference.interval),
        },
      ],
    },
  ];
}
