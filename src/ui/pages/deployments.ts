import type {
  AnalysisRecord,
  DeploymentChange,
  DeploymentState,
  RolloutRecord,
  VerificationRecord,
} from "../../contract/index.js";
import { getJson, type ModelRecord } from "../api.js";
import { formatTime, h } from "../format.js";

const num = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : Math.abs(x) >= 1000 || x === 0 ? String(x) : x.toPrecision(4);

/**
 * Deployments (issue #14): who serves each model, every version's stage, the rollout with its steps,
 * each analysis with its numbers, and the history of changes (who, when, why).
 */
export async function renderDeployments(
  main: HTMLElement,
  _params: Record<string, string>,
  query: URLSearchParams,
): Promise<() => void> {
  const { models } = await getJson<{ models: ModelRecord[] }>("/v1/models");
  main.append(h("h1", {}, "Deployments"));
  if (models.length === 0) {
    main.append(h("p", { class: "empty" }, "No model is registered."));
    return () => undefined;
  }
  const model = models.some((m) => m.name === query.get("model")) ? query.get("model")! : models[0]!.name;
  const picker = h(
    "nav",
    { "aria-label": "Models" },
    ...models.map((m) =>
      h(
        "a",
        {
          href: `/deployments?model=${encodeURIComponent(m.name)}`,
          "aria-current": m.name === model ? "page" : undefined,
        },
        m.name,
        " ",
      ),
    ),
  );
  const path = `/v1/models/${encodeURIComponent(model)}`;
  const [state, { rollouts }, { history }, { verifications }] = await Promise.all([
    getJson<DeploymentState>(`${path}/deployment`),
    getJson<{ rollouts: RolloutRecord[] }>(`${path}/rollouts`),
    getJson<{ history: DeploymentChange[] }>(`${path}/deployment/history`),
    getJson<{ verifications: VerificationRecord[] }>(`${path}/verifications`),
  ]);
  main.append(
    picker,
    h(
      "p",
      {},
      `Production: ${state.production ?? "none"}`,
      state.previous === null ? "" : ` · previous: ${state.previous}`,
    ),
    table(
      "Stages",
      ["Version", "Stage"],
      Object.entries(state.stages).map(([v, s]) => [v, s]),
    ),
  );
  const rollout = rollouts[0];
  if (rollout !== undefined) {
    const steps = h(
      "ol",
      { class: "steps", "aria-label": "Canary steps" },
      ...rollout.spec.steps.map((w, i) =>
        h(
          "li",
          { "aria-current": i === rollout.step && rollout.phase !== "promoted" ? "step" : undefined },
          `${w}%`,
          i < rollout.step || rollout.phase === "promoted"
            ? " ✓ passed"
            : i === rollout.step
              ? ` ← ${rollout.phase}`
              : "",
        ),
      ),
    );
    main.append(
      h("h2", {}, `Rollout of ${rollout.candidate} (against ${rollout.production})`),
      h(
        "p",
        {},
        `${rollout.phase}${rollout.weight > 0 ? ` at ${rollout.weight}%` : ""} · started ${formatTime(rollout.startedMs)}`,
        rollout.reason === null ? "" : ` · ${rollout.reason}`,
        rollout.source === null ? "" : ` · from ${rollout.source.kind} ${rollout.source.id}`,
      ),
      steps,
    );
    const { analyses } = await getJson<{ analyses: AnalysisRecord[] }>(
      `${path}/rollouts/${encodeURIComponent(rollout.id)}/analyses`,
    );
    main.append(
      table(
        "Analyses",
        [
          "#",
          "Time",
          "Weight",
          "Outcome",
          "Metric",
          "Canary",
          "Production",
          "n (canary / production)",
          "p",
          "Limit",
          "Metric outcome",
          "Why",
        ],
        analyses.flatMap((a) =>
          a.metrics.map((m, i) => [
            i === 0 ? String(a.number) : "",
            i === 0 ? formatTime(a.atMs) : "",
            i === 0 ? `${a.weight}%` : "",
            i === 0 ? a.outcome : "",
            m.metric,
            num(m.canary),
            num(m.production),
            `${m.nCanary} / ${m.nProduction}`,
            num(m.pValue),
            num(m.limit),
            m.outcome,
            m.reason,
          ]),
        ),
      ),
    );
  }
  // The last verification of each version, newest first: what a rollout was (or would be) held to.
  const last = new Map<string, VerificationRecord>();
  for (const v of verifications) last.set(v.version, v);
  if (last.size > 0) main.append(h("h2", {}, "Verification before traffic"));
  for (const v of [...last.values()].sort((a, b) => b.atMs - a.atMs))
    main.append(
      table(
        `${v.version}: ${v.outcome === "pass" ? "passed" : "failed"}${v.production === null ? "" : ` against ${v.production}`} · ${formatTime(v.atMs)} · ${v.trigger === "rollout" ? "before a rollout" : "by command"}${v.declared ? "" : " · defaults (no declaration)"}`,
        ["Test", "Outcome", "Value", "Limit", "n", "Why"],
        v.tests.map((t) => [
          t.name,
          t.outcome,
          num(t.value),
          num(t.limit),
          t.n === null ? "—" : String(t.n),
          t.reason,
        ]),
      ),
    );
  main.append(
    table(
      "History",
      ["Time", "Who", "Action", "Version", "Stage", "Why"],
      [...history]
        .reverse()
        .map((c) => [
          formatTime(c.atMs),
          c.by,
          c.action,
          c.version ?? "",
          c.from === null && c.to === null ? "" : `${c.from ?? ""} → ${c.to ?? ""}`,
          c.reason,
        ]),
    ),
  );
  return () => undefined;
}

function table(caption: string, head: string[], rows: string[][]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, `${caption}: none yet.`);
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))),
  );
}
