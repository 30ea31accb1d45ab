import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "../client/index.js";
import { readTable } from "../data/index.js";
import type { InputColumn, InputTable } from "../drift/index.js";
import { type RunningServer, startServer } from "../server/index.js";
import { columnSeverity, criticalWeeks, maeByQuarter } from "./story.js";

/** The bike model's inputs, in the order of its ONNX input (models/README.md). */
export const BIKE_FEATURES = [
  "season",
  "mnth",
  "hr",
  "holiday",
  "weekday",
  "workingday",
  "weathersit",
  "temp",
  "atemp",
  "hum",
  "windspeed",
] as const;
const CATEGORICAL = new Set(["season", "holiday", "workingday", "weathersit"]);
/**
 * The bike model's calendar inputs. A week never has a year's months, seasons or share of holidays,
 * so against a whole year they differ by construction: the schema marks them `drift: false` (kept,
 * shown on the heat map as not tested, out of the multiple-testing family).
 */
export const BIKE_CALENDAR: readonly string[] = ["season", "mnth", "hr", "holiday", "weekday", "workingday"];
const CALENDAR = new Set(BIKE_CALENDAR);
/** Where the replay leaves the event clock: two weeks after 2012's last hour, past its window's lateness. */
const CLOCK_END = "2013-01-14T00:00:00.000Z";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Options of {@link runBikeDemo}. */
export interface BikeDemoOptions {
  readonly port: number;
  /** Where the server keeps its store; default a new temporary folder. */
  readonly dataDir?: string;
  /** Weeks of event time replayed per second of wall time. Default 2. */
  readonly weeksPerSecond?: number;
  /** Receives the demo's lines. */
  readonly print: (line: string) => void;
  /**
   * How often the server writes open windows (ms). Default 200, so a watching dashboard sees each
   * week fill up; each write recomputes the open windows' drift, so a test that only needs the
   * result replays faster with a longer interval.
   */
  readonly flushIntervalMs?: number;
  /**
   * Print each week as it closes (default true). False: no pause and no reading of the windows per
   * week, one pass at the end instead — for tests that need the replayed server, not the terminal
   * (every read recomputes the open windows' drift).
   */
  readonly follow?: boolean;
}

/** An alert as the demo's terminal channel received it. */
export interface DemoNotification {
  readonly status: "firing" | "resolved";
  readonly alertname: string;
  readonly severity: string;
  /** The window that triggered it (RFC 3339). */
  readonly windowStart: string;
  readonly summary: string;
  /** The alert's `value` annotation: the measured value, as the alert rule wrote it. */
  readonly value: string;
  readonly description: string;
  /** The alert's `column` label (per-column drift alerts), else "". */
  readonly column: string;
  /** The alert's `columns` annotation (window drift alerts): the columns named, comma-separated. */
  readonly columns: string;
}

/** What the demo saw: one line per closed week. */
export interface DemoWeek {
  readonly start: string;
  readonly startMs: number;
  readonly events: number;
  readonly mae: number | null;
  readonly p99Ms: number | null;
  /** The window's drift severity, the API's word ("—" without drift). */
  readonly drift: string;
  /** Columns critical this week (the API's `drift.columns`). */
  readonly driftedColumns: string[];
  /** Severity per drift-tested column, the API's words. */
  readonly columns: Readonly<Record<string, string>>;
  /** Columns kept but not tested (the API's `drift.untested`). */
  readonly untested: readonly string[];
  /** Whether the window was final when printed. */
  readonly final: boolean;
}

const bundled = (...segments: string[]) =>
  fileURLToPath(new URL(`../../${segments.join("/")}`, import.meta.url));

/**
 * The README's demo: starts `tiktoktoe serve` on SQLite, registers the bike model (trained on 2011)
 * with its ONNX file, uploads 2011 as the reference (with the model's predictions on it), then
 * replays 2012 hour by hour through the client SDK — onnxruntime-node predicting, the SDK's `wrap`
 * measuring latency — in accelerated event time, with labels arriving six hours later. Each week's
 * window is printed when it closes: mean absolute error climbing from the 2011 level towards 90,
 * drift on the weather and on demand as the seasons turn. Resolves with the running server.
 *
 * @example
 * ```ts
 * const { server } = await runBikeDemo({ port: 8080, print: console.log });
 * ```
 */
