/**
 * The routing tree, with Alertmanager's semantics: which receivers an alert goes to, in which group,
 * with which timers. Configured as Alertmanager's `route:` (snake_case keys; durations already in
 * milliseconds, the configuration layer parses `30s`), so an Alertmanager tree can be copied over.
 */
import { groupKey } from "./fingerprint.js";
import { compareNames, isLabelName, type Labels } from "./labels.js";
import { legacyMatchers } from "./legacy-matchers.js";
import { type Matcher, matchersString, matchesAll, parseMatchers, sortMatchers } from "./matchers.js";

/**
 * One node of the routing tree as configured. Every key but the root's `receiver` is optional; a
 * child inherits `receiver`, `group_by` and the three timers from its parent (not `matchers` or
 * `continue`). As in Alertmanager 0.25, `group_by: []` is the same as no `group_by` (inherit);
 * `group_by: ["..."]` groups by every label (one group per alert); a root without `group_by` puts
 * every alert of the route in one group. The legacy `match` (equality) and `match_re` (regexes,
 * anchored as `^(?:regex)$`) are read as Alertmanager 0.25 reads them, added to `matchers`. Any
 * other key is a problem, not silently ignored (Alertmanager loads its configuration strictly too).
 *
 * @example
 * ```ts
 * const config: RouteConfig = {
 *   receiver: "slack",
 *   group_by: ["alertname", "model"],
 *   routes: [{ matchers: ['severity="emergency"'], receiver: "pagerduty", continue: true }],
 * };
 * ```
 */
export interface RouteConfig {
  readonly receiver?: string;
  /** Alertmanager matchers; each string may hold several, comma-separated (`'a="1", b=~"2|3"'`). */
  readonly matchers?: readonly string[];
  /** Legacy equality matchers, label name → value (deprecated in Alertmanager, still valid in 0.25). */
  readonly match?: Readonly<Record<string, string>>;
  /** Legacy regex matchers, label name → regex, anchored at both ends (deprecated, valid in 0.25). */
  readonly match_re?: Readonly<Record<string, string>>;
  readonly group_by?: readonly string[];
  /** After matching this route, keep trying its later siblings. */
  readonly continue?: boolean;
  /** Milliseconds (default 30 s at the root). */
  readonly group_wait?: number;
  /** Milliseconds (default 5 min at the root). */
  readonly group_interval?: number;
  /** Milliseconds (default 4 h at the root). */
  readonly repeat_interval?: number;
  readonly routes?: readonly RouteConfig[];
}

/**
 * A route's three timers, in milliseconds.
 *
 * @example
 * ```ts
 * const timers: RouteTimers = { groupWait: 30_000, groupInterval: 300_000, repeatInterval: 14_400_000 };
 * ```
 */
export interface RouteTimers {
  /** How long a new group waits before its first notification, to gather its alerts. */
  readonly groupWait: number;
  /** The tick of a group after its first notification: changes go out at most this often. */
  readonly groupInterval: number;
  /** How long before an unchanged group is notified again (checked on each group_interval tick). */
  readonly repeatInterval: number;
}

/**
 * Alertmanager's defaults for the root route: group_wait 30 s, group_interval 5 min, repeat_interval 4 h.
 *
 * @example
 * ```ts
 * defaultRouteTimers.repeatInterval; // 14_400_000
 * ```
 */
export const defaultRouteTimers: RouteTimers = {
  groupWait: 30_000,
  groupInterval: 300_000,
  repeatInterval: 14_400_000,
};

/**
 * A built route: matchers parsed and sorted, inherited settings filled in.
 *
 * @example
 * ```ts
 * const result = buildRoute(config);
 * if (result.ok) console.log(result.route.key, result.route.receiver); // "{}" "slack"
 * ```
 */
export interface Route {
  /** Alertmanager's route key: the matcher sets from the root, e.g. `{}/{severity="critical"}`. */
  readonly key: string;
  /** The key plus the route's position among its siblings (`{}/{severity="critical"}/0`); unique. */
  readonly id: string;
  readonly receiver: string;
  readonly matchers: readonly Matcher[];
  /** The labels that define a group, sorted; ignored when `groupByAll`. */
  readonly groupBy: readonly string[];
  /** `group_by: ["..."]`: every label of the alert is a group label. */
  readonly groupByAll: boolean;
  readonly continue: boolean;
  readonly timers: RouteTimers;
  readonly routes: readonly Route[];
}

/**
 * A problem in a routing configuration, with the path of the key at fault.
 *
 * @example
 * ```ts
 * const problem: RouteProblem = { path: "route.routes[1].group_by", message: 'duplicated label "model" in group_by' };
 * ```
 */
