import { type Alert, getJson } from "../api.js";
import { type Chart, type ChartSpec, timeChart } from "../charts/time-series.js";
import { badge, formatDuration, formatNumber, formatTime, h, stacked, zoneName } from "../format.js";
import { debounce, subscribe } from "../live.js";

/**
 * The machine the server runs on: CPU, memory, disks, network, GPUs and the probed dependencies per
 * resource window, with the configured rule thresholds drawn in, and the resource alerts firing.
 * Types are declared here (the UI talks HTTP only); they follow `GET /v1/resources`
 * (src/server/resource-monitor.ts, docs/resources.md).
 */

interface Gauge {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  readonly last: number;
  readonly count: number;
}

interface ResourceWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly snapshots: number;
  readonly open: boolean;
  readonly memoryTotalBytes: number | null;
  readonly cpu: { readonly utilisation: number | null; readonly intervals: Gauge | null };
  readonly memory: { readonly usedRatio: Gauge | null; readonly residentBytes: Gauge | null };
  readonly gpus: ReadonlyArray<{
    readonly gpu: string;
    readonly modelName: string;
    readonly utilisationRatio: Gauge | null;
    readonly memoryUsedRatio: Gauge | null;
  }>;
  readonly filesystems: ReadonlyArray<{ readonly mountpoint: string; readonly usedRatio: Gauge }>;
  readonly network: ReadonlyArray<{
    readonly device: string;
    readonly receiveBytesPerSecond: number | null;
    readonly transmitBytesPerSecond: number | null;
    readonly errors: number;
    readonly drops: number;
  }>;
  readonly probes: ReadonlyArray<{
    readonly target: string;
    readonly success: Gauge | null;
    readonly durationSeconds: Gauge | null;
  }>;
}

type RuleName =
  | "memory_used_ratio"
  | "gpu_memory_used_ratio"
  | "disk_used_ratio"
  | "cpu_utilisation"
  | "probe_success";

interface Threshold {
  readonly alertname: string;
  readonly direction: "above" | "below";
  readonly warning: number | null;
  readonly critical: number | null;
}

interface Resources {
  readonly now: number;
  readonly instance: string;
  readonly intervalMs: number;
  readonly windowMs: number;
  /** The range asked for (null: unbounded on that side). */
  readonly from: number | null;
  readonly to: number | null;
  readonly bucket: number;
  readonly windows: ResourceWindow[];
  readonly latest: {
    readonly timeMs: number;
    readonly collectors: ReadonlyArray<{
      readonly collector: string;
      readonly status: string;
      readonly errors: ReadonlyArray<{ readonly source: string; readonly message: string }>;
    }>;
  } | null;
  readonly gpu: "auto" | "off";
  readonly thresholds: Readonly<Record<RuleName, Threshold>>;
  readonly alerts: Alert[];
}

const RANGES = [
  ["24h", "Last 24 h"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
] as const;
const COLOURS = ["--series-1", "--series-2", "--series-3", "--series-4", "--series-5"];
const GIB = 2 ** 30;

/** The rule's thresholds as chart lines: "warning above 90%". */
function thresholdsOf(rule: Threshold, percent: boolean): NonNullable<ChartSpec["thresholds"]> {
  const shown = (v: number) => (percent ? `${formatNumber(v * 100, 3)}%` : formatNumber(v));
  return (["warning", "critical"] as const).flatMap((severity) => {
    const value = rule[severity];
    return value === null ? [] : [{ value, label: `${severity} ${rule.direction} ${shown(value)}` }];
  });
}

/** A sum over devices, null when none of them has a figure. */
function sum(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0);
}

/**
 * The resources page: a range (24 h, 7 days, 30 days), charts per window (one point per window, or
 * per bucket of windows when there are more than 1000), thresholds from the configured rules, the
 * probes' availability and the resource alerts firing. The charts' data tables hold the numbers.
 */