export async function runBikeDemo(options: BikeDemoOptions): Promise<{
  server: RunningServer;
  weeks: DemoWeek[];
  notifications: DemoNotification[];
  /** The model's MAE on 2011, from the demo's own onnxruntime run (not the server's). */
  referenceMae: number;
}> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tiktoktoe-demo-"));
  const configFile = join(dataDir, "demo-monitor.yaml");
  const { print } = options;
  // The demo's own alert channel: a webhook into this process that prints each notification, so the
  // terminal shows what Slack, email or PagerDuty would receive (configure those in the same file).
  const notifications: DemoNotification[] = [];
  // Printed after the weeks that caused them (see closedWeeks), not whenever the webhook arrives.
  const unprinted: DemoNotification[] = [];
  const terminal = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      response.writeHead(200).end("ok");
      try {
        const n = JSON.parse(body) as {
          status: string;
          alerts: Array<{
            status: string;
            labels: Record<string, string>;
            annotations: Record<string, string>;
          }>;
        };
        for (const a of n.alerts) {
          const note: DemoNotification = {
            status: a.status as "firing" | "resolved",
            alertname: a.labels.alertname ?? "",
            severity: a.labels.severity ?? "",
            windowStart: a.annotations.window_start ?? "",
            summary: a.annotations.summary ?? "",
            value: a.annotations.value ?? "",
            description: a.annotations.description ?? "",
            column: a.labels.column ?? "",
            columns: a.annotations.columns ?? "",
          };
          notifications.push(note);
          unprinted.push(note);
        }
      } catch {
        // Not a notification: ignore (the demo's receiver only prints).
      }
    });
  });
  const printAlerts = () => {
    for (const note of unprinted.splice(0)) print(alertLine(note));
  };
  await new Promise<void>((resolve) => terminal.listen(0, "127.0.0.1", resolve));
  terminal.unref();
  const hook = `http://127.0.0.1:${(terminal.address() as AddressInfo).port}/alerts`;
  writeFileSync(
    configFile,
    [
      "# The demo's monitor: weekly windows (the data has one row per hour), MAE against a threshold.",
      "monitor: { window: 1w, lateness: 2d, min_samples: 24 }",
      "metrics:",
      "  quality: { metric: mae, threshold: 60 }",
      "  latency: { threshold: 100ms, percentile: 99 }",
      "alerting:",
      `  channels: { terminal: { type: webhook, url: "${hook}" } }`,
      "  receivers: { default: { channels: [terminal] } }",
      "  # Event time drives the group timers too: repeat a firing alert every four weeks of 2012.",
      "  route: { receiver: default, group_by: [model, alertname], group_wait: 0s, group_interval: 1h, repeat_interval: 4w }",
      "  # No inhibition: drift (an emergency while demand grows) must not mute the quality alerts.",
      "  inhibit_rules: []",
      "",
    ].join("\n"),
  );
  const server = await startServer({
    port: options.port,
    dataDir,
    configFile,
    clock: "event",
    flushIntervalMs: options.flushIntervalMs ?? 200,
    deliveryIntervalMs: 100,
  });
  print(`TikTokToe is serving at ${server.url} (store: ${join(dataDir, "tiktoktoe.db")})`);
  print(`Dashboard: ${server.url}/ — open it now to watch the windows, drift and alerts arrive live.`);

  const ort = await import("onnxruntime-node");
  const modelFile = bundled("models", "bike_mlp.onnx");
  const session = await ort.InferenceSession.create(modelFile);
  const hours = await readTable(bundled("data", "bike", "hour.csv"), {
    text: new Set([...CATEGORICAL, "dteday"]),
  });
  const rows = bikeRows(hours);
  const of2011 = rows.filter((r) => r.year === 2011);
  const of2012 = rows.filter((r) => r.year === 2012);

  const admin = async (method: string, path: string, body: string, type = "application/json") => {
    const response = await fetch(`${server.url}${path}`, { method, headers: { "content-type": type }, body });
    if (!response.ok && response.status !== 409)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  };
  await admin(
    "POST",
    "/v1/models",
    JSON.stringify({
      name: "bike",
      task: "regression",
      features: BIKE_FEATURES.map((name) => ({
        name,
        type: CATEGORICAL.has(name) ? "categorical" : "numeric",
        // Still model inputs (the ONNX model's columns, explained), but not drift-tested.
        ...(CALENDAR.has(name) ? { drift: false } : {}),
      })),
    }),
  );
  const { readFile } = await import("node:fs/promises");
  await admin(
    "POST",
    "/v1/models/bike/versions",
    JSON.stringify({
      version: "2011",
      meta: { trainedOn: "2011" },
      onnx: (await readFile(modelFile)).toString("base64"),
    }),
  );

  // The reference: 2011 and its truth; the server runs the version's ONNX model over it for the
  // reference predictions (so prediction drift is measured too).
  const csv = [
    [...BIKE_FEATURES, "target"].join(","),
    ...of2011.map((r) => [...r.raw, r.cnt].join(",")),
  ].join("\n");
  const input = new Float32Array(of2011.length * BIKE_FEATURES.length);
  for (const [i, r] of of2011.entries()) input.set(r.features, i * BIKE_FEATURES.length);
  const referencePredictions = (
    await session.run({ features: new ort.Tensor("float32", input, [of2011.length, BIKE_FEATURES.length]) })
  ).cnt!.data as Float32Array;
  await admin("PUT", "/v1/models/bike/versions/2011/reference", csv, "text/csv");
  const referenceMae =
    of2011.reduce((sum, r, i) => sum + Math.abs(referencePredictions[i]! - r.cnt), 0) / of2011.length;
  print(
    `Registered model "bike" (an MLP trained on 2011) and uploaded 2011 (${of2011.length} hours) as its reference:`,
  );
  print(`its mean absolute error there is ${referenceMae.toFixed(1)} rentals per hour.`);
  print(`Replaying 2012 (${of2012.length} hours) in event time; weekly windows appear as they close:\n`);
  print(
    `Calendar columns (${BIKE_CALENDAR.join(", ")}) are model inputs but not drift-tested: a week's calendar is never a year's.`,
  );
  print(
    "week starting   events     MAE   p99 latency   drift: the window's severity, then its columns by severity",
  );

  const client = createClient({ url: server.url, model: "bike", version: "2011", flushIntervalMs: 100 });
  let current = of2012[0]!;
  const monitored = client.wrap(session, {
    toRecords: (_feeds, outputs) => ({
      id: current.id,
      time: current.timeMs,
      features: current.featureRecord,
      prediction: Math.round(Number((outputs.cnt!.data as Float32Array)[0]) * 100) / 100,
    }),
  });
  const weeks: DemoWeek[] = [];
  const printed = new Set<number>();
  const pending: Array<{ id: string; value: number; due: number }> = [];
  const pause = 1000 / (options.weeksPerSecond ?? 2);
  let nextPause = current.timeMs + WEEK;
  let nextDay = current.timeMs + DAY;
  for (const row of of2012) {
    current = row;
    await monitored.run({
      features: new ort.Tensor("float32", Float32Array.from(row.features), [1, BIKE_FEATURES.length]),
    });
    pending.push({ id: row.id, value: row.cnt, due: row.timeMs + 6 * HOUR });
    while (pending.length > 0 && pending[0]!.due <= row.timeMs) {
      const label = pending.shift()!;
      client.logLabel({ id: label.id, value: label.value, time: label.due });
    }
    if (row.timeMs >= nextDay) {
      // Every label due so far reaches the server before any event two days later can close its
      // window (the lateness is 2 days): the replay stays deterministic however fast it runs.
      nextDay += DAY;
      await client.flush();
    }
    if (row.timeMs >= nextPause && options.follow !== false) {
      nextPause += WEEK;
      await client.flush();
      await new Promise((resolve) => setTimeout(resolve, pause));
      weeks.push(...(await closedWeeks(server.url, printed, print)));
      printAlerts();
    }
  }
  for (const label of pending) client.logLabel({ id: label.id, value: label.value, time: label.due });
  await client.close();
  // Close the last week on its own hours: the event clock moves past its end plus the lateness with
  // no event (a closing event would make a window of one fake event).
  await admin("POST", "/v1/models/bike/clock", JSON.stringify({ time: CLOCK_END }));
  print(
    `(event clock advanced to ${CLOCK_END.slice(0, 10)} with POST /v1/models/bike/clock: the last week closes)`,
  );
  // Let the notifications of the last windows arrive before reporting them: delivery runs on its own
  // timer, so wait until a second passes without a new one (at least 1.5 s, at most 15 s).
  const waited = Date.now();
  let seen = -1;
  let quietSince = Date.now();
  while (Date.now() - waited < 15_000) {
    if (notifications.length !== seen) {
      seen = notifications.length;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= 1000 && Date.now() - waited >= 1500) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  weeks.push(...(await closedWeeks(server.url, printed, print)));
  printAlerts();
  const stats = client.stats();
  for (const line of storyLines(weeks, of2011, of2012, referenceMae)) print(line);
  print(
    `Sent ${stats.accepted} predictions and labels through the SDK (${stats.duplicates} duplicates, ${stats.retries} retries).`,
  );
  if (process.env.TIKTOKTOE_DEMO_DEBUG) print(JSON.stringify(stats));
  print(
    `${notifications.filter((n) => n.status === "firing").length} alert notification(s) fired and ${notifications.filter((n) => n.status === "resolved").length} resolved; see ${server.url}/v1/alerts`,
  );
  return { server, weeks, notifications, referenceMae };
}