export interface RouteProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * What {@link buildRoute} returns: the tree, or every problem found in it.
 *
 * @example
 * ```ts
 * const result: RouteResult = buildRoute({ receiver: "slack" });
 * ```
 */
export type RouteResult =
  | { readonly ok: true; readonly route: Route }
  | { readonly ok: false; readonly problems: readonly RouteProblem[] };

/**
 * Options of {@link buildRoute}.
 *
 * @example
 * ```ts
 * buildRoute(config, { path: "alerting.route", receivers: ["slack", "pagerduty"] });
 * ```
 */
export interface BuildRouteOptions {
  /** Path of the root in problem messages (default `route`). */
  readonly path?: string;
  /** When given, a receiver not in this list is a problem. */
  readonly receivers?: readonly string[];
}

/**
 * Builds and checks a routing tree, reporting every problem at once (Alertmanager's checks: the root
 * needs a receiver and may have neither matchers nor `continue`; `...` stands alone in `group_by`;
 * no duplicate or invalid label names; group_interval and repeat_interval not zero; plus bad
 * matchers, negative timers and unknown receivers).
 *
 * @example
 * ```ts
 * const result = buildRoute({ receiver: "slack", routes: [{ matchers: ['severity="emergency"'], receiver: "pagerduty" }] });
 * if (!result.ok) for (const p of result.problems) console.error(`${p.path}: ${p.message}`);
 * ```
 */
export function buildRoute(config: RouteConfig, options: BuildRouteOptions = {}): RouteResult {
  const problems: RouteProblem[] = [];
  const path = options.path ?? "route";
  if (config.receiver === undefined || config.receiver === "")
    problems.push({ path: `${path}.receiver`, message: "the root route must name a default receiver" });
  for (const key of ["matchers", "match", "match_re"] as const)
    if (config[key] !== undefined && config[key] !== null && Object.keys(config[key]).length > 0)
      problems.push({
        path: `${path}.${key}`,
        message: "the root route must not have matchers: it matches every alert",
      });
  if (config.continue === true)
    problems.push({ path: `${path}.continue`, message: "the root route cannot have continue" });
  const root = build(config, null, 0, path, problems, options.receivers);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, route: root };
}

interface Inherited {
  readonly key: string;
  readonly receiver: string;
  readonly groupBy: readonly string[];
  readonly groupByAll: boolean;
  readonly timers: RouteTimers;
}

function build(
  config: RouteConfig,
  parent: Inherited | null,
  position: number,
  path: string,
  problems: RouteProblem[],
  receivers: readonly string[] | undefined,
): Route {
  checkKeys(config, path, problems);
  const matchers: Matcher[] = [
    ...legacyMatchers(config.match, "=", `${path}.match`, problems),
    ...legacyMatchers(config.match_re, "=~", `${path}.match_re`, problems),
  ];
  (config.matchers ?? []).forEach((text, i) => {
    const result = parseMatchers(text);
    if (result.ok) matchers.push(...result.matchers);
    else
      for (const p of result.problems) problems.push({ path: `${path}.matchers[${i}]`, message: p.message });
  });
  const sorted = sortMatchers(matchers);
  const key = parent === null ? matchersString(sorted) : `${parent.key}/${matchersString(sorted)}`;
  const receiver =
    config.receiver !== undefined && config.receiver !== "" ? config.receiver : (parent?.receiver ?? "");
  if (receivers !== undefined && config.receiver !== undefined && !receivers.includes(config.receiver))
    problems.push({
      path: `${path}.receiver`,
      message: `undefined receiver ${JSON.stringify(config.receiver)}`,
    });
  let groupBy = parent?.groupBy ?? [];
  let groupByAll = parent?.groupByAll ?? false;
  // Alertmanager 0.25 builds its group_by list by appending the configured names, so `group_by: []`
  // leaves it nil and the child inherits; resetting to "no labels" here merged groups it keeps apart.
  if (config.group_by !== undefined && config.group_by.length > 0) {
    const grouping = checkGroupBy(config.group_by, `${path}.group_by`, problems);
    groupBy = grouping.groupBy;
    groupByAll = grouping.all;
  }
  const base = parent?.timers ?? defaultRouteTimers;
  const timers: RouteTimers = {
    groupWait: timer(config.group_wait, base.groupWait, `${path}.group_wait`, true, problems),
    groupInterval: timer(
      config.group_interval,
      base.groupInterval,
      `${path}.group_interval`,
      false,
      problems,
    ),
    repeatInterval: timer(
      config.repeat_interval,
      base.repeatInterval,
      `${path}.repeat_interval`,
      false,
      problems,
    ),
  };
  const self: Inherited = { key, receiver, groupBy, groupByAll, timers };
  const routes = (config.routes ?? []).map((child, i) =>
    build(child, self, i, `${path}.routes[${i}]`, problems, receivers),
  );
  return {
    key,
    id: parent === null ? key : `${key}/${position}`,
    receiver,
    matchers: sorted,
    groupBy,
    groupByAll,
    continue: config.continue ?? false,
    timers,
    routes,
  };
}

