import { ApiError, getJson } from "../api.js";
import { formatNumber, formatTime, h, zoneName } from "../format.js";

/**
 * Explanations: the feature importance of one window of a model version (permutation importance
 * through its ONNX model, or exact attributions of a linear model) beside the reference's, and the
 * attribution drift between the two rankings (nDCG, Spearman, the features that moved). The URL holds
 * the choice (model, version, window), so a link opens on it.
 */

// The API's shapes, declared here: the dashboard only talks HTTP (src/architecture.test.ts).
interface ModelInfo {
  readonly name: string;
  readonly task: string;
}

interface VersionInfo {
  readonly version: string;
  readonly createdMs: number;
}

interface WindowInfo {
  readonly version: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly events?: number;
  readonly labels?: number;
  readonly final?: boolean;
}

interface ImportanceEntry {
  readonly feature: string;
  readonly mean: number;
  readonly std: number;
}

interface ReferenceImportance {
  readonly method: string;
  readonly scoring: string;
  readonly baseline: number | null;
  readonly rows: number;
  readonly importances: ImportanceEntry[];
  readonly ranking: string[];
}

interface AttributionDrift {
  readonly ndcg: number | null;
  readonly spearman: number | null;
  readonly k: number;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly topChanges: Array<{
    readonly feature: string;
    readonly reference: number;
    readonly current: number;
    readonly referenceRank: number;
    readonly currentRank: number;
  }>;
}

interface Importance {
  readonly method: "permutation" | "linear";
  readonly scoring: string;
  readonly baseline: number | null;
  readonly rows: number;
  readonly repeats: number;
  readonly count: number;
  readonly skipped: number;
  readonly importances: ImportanceEntry[];
  readonly ranking: string[];
  readonly reference: ReferenceImportance | null;
  readonly attributionDrift: AttributionDrift | null;
  readonly notes: string[];
}

const SVG = "http://www.w3.org/2000/svg";

function el(name: string, attributes: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  return node;
}

function svgText(attributes: Record<string, string | number>, text: string): SVGElement {
  const node = el("text", attributes);
  node.textContent = text;
  return node;
}