/** MAE as the table prints it. */
const maeText = (mae: number) => mae.toFixed(1);
/** Latency as the table prints it. */
const msText = (ms: number) => `${ms.toFixed(2)} ms`;

/**
 * One terminal line per notification. A firing alert shows its summary with its value rounded as in
 * the table; a resolved one only that it resolved (its annotations are the last firing's, stale now).
 */
function alertLine(note: DemoNotification): string {
  const week = note.windowStart.slice(0, 10);
  if (note.status === "resolved")
    return `  ▼ RESOLVED [${note.severity}] ${note.alertname} (last fired for the window of ${week})`;
  // The rule writes 4 significant digits; print the value as the table does (MAE 0.1, latency 0.01 ms).
  const value = Number(note.value);
  const rounded =
    note.alertname === "ModelQualityLow"
      ? maeText(value)
      : note.alertname === "ModelLatencyHigh"
        ? value.toFixed(2)
        : note.value;
  const summary = note.value === "" ? note.summary : note.summary.replace(note.value, rounded);
  return `  ▲ FIRING   [${note.severity}] ${note.alertname}: ${summary} (window of ${week})`;
}

/**
 * The demo's closing summary: which columns drifted how often and why, that demand grew, and the
 * error's trend. The weather's weekly drift is set beside a comparison with the same week of 2011,
 * which is mostly drift too: hourly rows within a week are not independent, so a test that assumes
 * they are finds a week's weather unlike a year's — or another year's same week — almost always.
 */