const routeKeys = new Set([
  "receiver",
  "matchers",
  "match",
  "match_re",
  "group_by",
  "continue",
  "group_wait",
  "group_interval",
  "repeat_interval",
  "routes",
]);

function checkKeys(config: RouteConfig, path: string, problems: RouteProblem[]): void {
  for (const key of Object.keys(config)) {
    if (routeKeys.has(key)) continue;
    problems.push({
      path: `${path}.${key}`,
      message:
        key === "mute_time_intervals" || key === "active_time_intervals"
          ? `${key} is not supported: time intervals are not implemented, and ignoring them would notify when Alertmanager stays quiet`
          : `unknown key; a route has ${[...routeKeys].join(", ")}`,
    });
  }
}

function checkGroupBy(
  labels: readonly string[],
  path: string,
  problems: RouteProblem[],
): { groupBy: readonly string[]; all: boolean } {
  if (labels.includes("...")) {
    if (labels.length > 1)
      problems.push({ path, message: "cannot have the wildcard `...` and other labels at the same time" });
    return { groupBy: [], all: true };
  }
  const seen = new Set<string>();
  for (const name of labels) {
    if (!isLabelName(name))
      problems.push({ path, message: `invalid label name ${JSON.stringify(name)} in group_by` });
    else if (seen.has(name))
      problems.push({ path, message: `duplicated label ${JSON.stringify(name)} in group_by` });
    seen.add(name);
  }
  return { groupBy: [...seen].sort(compareNames), all: false };
}

function timer(
  value: number | undefined,
  inherited: number,
  path: string,
  zeroAllowed: boolean,
  problems: RouteProblem[],
): number {
  if (value === undefined) return inherited;
  if (!Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0)) {
    problems.push({
      path,
      message: zeroAllowed ? `must be a duration ≥ 0, got ${value}` : `must be a duration > 0, got ${value}`,
    });
    return inherited;
  }
  return value;
}

/**
 * Where one alert goes through one route: the receiver, the group (its labels and Alertmanager's
 * group key) and the timers.
 *
 * @example
 * ```ts
 * const [first] = matchRoutes(root, labels);
 * first.groupKey; // '{}/{severity="emergency"}:{alertname="ModelLatencyHigh", model="resnet50"}'
 * ```
 */
export interface RouteMatch {
  readonly route: Route;
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly groupKey: string;
  readonly timers: RouteTimers;
}

/**
 * The routes an alert goes to, as Alertmanager's `Route.Match`: depth first, left to right; a node
 * whose matchers fail is skipped with its subtree; among siblings the first match stops the search
 * unless that sibling has `continue: true`; a node none of whose children match handles the alert
 * itself. The root matches everything, so there is always at least one route.
 *
 * @example
 * ```ts
 * matchRoutes(root, { alertname: "ModelLatencyHigh", model: "bike", severity: "emergency" })
 *   .map((m) => m.receiver); // ["pagerduty", "slack"] with continue on the first
 * ```
 */
export function matchRoutes(root: Route, labels: Labels): RouteMatch[] {
  return matchNode(root, labels).map((route) => {
    const groupLabels = groupLabelsFor(route, labels);
    return {
      route,
      receiver: route.receiver,
      groupLabels,
      groupKey: groupKey(route.key, groupLabels),
      timers: route.timers,
    };
  });
}

function matchNode(route: Route, labels: Labels): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const found = matchNode(child, labels);
    all.push(...found);
    if (found.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/**
 * The group labels of an alert on a route: the `group_by` labels the alert has (a missing one is
 * left out, not set empty), or all its labels with `...`.
 *
 * @example
 * ```ts
 * groupLabelsFor(route, { alertname: "X", model: "bike", severity: "warning" }); // { alertname: "X", model: "bike" }
 * ```
 */
export function groupLabelsFor(route: Route, labels: Labels): Labels {
  return Object.fromEntries(
    Object.keys(labels)
      .sort(compareNames)
      .filter((name) => labels[name] !== "" && (route.groupByAll || route.groupBy.includes(name)))
      .map((name) => [name, labels[name]!] as const),
  );
}