/** Parses the window of the URL (epoch ms or ISO 8601), or null. */
function urlTime(value: string | null): number | null {
  if (value === null || value === "") return null;
  const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The window shown by default: the newest final one with labels, else the newest with labels. */
function defaultWindow(windows: readonly WindowInfo[]): WindowInfo | undefined {
  const labelled = windows.filter((w) => (w.labels ?? 0) > 0);
  return labelled.filter((w) => w.final === true).at(-1) ?? labelled.at(-1) ?? windows.at(-1);
}

/**
 * Horizontal bars of mean importance ± one standard deviation, features sorted by the window's
 * importance, the reference's bar under each. Colours come from classes (the content security policy
 * allows no style attributes); whiskers draw in the text colour.
 */
function importanceChart(answer: Importance): HTMLElement {
  const byName = new Map(answer.importances.map((f) => [f.feature, f]));
  const reference = new Map((answer.reference?.importances ?? []).map((f) => [f.feature, f]));
  const features = answer.ranking.map((name) => byName.get(name)!);
  const width = 760;
  const left = 200;
  const right = 70;
  const top = 8;
  const row = reference.size > 0 ? 24 : 18;
  const axis = 34;
  const height = top + features.length * row + axis;
  let lo = 0;
  let hi = 0;
  for (const f of features) {
    lo = Math.min(lo, f.mean - f.std);
    hi = Math.max(hi, f.mean + f.std);
    const r = reference.get(f.feature);
    if (r !== undefined) {
      lo = Math.min(lo, r.mean - r.std);
      hi = Math.max(hi, r.mean + r.std);
    }
  }
  if (hi - lo <= 0) hi = lo + 1;
  const plotW = width - left - right;
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * plotW;
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "histogram importance-chart",
    role: "img",
    "data-features": features.length,
    "aria-label": `Importance of ${features.length} features, most important first${reference.size > 0 ? ", with the reference's" : ""}`,
  });
  for (const tick of [lo, (lo + hi) / 2, hi]) {
    svg.append(
      el("line", { x1: x(tick), x2: x(tick), y1: top, y2: height - axis, class: "grid-line" }),
      svgText(
        { x: x(tick), y: height - axis + 14, "text-anchor": "middle", class: "axis-text" },
        formatNumber(tick, 3),
      ),
    );
  }
  svg.append(
    el("line", { x1: x(0), x2: x(0), y1: top, y2: height - axis, stroke: "currentColor", "stroke-width": 1 }),
    svgText(
      { x: left + plotW / 2, y: height - 4, "text-anchor": "middle", class: "axis-text" },
      `importance (${answer.scoring})`,
    ),
  );
  const bar = (
    g: SVGElement,
    f: ImportanceEntry,
    y: number,
    thickness: number,
    kind: "bar-current" | "bar-reference",
  ) => {
    const x0 = Math.min(x(0), x(f.mean));
    g.append(
      el("rect", {
        x: x0,
        y,
        width: Math.max(0.5, Math.abs(x(f.mean) - x(0))),
        height: thickness,
        class: kind,
      }),
    );
    if (f.std > 0)
      g.append(
        el("line", {
          x1: x(f.mean - f.std),
          x2: x(f.mean + f.std),
          y1: y + thickness / 2,
          y2: y + thickness / 2,
          stroke: "currentColor",
          "stroke-width": 1,
          class: "whisker",
        }),
      );
  };
  features.forEach((f, i) => {
    const y = top + i * row;
    const r = reference.get(f.feature);
    const g = el("g", {
      class: "importance-row",
      "data-feature": f.feature,
      "data-mean": f.mean,
      "data-std": f.std,
      ...(r === undefined ? {} : { "data-reference": r.mean }),
    });
    const title = el("title", {});
    title.textContent = `${f.feature}: ${formatNumber(f.mean)} ± ${formatNumber(f.std)}${r === undefined ? "" : `; reference ${formatNumber(r.mean)} ± ${formatNumber(r.std)}`}`;
    g.append(
      title,
      svgText({ x: left - 6, y: y + 11, "text-anchor": "end", class: "axis-text" }, f.feature),
      svgText({ x: width - right + 6, y: y + 11, class: "axis-text" }, formatNumber(f.mean, 3)),
    );
    bar(g, f, y + 2, r === undefined ? 12 : 11, "bar-current");
    if (r !== undefined) bar(g, r, y + 14, 7, "bar-reference");
    svg.append(g);
  });
  return h(
    "figure",
    { class: "histogram-figure", id: "importance-chart" },
    svg as unknown as HTMLElement,
    h(
      "figcaption",
      { class: "legend" },
      h("span", { class: "legend-item" }, h("span", { class: "swatch bar-current" }), "this window"),
      reference.size > 0
        ? h("span", { class: "legend-item" }, h("span", { class: "swatch bar-reference" }), "reference")
        : null,
      h("span", { class: "legend-item" }, "whiskers: ± one standard deviation over the repeats"),
    ),
  );
}