function storyLines(
  weeks: readonly DemoWeek[],
  of2011: readonly BikeRow[],
  of2012: readonly BikeRow[],
  referenceMae: number,
): string[] {
  const lines = ["", `What the ${weeks.length} weeks show:`];
  const counts = criticalWeeks(weeks);
  lines.push(
    `- Columns critical, in weeks of ${weeks.length}: ${counts.map(([c, n]) => `${c} ${n}`).join(", ")}.`,
  );
  lines.push(
    `- Not drift-tested (schema "drift": false): ${BIKE_CALENDAR.join(", ")} — a week's calendar is never a year's.`,
  );
  // The weather against the same week one year before (52 weeks, so the weekdays line up).
  const sameWeek = (column: "temp") => {
    let critical = 0;
    let compared = 0;
    for (const week of weeks) {
      const inWeek = (rows: readonly BikeRow[], from: number) =>
        Float64Array.from(
          rows.filter((r) => r.timeMs >= from && r.timeMs < from + WEEK),
          (r) => r.featureRecord[column] as number,
        );
      const now = inWeek(of2012, week.startMs);
      const before = inWeek(of2011, week.startMs - 52 * WEEK);
      if (now.length < 24 || before.length < 24) continue;
      compared++;
      if (columnSeverity(before, now) === "critical") critical++;
    }
    return { critical, compared };
  };
  const temp = sameWeek("temp");
  lines.push(
    `- temp is critical in ${counts.find(([c]) => c === "temp")?.[1] ?? 0} weeks against all of 2011, and still in ${temp.critical} of ${temp.compared} against the same week of 2011: a week's weather is not a year's, and its hours are not independent draws, so the tests find a difference almost every week. True, and no fault of the model.`,
  );
  const mean = (rows: readonly BikeRow[]) => rows.reduce((sum, r) => sum + r.cnt, 0) / rows.length;
  const before = mean(of2011);
  const after = mean(of2012);
  lines.push(
    `- The target grew: ${before.toFixed(1)} rentals per hour in 2011, ${after.toFixed(1)} in 2012 (+${((after / before - 1) * 100).toFixed(0)}%); the target is critical in ${counts.find(([c]) => c === "target")?.[1] ?? 0} weeks, which alone makes a window an emergency.`,
  );
  const quarters = maeByQuarter(weeks);
  const maes = weeks.filter((w) => w.mae !== null).map((w) => w.mae!);
  lines.push(
    `- MAE by quarter of 2012: ${quarters.map((m, q) => `Q${q + 1} ${m === null ? "—" : maeText(m)}`).join(", ")} (2011: ${maeText(referenceMae)}).`,
  );
  lines.push(
    `2012's weekly MAE averaged ${maeText(maes.reduce((a, b) => a + b, 0) / maes.length)} against ${maeText(referenceMae)} on the reference: demand grew, the model did not.`,
  );
  return lines;
}