export async function renderResources(
  main: HTMLElement,
  _params: Record<string, string>,
  query: URLSearchParams,
): Promise<() => void> {
  let range: string = RANGES.some(([r]) => r === query.get("range")) ? query.get("range")! : "24h";
  const charts: Chart[] = [];
  const meta = h("p", { class: "muted" }, "");
  const controls = h("div", { class: "controls", role: "group", "aria-label": "Range" });
  const alertsBox = h("section", { class: "resource-alerts", "aria-labelledby": "resource-alerts-title" });
  const chartsBox = h("section", { class: "charts", "aria-label": "Machine" });
  const gpuBox = h("section", { class: "gpu", "aria-labelledby": "gpu-title" });
  const probesBox = h("section", { class: "probes", "aria-labelledby": "probes-title" });
  main.append(h("h1", {}, "Resources"), meta, controls, alertsBox, chartsBox, gpuBox, probesBox);

  // Every chart's x axis is the range asked for, however few windows it holds.
  let xRange: [number, number] | undefined;
  const chart = (box: HTMLElement, spec: ChartSpec) => {
    const holder = h("div", { class: "chart-box" });
    box.append(holder);
    const made = timeChart(holder, xRange === undefined ? spec : { ...spec, xRange });
    // The thresholds drawn on the canvas, also as text (and data for tests): never colour alone.
    made.figure.dataset.thresholds = JSON.stringify(spec.thresholds ?? []);
    if ((spec.thresholds ?? []).length > 0)
      made.figure.append(
        h(
          "p",
          { class: "muted thresholds" },
          `Thresholds: ${(spec.thresholds ?? []).map((t) => t.label).join(", ")}`,
        ),
      );
    charts.push(made);
  };

  // Built once and updated after each load: the pressed button keeps the focus.
  const buttons = RANGES.map(([value, label]) => {
    const button = h("button", { type: "button", class: "range", "data-range": value }, label);
    button.addEventListener("click", () => {
      range = value;
      history.replaceState(null, "", `/resources${range === "24h" ? "" : `?range=${range}`}`);
      void load();
    });
    return button;
  });
  controls.append(...buttons);
  const renderControls = () => {
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.range === range));
  };

  const renderAlerts = (data: Resources) => {
    const title = h("h2", { id: "resource-alerts-title" }, "Resource alerts firing");
    if (data.alerts.length === 0) {
      alertsBox.replaceChildren(title, h("p", { class: "empty" }, "No resource alert is firing."));
      return;
    }
    alertsBox.replaceChildren(
      title,
      stacked(
        h(
          "table",
          { class: "alerts-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Alert", "Severity", "Summary", "Since"].map((t) => h("th", { scope: "col" }, t)),
            ),
          ),
          h(
            "tbody",
            {},
            ...data.alerts.map((a) =>
              h(
                "tr",
                { "data-alertname": a.labels.alertname ?? "", "data-fingerprint": a.fingerprint },
                h("th", { scope: "row" }, a.labels.alertname ?? ""),
                h("td", {}, badge(a.labels.severity ?? "warning")),
                h("td", {}, a.annotations.summary ?? ""),
                h("td", {}, formatTime(a.startsAt)),
              ),
            ),
          ),
        ),
      ),
    );
  };

  const renderCharts = (data: Resources) => {
    chartsBox.replaceChildren();
    const windows = data.windows;
    if (windows.length === 0) {
      chartsBox.append(h("p", { class: "empty" }, "No resource window in this range yet."));
      return;
    }
    const x = windows.map((w) => w.startMs);
    const sync = "resources";
    const t = data.thresholds;
    chart(chartsBox, {
      id: "chart-cpu",
      title: "CPU utilisation",
      unit: "%",
      x,
      lines: [
        { label: "window", values: windows.map((w) => w.cpu.utilisation), color: "--series-1" },
        {
          label: "peak between samples",
          values: windows.map((w) => w.cpu.intervals?.max ?? null),
          color: "--series-3",
          dash: [4, 4],
        },
      ],
      thresholds: thresholdsOf(t.cpu_utilisation, true),
      scale: 100,
      fromZero: true,
      syncKey: sync,
    });
    chart(chartsBox, {
      id: "chart-memory",
      title: "Memory used",
      unit: "%",
      x,
      lines: [
        { label: "mean", values: windows.map((w) => w.memory.usedRatio?.mean ?? null), color: "--series-1" },
        {
          label: "max",
          values: windows.map((w) => w.memory.usedRatio?.max ?? null),
          color: "--series-3",
          dash: [4, 4],
        },
      ],
      thresholds: thresholdsOf(t.memory_used_ratio, true),
      scale: 100,
      fromZero: true,
      syncKey: sync,
    });
    const total = windows.find((w) => w.memoryTotalBytes !== null)?.memoryTotalBytes ?? null;
    chart(chartsBox, {
      id: "chart-memory-bytes",
      title: `Memory used${total === null ? "" : ` of ${formatNumber(total / GIB, 3)} GiB`}`,
      unit: "GiB",
      x,
      lines: [
        {
          label: "machine",
          values: windows.map((w) =>
            w.memory.usedRatio === null || w.memoryTotalBytes === null
              ? null
              : w.memory.usedRatio.mean * w.memoryTotalBytes,
          ),
          color: "--series-1",
        },
        {
          label: "this server (RSS)",
          values: windows.map((w) => w.memory.residentBytes?.mean ?? null),
          color: "--series-2",
        },
      ],
      scale: 1 / GIB,
      fromZero: true,
      syncKey: sync,
      height: 160,
    });
    const mountpoints = [...new Set(windows.flatMap((w) => w.filesystems.map((f) => f.mountpoint)))];
    chart(chartsBox, {
      id: "chart-disk",
      title: "Disk used",
      unit: "%",
      x,
      lines: mountpoints.map((mountpoint, i) => ({
        label: mountpoint,
        values: windows.map(
          (w) => w.filesystems.find((f) => f.mountpoint === mountpoint)?.usedRatio.max ?? null,
        ),
        color: COLOURS[i % COLOURS.length]!,
      })),
      thresholds: thresholdsOf(t.disk_used_ratio, true),
      scale: 100,
      fromZero: true,
      syncKey: sync,
    });
    chart(chartsBox, {
      id: "chart-network",
      title: "Network, all interfaces",
      unit: "KiB/s",
      x,
      lines: [
        {
          label: "in",
          values: windows.map((w) => sum(w.network.map((n) => n.receiveBytesPerSecond))),
          color: "--series-1",
        },
        {
          label: "out",
          values: windows.map((w) => sum(w.network.map((n) => n.transmitBytesPerSecond))),
          color: "--series-2",
        },
      ],
      scale: 1 / 1024,
      fromZero: true,
      syncKey: sync,
    });
    chart(chartsBox, {
      id: "chart-network-errors",
      title: "Network errors and drops",
      unit: `per ${formatDuration(data.windowMs * data.bucket)}`,
      x,
      lines: [
        {
          label: "errors",
          values: windows.map((w) => sum(w.network.map((n) => n.errors))),
          color: "--series-5",
        },
        {
          label: "drops",
          values: windows.map((w) => sum(w.network.map((n) => n.drops))),
          color: "--series-3",
        },
      ],
      fromZero: true,
      syncKey: sync,
      height: 150,
    });
  };

  const renderGpus = (data: Resources) => {
    const title = h("h2", { id: "gpu-title" }, "GPUs");
    const windows = data.windows;
    const gpus = [...new Map(windows.flatMap((w) => w.gpus.map((g) => [g.gpu, g.modelName] as const)))];
    if (gpus.length === 0) {
      const status = data.latest?.collectors.find((c) => c.collector === "gpu");
      const why =
        data.gpu === "off"
          ? "GPU sampling is off (resources.gpu: off)."
          : status?.status === "failed"
            ? `nvidia-smi failed: ${status.errors[0]?.message ?? ""}`
            : "No GPU on this machine.";
      gpuBox.replaceChildren(title, h("p", { class: "empty", id: "no-gpu" }, why));
      return;
    }
    const box = h("div", { class: "charts" });
    gpuBox.replaceChildren(title, box);
    const x = windows.map((w) => w.startMs);
    const line = (pick: (g: ResourceWindow["gpus"][number]) => Gauge | null) =>
      gpus.map(([gpu, name], i) => ({
        label: `GPU ${gpu}${name === "" ? "" : ` ${name}`}`,
        values: windows.map((w) => {
          const g = w.gpus.find((candidate) => candidate.gpu === gpu);
          return g === undefined ? null : (pick(g)?.mean ?? null);
        }),
        color: COLOURS[i % COLOURS.length]!,
      }));
    chart(box, {
      id: "chart-gpu-utilisation",
      title: "GPU utilisation",
      unit: "%",
      x,
      lines: line((g) => g.utilisationRatio),
      scale: 100,
      fromZero: true,
      syncKey: "resources",
    });
    chart(box, {
      id: "chart-gpu-memory",
      title: "GPU memory used",
      unit: "%",
      x,
      lines: line((g) => g.memoryUsedRatio),
      thresholds: thresholdsOf(data.thresholds.gpu_memory_used_ratio, true),
      scale: 100,
      fromZero: true,
      syncKey: "resources",
    });
  };

  const renderProbes = (data: Resources) => {
    const title = h("h2", { id: "probes-title" }, "Dependencies");
    const windows = data.windows;
    const targets = [...new Set(windows.flatMap((w) => w.probes.map((p) => p.target)))];
    if (targets.length === 0) {
      probesBox.replaceChildren(
        title,
        h("p", { class: "empty" }, "No probe targets are configured (resources.probes)."),
      );
      return;
    }
    const x = windows.map((w) => w.startMs);
    const probe = (w: ResourceWindow, target: string) => w.probes.find((p) => p.target === target);
    const rows = targets.map((target) => {
      let up = 0;
      let count = 0;
      for (const w of windows) {
        const s = probe(w, target)?.success;
        if (s) {
          up += s.mean * s.count;
          count += s.count;
        }
      }
      const newest = [...windows].reverse().find((w) => probe(w, target)?.success)!;
      const last = probe(newest, target)!;
      const isUp = last.success!.last >= 1;
      return h(
        "tr",
        { "data-target": target },
        h("th", { scope: "row" }, target),
        h("td", {}, badge(isUp ? "ok" : "critical"), isUp ? " up" : " down"),
        h("td", { class: "num" }, count === 0 ? "—" : `${formatNumber((up / count) * 100, 4)}%`),
        h(
          "td",
          { class: "num" },
          last.durationSeconds === null ? "—" : `${formatNumber(last.durationSeconds.last * 1000)} ms`,
        ),
      );
    });
    const box = h("div", { class: "charts" });
    probesBox.replaceChildren(
      title,
      stacked(
        h(
          "table",
          { class: "probes-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Target", "Now", "Availability in range", "Latest latency"].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          h("tbody", {}, ...rows),
        ),
      ),
      box,
    );
    chart(box, {
      id: "chart-probe-latency",
      title: "Probe latency",
      unit: "ms",
      x,
      lines: targets.map((target, i) => ({
        label: target,
        values: windows.map((w) => probe(w, target)?.durationSeconds?.mean ?? null),
        color: COLOURS[i % COLOURS.length]!,
      })),
      scale: 1000,
      fromZero: true,
      syncKey: "resources",
    });
    chart(box, {
      id: "chart-probe-success",
      title: "Probe success",
      unit: "%",
      x,
      lines: targets.map((target, i) => ({
        label: target,
        values: windows.map((w) => probe(w, target)?.success?.mean ?? null),
        color: COLOURS[i % COLOURS.length]!,
      })),
      thresholds: thresholdsOf(data.thresholds.probe_success, true),
      scale: 100,
      fromZero: true,
      syncKey: "resources",
      height: 150,
    });
  };

  const load = async () => {
    const data = await getJson<Resources>(`/v1/resources?last=${range}&points=1000`);
    for (const c of charts.splice(0)) c.destroy();
    const hi = data.to ?? data.now;
    const lo = data.from ?? Math.min(hi - data.windowMs, ...data.windows.map((w) => w.startMs));
    xRange = [lo, hi];
    meta.textContent = `${data.instance} · sampled every ${formatDuration(data.intervalMs)} · windows of ${formatDuration(data.windowMs)}${data.bucket > 1 ? ` · ${data.bucket} windows per point` : ""} · ${data.windows.length} point${data.windows.length === 1 ? "" : "s"} · times in ${zoneName()}${data.latest === null ? "" : ` · newest sample ${formatTime(data.latest.timeMs)}`}`;
    main.dataset.windows = String(data.windows.length);
    renderControls();
    renderAlerts(data);
    renderCharts(data);
    renderGpus(data);
    renderProbes(data);
    return data;
  };
  const first = await load();
  // Resources have no live events of their own: refresh on the sampling interval (at least every
  // 15 s), and at once when a resource alert changes.
  let closed = false;
  const reload = debounce(() => {
    if (!closed) void load().catch(() => undefined);
  }, 500);
  const timer = setInterval(reload, Math.max(15_000, first.intervalMs));
  const unsubscribe = subscribe((change) => {
    if (change.type === "reset" || (change.type === "alert" && change.labels.resource !== undefined))
      reload();
  });
  return () => {
    closed = true;
    clearInterval(timer);
    unsubscribe();
    for (const c of charts) c.destroy();
  };
}