function driftSection(answer: Importance): HTMLElement {
  const drift = answer.attributionDrift;
  if (drift === null)
    return h(
      "section",
      { class: "attribution-drift", id: "attribution-drift" },
      h("h2", {}, "Attribution drift"),
      h("p", { class: "empty" }, "No reference importance to compare with."),
    );
  const verdict = h(
    "span",
    { class: `badge sev-${drift.drifted ? "warning" : "ok"}` },
    drift.drifted ? "drifted" : "stable",
  );
  const changes =
    drift.topChanges.length === 0
      ? h("p", { class: "muted" }, "The top features keep their places.")
      : h(
          "table",
          { class: "top-changes" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "Feature"),
              h(
                "th",
                { scope: "col", title: "Position in the reference's ranking → in this window's" },
                "Rank",
              ),
              h("th", { scope: "col" }, "Reference"),
              h("th", { scope: "col" }, "Window"),
            ),
          ),
          h(
            "tbody",
            {},
            ...drift.topChanges
              .slice(0, 10)
              .map((c) =>
                h(
                  "tr",
                  { "data-feature": c.feature },
                  h("th", { scope: "row" }, c.feature),
                  h("td", { class: "num" }, `${c.referenceRank} → ${c.currentRank}`),
                  h("td", { class: "num" }, formatNumber(c.reference)),
                  h("td", { class: "num" }, formatNumber(c.current)),
                ),
              ),
          ),
        );
  return h(
    "section",
    {
      class: "attribution-drift",
      id: "attribution-drift",
      "data-ndcg": drift.ndcg ?? "",
      "data-drifted": String(drift.drifted),
    },
    h("h2", {}, "Attribution drift"),
    h(
      "dl",
      { class: "stats" },
      h("dt", {}, `nDCG@${drift.k}`),
      h("dd", { class: "ndcg" }, formatNumber(drift.ndcg), " ", verdict),
      h("dt", {}, "threshold"),
      h("dd", {}, `drifted below ${formatNumber(drift.threshold)}`),
      h("dt", {}, "Spearman"),
      h("dd", { class: "spearman" }, formatNumber(drift.spearman)),
    ),
    h("h2", {}, "Top changes"),
    changes,
  );
}

function numbersTable(answer: Importance): HTMLElement {
  const reference = new Map((answer.reference?.importances ?? []).map((f) => [f.feature, f]));
  const byName = new Map(answer.importances.map((f) => [f.feature, f]));
  return h(
    "details",
    { class: "chart-table" },
    h("summary", {}, "Numbers"),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Feature"),
          h("th", { scope: "col" }, "Mean"),
          h("th", { scope: "col" }, "Std"),
          h("th", { scope: "col" }, "Reference mean"),
        ),
      ),
      h(
        "tbody",
        {},
        ...answer.ranking.map((name) => {
          const f = byName.get(name)!;
          return h(
            "tr",
            {},
            h("th", { scope: "row" }, name),
            h("td", { class: "num" }, formatNumber(f.mean)),
            h("td", { class: "num" }, formatNumber(f.std)),
            h("td", { class: "num" }, formatNumber(reference.get(name)?.mean)),
          );
        }),
      ),
    ),
  );
}

function describe(answer: Importance): string {
  const how =
    answer.method === "permutation"
      ? `permutation importance, ${answer.scoring}, ${answer.repeats} shuffles per feature, baseline ${formatNumber(answer.baseline)}`
      : "exact attributions of the linear model, mean |attribution|";
  const reference = answer.reference === null ? "no reference" : `reference: ${answer.reference.rows} rows`;
  return `${how} · ${answer.rows} rows of ${answer.count} · ${reference}`;
}

/**
 * The explanations page: choose a model, a version and a window; see the window's feature importance
 * beside the reference's and the attribution drift.
 */