/** Prints and returns the final windows not printed yet, oldest first, in the API's words. */
async function closedWeeks(
  url: string,
  printed: Set<number>,
  print: (line: string) => void,
): Promise<DemoWeek[]> {
  const { windows } = (await (await fetch(`${url}/v1/models/bike/windows`)).json()) as {
    // biome-ignore lint/suspicious/noExplicitAny: the window summaries are printed from loose JSON
    windows: Array<Record<string, any>>;
  };
  const out: DemoWeek[] = [];
  for (const w of windows) {
    if (printed.has(w.startMs) || !w.final) continue;
    printed.add(w.startMs);
    const tested = (w.drift?.columns ?? []) as Array<{ column: string; severity: string }>;
    const columns = Object.fromEntries(tested.map((c) => [c.column, c.severity]));
    const week: DemoWeek = {
      start: w.start.slice(0, 10),
      startMs: w.startMs,
      events: w.events,
      mae: w.quality?.mae ?? null,
      p99Ms: w.latency?.p99 ?? null,
      drift: w.drift?.severity ?? "—",
      driftedColumns: tested.filter((c) => c.severity === "critical").map((c) => c.column),
      columns,
      untested: w.drift?.untested ?? [],
      final: w.final === true,
    };
    out.push(week);
    // The same words as the API and the heat map: the window's severity, then each column's.
    const bySeverity = ["critical", "warning"]
      .map(
        (severity) => [severity, tested.filter((c) => c.severity === severity).map((c) => c.column)] as const,
      )
      .filter(([, names]) => names.length > 0)
      .map(([severity, names]) => `${severity}: ${names.join(", ")}`);
    print(
      `${week.start}   ${String(week.events).padStart(6)}  ${week.mae === null ? "     —" : maeText(week.mae).padStart(6)}   ${week.p99Ms === null ? "—".padStart(10) : msText(week.p99Ms).padStart(10)}   ${week.drift}${bySeverity.length > 0 ? ` — ${bySeverity.join("; ")}` : ""}`,
    );
  }
  return out;
}

/** One hour of the bike data, as the demos replay it. */
export interface BikeRow {
  readonly id: string;
  readonly year: number;
  readonly timeMs: number;
  readonly features: number[];
  readonly featureRecord: Record<string, number | string>;
  readonly raw: Array<number | string>;
  readonly cnt: number;
}

/**
 * The hours of `data/bike/hour.csv` in time order, with the model's inputs.
 *
 * @example
 * ```ts
 * const rows = bikeRows(await readTable(file, { text: new Set(["dteday"]) }));
 * ```
 */
export function bikeRows(table: InputTable): BikeRow[] {
  const column = (name: string) => table.columns.get(name) as InputColumn;
  const numberAt = (name: string, i: number): number => {
    const c = column(name);
    return c.kind === "numeric" ? c.values[i]! : Number(c.categories[c.codes[i]!]);
  };
  const textAt = (name: string, i: number): string => {
    const c = column(name);
    return c.kind === "text" ? c.categories[c.codes[i]!]! : String(c.values[i]);
  };
  const rows: BikeRow[] = [];
  for (let i = 0; i < table.rowCount; i++) {
    // `dteday` is DD/MM/YY (e.g. 31/12/12), whatever some descriptions of the data say.
    const [dd, mm, yy] = textAt("dteday", i).split("/").map(Number);
    const timeMs = Date.UTC(2000 + yy!, mm! - 1, dd!, numberAt("hr", i));
    const features = BIKE_FEATURES.map((f) => numberAt(f, i));
    const featureRecord: Record<string, number | string> = {};
    BIKE_FEATURES.forEach((f, k) => {
      featureRecord[f] = CATEGORICAL.has(f) ? textAt(f, i) : features[k]!;
    });
    rows.push({
      id: `hour-${numberAt("instant", i)}`,
      year: 2000 + yy!,
      timeMs,
      features,
      featureRecord,
      raw: BIKE_FEATURES.map((f) => (CATEGORICAL.has(f) ? textAt(f, i) : numberAt(f, i))),
      cnt: numberAt("cnt", i),
    });
  }
  return rows.sort((a, b) => a.timeMs - b.timeMs);
}
