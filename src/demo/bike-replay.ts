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
const CALENDAR = new Set(["season", "mnth", "hr", "holiday", "weekday", "workingday"]);
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
}

/** An alert as the demo's terminal channel received it. */
export interface DemoNotification {
  readonly status: "firing" | "resolved";
  readonly alertname: string;
  readonly severity: string;
  /** The window that triggered it (RFC 3339). */
  readonly windowStart: string;
  readonly summary: string;
}

/** What the demo saw: one line per closed week. */
export interface DemoWeek {
  readonly start: string;
  readonly events: number;
  readonly mae: number | null;
  readonly p99Ms: number | null;
  readonly drift: string;
  readonly driftedColumns: string[];
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
export async function runBikeDemo(
  options: BikeDemoOptions,
): Promise<{ server: RunningServer; weeks: DemoWeek[]; notifications: DemoNotification[] }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tiktoktoe-demo-"));
  const configFile = join(dataDir, "demo-monitor.yaml");
  const { print } = options;
  // The demo's own alert channel: a webhook into this process that prints each notification, so the
  // terminal shows what Slack, email or PagerDuty would receive (configure those in the same file).
  const notifications: DemoNotification[] = [];
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
          };
          notifications.push(note);
          print(
            `  ${note.status === "firing" ? "▲ FIRING  " : "▼ RESOLVED"} [${note.severity}] ${note.alertname}: ${note.summary} (window of ${note.windowStart.slice(0, 10)})`,
          );
        }
      } catch {
        // Not a notification: ignore (the demo's receiver only prints).
      }
    });
  });
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
      "  # The calendar makes every week an emergency for drift against a whole year; keep quality visible.",
      "  inhibit_rules: []",
      "",
    ].join("\n"),
  );
  const server = await startServer({
    port: options.port,
    dataDir,
    configFile,
    clock: "event",
    flushIntervalMs: 200,
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
    "week starting   events     MAE   p99 latency   drift (critical columns; calendar columns drift by construction)",
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
    if (row.timeMs >= nextPause) {
      nextPause += WEEK;
      await client.flush();
      await new Promise((resolve) => setTimeout(resolve, pause));
      weeks.push(...(await closedWeeks(server.url, printed, print)));
    }
  }
  for (const label of pending) client.logLabel({ id: label.id, value: label.value, time: label.due });
  await client.close();
  weeks.push(...(await closedWeeks(server.url, printed, print, true)));
  const stats = client.stats();
  const maes = weeks.filter((w) => w.mae !== null).map((w) => w.mae!);
  print(
    `\n2012's weekly MAE averaged ${(maes.reduce((a, b) => a + b, 0) / maes.length).toFixed(1)} against ${referenceMae.toFixed(1)} on the reference: demand grew, the model did not.`,
  );
  print(
    `Sent ${stats.accepted} predictions and labels through the SDK (${stats.duplicates} duplicates, ${stats.retries} retries).`,
  );
  if (process.env.TIKTOKTOE_DEMO_DEBUG) print(JSON.stringify(stats));
  // Let the last windows close and their notifications arrive before reporting.
  await fetch(`${server.url}/v1/models/bike/events`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: JSON.stringify({
      id: "demo-end",
      time: Date.UTC(2013, 0, 14),
      version: "2011",
      features: of2012.at(-1)!.featureRecord,
      prediction: 0,
    }),
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  print(
    `${notifications.filter((n) => n.status === "firing").length} alert notification(s) fired and ${notifications.filter((n) => n.status === "resolved").length} resolved; see ${server.url}/v1/alerts`,
  );
  return { server, weeks, notifications };
}

async function closedWeeks(
  url: string,
  printed: Set<number>,
  print: (line: string) => void,
  all = false,
): Promise<DemoWeek[]> {
  const { windows } = (await (await fetch(`${url}/v1/models/bike/windows`)).json()) as {
    // biome-ignore lint/suspicious/noExplicitAny: the window summaries are printed from loose JSON
    windows: Array<Record<string, any>>;
  };
  const out: DemoWeek[] = [];
  for (const w of windows) {
    if (printed.has(w.startMs) || (!w.final && !all)) continue;
    printed.add(w.startMs);
    const drifted = ((w.drift?.columns ?? []) as Array<{ column: string; severity: string }>)
      .filter((c) => c.severity === "critical" || c.severity === "emergency")
      .map((c) => c.column);
    // A week compared with a whole year always differs in month, season and the like: list those apart.
    const calendar = drifted.filter((c) => CALENDAR.has(c));
    const shown = drifted.filter((c) => !CALENDAR.has(c));
    const week: DemoWeek = {
      start: w.start.slice(0, 10),
      events: w.events,
      mae: w.quality?.mae ?? null,
      p99Ms: w.latency?.p99 ?? null,
      drift: w.drift?.severity ?? "—",
      driftedColumns: drifted,
    };
    out.push(week);
    print(
      `${week.start}   ${String(week.events).padStart(6)}  ${week.mae === null ? "     —" : week.mae.toFixed(1).padStart(6)}   ${week.p99Ms === null ? "—" : `${week.p99Ms.toFixed(2)} ms`.padStart(10)}   ${week.drift}${shown.length > 0 ? `: ${shown.join(", ")}` : ""}${calendar.length > 0 ? ` (+ calendar: ${calendar.join(", ")})` : ""}`,
    );
  }
  return out;
}

interface BikeRow {
  readonly id: string;
  readonly year: number;
  readonly timeMs: number;
  readonly features: number[];
  readonly featureRecord: Record<string, number | string>;
  readonly raw: Array<number | string>;
  readonly cnt: number;
}

function bikeRows(table: InputTable): BikeRow[] {
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