export async function renderExplanations(
  main: HTMLElement,
  _params: Record<string, string>,
  query: URLSearchParams,
): Promise<() => void> {
  let model = query.get("model") ?? "";
  let version = query.get("version") ?? "";
  let start = urlTime(query.get("window"));
  let generation = 0;
  const controls = h("form", { class: "controls", "aria-label": "Model, version and window" });
  const meta = h("p", { class: "muted", id: "importance-meta" }, "");
  const body = h("section", { class: "explanation", id: "explanation", "aria-live": "polite" });
  main.append(h("h1", {}, "Explanations"), controls, meta, body);
  controls.addEventListener("submit", (event) => event.preventDefault());

  const updateUrl = () => {
    const q = new URLSearchParams();
    if (model !== "") q.set("model", model);
    if (version !== "") q.set("version", version);
    if (start !== null) q.set("window", String(start));
    history.replaceState(null, "", `/explanations${q.size > 0 ? `?${q}` : ""}`);
  };

  const select = (
    id: string,
    label: string,
    options: ReadonlyArray<readonly [string, string]>,
    value: string,
    onChange: (value: string) => void,
  ) => {
    const element = h("select", { id, "aria-label": label });
    for (const [v, text] of options) element.append(h("option", { value: v, selected: v === value }, text));
    element.addEventListener("change", () => onChange(element.value));
    return [h("label", { for: id }, `${label} `), element] as const;
  };

  const showImportance = async (id: number) => {
    if (start === null) {
      body.replaceChildren(h("p", { class: "empty" }, "This version has no window yet."));
      return;
    }
    delete body.dataset.start;
    body.replaceChildren(h("p", { class: "loading" }, "Computing the importance…"));
    meta.textContent = "";
    let answer: Importance;
    try {
      answer = await getJson<Importance>(
        `/v1/models/${encodeURIComponent(model)}/windows/${start}/importance?version=${encodeURIComponent(version)}`,
      );
    } catch (error) {
      if (id !== generation) return;
      if (!(error instanceof ApiError)) throw error;
      body.replaceChildren(
        h(
          "div",
          { class: "empty", id: "importance-error", "data-code": error.code },
          h("p", {}, error.message),
          error.hint === undefined ? null : h("p", { class: "muted" }, error.hint),
        ),
      );
      return;
    }
    if (id !== generation) return;
    body.dataset.start = String(start);
    body.dataset.version = version;
    meta.textContent = `${describe(answer)} · times in ${zoneName()}`;
    body.replaceChildren(
      h(
        "div",
        { class: "detail-grid" },
        h("div", {}, h("h2", {}, "Feature importance"), importanceChart(answer), numbersTable(answer)),
        driftSection(answer),
      ),
      h("ul", { class: "reasons notes" }, ...answer.notes.map((n) => h("li", {}, n))),
    );
  };

  const load = async () => {
    const id = ++generation;
    const { models } = await getJson<{ models: ModelInfo[] }>("/v1/models");
    if (id !== generation) return;
    if (models.length === 0) {
      controls.replaceChildren();
      body.replaceChildren(h("p", { class: "empty" }, "No model is registered yet: POST /v1/models."));
      return;
    }
    if (!models.some((m) => m.name === model)) model = models[0]!.name;
    const { versions } = await getJson<{ versions: VersionInfo[] }>(
      `/v1/models/${encodeURIComponent(model)}/versions`,
    );
    if (id !== generation) return;
    const newest = [...versions].sort((a, b) => a.createdMs - b.createdMs).at(-1);
    if (!versions.some((v) => v.version === version)) version = newest?.version ?? "";
    const windows =
      version === ""
        ? []
        : (
            await getJson<{ windows: WindowInfo[] }>(
              `/v1/models/${encodeURIComponent(model)}/windows?version=${encodeURIComponent(version)}`,
            )
          ).windows;
    if (id !== generation) return;
    if (!windows.some((w) => w.startMs === start)) start = defaultWindow(windows)?.startMs ?? null;
    updateUrl();
    controls.replaceChildren(
      ...select(
        "explain-model",
        "Model",
        models.map((m) => [m.name, `${m.name} (${m.task})`] as const),
        model,
        (v) => {
          model = v;
          version = "";
          start = null;
          void load();
        },
      ),
      ...select(
        "explain-version",
        "Version",
        versions.map((v) => [v.version, `Version ${v.version}`] as const),
        version,
        (v) => {
          version = v;
          start = null;
          void load();
        },
      ),
      ...select(
        "explain-window",
        "Window",
        [...windows]
          .reverse()
          .map(
            (w) =>
              [
                String(w.startMs),
                `${formatTime(w.startMs)} · ${w.labels ?? 0} labels of ${w.events ?? 0}${w.final === true ? "" : " · open"}`,
              ] as const,
          ),
        start === null ? "" : String(start),
        (v) => {
          start = Number(v);
          updateUrl();
          void showImportance(++generation);
        },
      ),
      h("a", { href: `/models/${encodeURIComponent(model)}` }, `Model ${model}`),
    );
    await showImportance(id);
  };
  await load();
  return () => {
    generation++;
  };
}
