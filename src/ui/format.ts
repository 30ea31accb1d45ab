/** Display settings (time zone, theme) and number/time formatting. Times are always labelled with their zone. */

const STORAGE = "tiktoktoe.settings";

export interface Settings {
  /** "local" (the browser's zone) or "UTC". */
  timeZone: "local" | "UTC";
  theme: "auto" | "light" | "dark";
}

function load(): Settings {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE) ?? "{}") as Partial<Settings>;
    return {
      timeZone: saved.timeZone === "UTC" ? "UTC" : "local",
      theme: saved.theme === "light" || saved.theme === "dark" ? saved.theme : "auto",
    };
  } catch {
    return { timeZone: "local", theme: "auto" };
  }
}

export const settings: Settings = load();

export function saveSettings(): void {
  try {
    localStorage.setItem(STORAGE, JSON.stringify(settings));
  } catch {
    // Private windows may refuse storage: the choice then lasts for the page.
  }
}

// The browser's zone, read once: building a DateTimeFormat to ask for it costs more than the
// formatting itself, and times are formatted hundreds of times per render.
let localZone: string | undefined;

/** The IANA name of the zone times are shown in. */
export function zoneName(): string {
  if (settings.timeZone === "UTC") return "UTC";
  localZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return localZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: "datetime" | "date" | "time"): Intl.DateTimeFormat {
  const key = `${kind}|${zoneName()}`;
  let f = formatters.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: zoneName(),
      hourCycle: "h23",
      ...(kind !== "time" ? { year: "numeric", month: "2-digit", day: "2-digit" } : {}),
      ...(kind !== "date" ? { hour: "2-digit", minute: "2-digit" } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** "2012-11-05 13:00" in the chosen zone. */
export function formatTime(ms: number, kind: "datetime" | "date" | "time" = "datetime"): string {
  return formatter(kind).format(new Date(ms)).replace(",", "");
}

/** A number with about four significant digits; "—" for missing. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-3) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/** A p-value: scientific below 0.001. */
export function formatP(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value < 0.001 ? value.toExponential(2) : value.toFixed(4);
}

export function formatDuration(ms: number): string {
  const units: Array<[number, string]> = [
    [7 * 86_400_000, "w"],
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
    [1000, "s"],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Severity code (series, heat map) → name. */
export const severityNames = ["ok", "warning", "critical", "emergency"] as const;

// Theme colours by theme and name: getComputedStyle after DOM changes forces a style recalculation,
// and a render reads dozens of colours while it builds the page. The theme is the root's data-theme.
const cssVars = new Map<string, string>();

/** Reads a CSS custom property of the current theme (charts draw with the theme's colours). */
export function cssVar(name: string): string {
  const key = `${document.documentElement.dataset.theme ?? ""}|${name}`;
  const cached = cssVars.get(key);
  if (cached !== undefined) return cached;
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  // An empty value (styles not applied yet) is not kept.
  if (value !== "") cssVars.set(key, value);
  return value;
}

/** The DOM helper used everywhere: an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Array<Node | string | null | undefined | false>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === "class") element.className = String(value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** A severity badge: colour and the word (never colour alone). */
export function badge(severity: string): HTMLElement {
  const label = severity === "no_data" ? "no data" : severity;
  return h("span", { class: `badge sev-${severity}` }, label);
}

/**
 * A quality metric's display name and unit, said once in a chart title: errors of a regression are in
 * the target's own unit (which the API does not name), ratios are shown as they are.
 */
export function metricTitle(metric: string): { readonly title: string; readonly unit: string } {
  const known: Record<string, { title: string; unit: string }> = {
    mae: { title: "MAE (mean absolute error)", unit: "" },
    rmse: { title: "RMSE (root mean squared error)", unit: "" },
    mape: { title: "MAPE (mean absolute percentage error)", unit: "fraction" },
    r2: { title: "R²", unit: "" },
    accuracy: { title: "Accuracy", unit: "fraction" },
    f1_macro: { title: "F1 (macro)", unit: "fraction" },
    roc_auc: { title: "ROC AUC", unit: "" },
    log_loss: { title: "Log loss", unit: "nats" },
  };
  return known[metric] ?? { title: metric, unit: "" };
}

/**
 * Marks a table to become one block per row on a phone (styles.css): each cell gets its column's
 * name as `data-label`, shown before it, so the table never scrolls sideways. Returns the table.
 */
export function stacked<T extends HTMLTableElement>(table: T): T {
  const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent ?? "");
  table.classList.add("stack");
  for (const row of table.querySelectorAll("tbody tr"))
    [...row.children].forEach((cell, i) => {
      if (cell.tagName === "TD" && names[i]) cell.setAttribute("data-label", names[i]!);
    });
  return table;
}

/**
 * A span of time in the chosen zone, with the end's date only when it differs from the start's:
 * "2013-01-13 23:00 – 2013-01-14 00:00", "2013-01-14 08:00 – 09:00"; whole days as dates only.
 */
export function formatSpan(from: number, to: number): string {
  const a = formatTime(from);
  const b = formatTime(to);
  if (a.endsWith(" 00:00") && b.endsWith(" 00:00") && to - from >= 86_400_000)
    return `${a.slice(0, 10)} – ${formatTime(to - 1, "date")}`;
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} – ${b.slice(11)}` : `${a} – ${b}`;
}
