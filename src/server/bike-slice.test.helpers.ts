import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIKE_CALENDAR, BIKE_FEATURES } from "../demo/bike-replay.js";
import { repoPath } from "../testing/paths.js";
import { type RunningServer, startServer } from "./start.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CATEGORICAL = new Set(["season", "holiday", "workingday", "weathersit"]);

interface Row {
  readonly id: string;
  readonly timeMs: number;
  readonly features: number[];
  readonly record: Record<string, number | string>;
  readonly cnt: number;
}

/** data/bike/hour.csv: `dteday` is DD/MM/YY; rows in time order. */
function bikeRows(): Row[] {
  const [header, ...lines] = readFileSync(repoPath("data", "bike", "hour.csv"), "utf8")
    .trim()
    .split(/\r?\n/);
  const names = header!.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    const at = (name: string) => cells[names.indexOf(name)]!;
    const [dd, mm, yy] = at("dteday").split("/").map(Number);
    const features = BIKE_FEATURES.map((f) => Number(at(f)));
    const record: Record<string, number | string> = {};
    BIKE_FEATURES.forEach((f, k) => {
      record[f] = CATEGORICAL.has(f) ? at(f) : features[k]!;
    });
    return {
      id: `hour-${at("instant")}`,
      timeMs: Date.UTC(2000 + yy!, mm! - 1, dd!, Number(at("hr"))),
      features,
      record,
      cnt: Number(at("cnt")),
    };
  });
}

/**
 * A slice of the bike demo (src/demo) on a fresh event-clock server: the same model, schema and
 * ONNX file, 2011 as the reference, then the first `days` days of 2012 replayed day by day (events
 * with the model's own predictions through onnxruntime, each day's labels the next day), a flush
 * after each day so that one daily health report is stored per day, and the clock advanced so the
 * last weekly window closes.
 *
 * @example
 * ```ts
 * const server = await startBikeSlice(dir, 21);
 * ```
 */
export async function startBikeSlice(dir: string, days: number): Promise<RunningServer> {
  writeFileSync(
    join(dir, "monitor.yaml"),
    [
      "monitor: { window: 1w, lateness: 2d, min_samples: 24 }",
      "metrics:",
      "  quality: { metric: mae, threshold: 60 }",
      "  latency: { threshold: 100ms, percentile: 99 }",
      "reporting: { frequency: 1d }",
      "",
    ].join("\n"),
  );
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    configFile: join(dir, "monitor.yaml"),
    clock: "event",
    flushIntervalMs: 600_000,
  });
  try {
    const send = async (method: string, path: string, body: string, type = "application/json") => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { "content-type": type },
        body,
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    };
    const calendar = new Set(BIKE_CALENDAR);
    await send(
      "POST",
      "/v1/models",
      JSON.stringify({
        name: "bike",
        task: "regression",
        features: BIKE_FEATURES.map((name) => ({
          name,
          type: CATEGORICAL.has(name) ? "categorical" : "numeric",
          ...(calendar.has(name) ? { drift: false } : {}),
        })),
      }),
    );
    const onnx = readFileSync(repoPath("models", "bike_mlp.onnx"));
    await send(
      "POST",
      "/v1/models/bike/versions",
      JSON.stringify({
        version: "2011",
        meta: { trainedOn: "2011", owner: "demo" },
        onnx: onnx.toString("base64"),
      }),
    );
    const rows = bikeRows();
    const of2011 = rows.filter((r) => new Date(r.timeMs).getUTCFullYear() === 2011);
    const start = Date.UTC(2012, 0, 1);
    const replay = rows.filter((r) => r.timeMs >= start && r.timeMs < start + days * DAY);
    await send(
      "PUT",
      "/v1/models/bike/versions/2011/reference",
      [
        [...BIKE_FEATURES, "target"].join(","),
        ...of2011.map((r) => [...BIKE_FEATURES.map((f) => r.record[f]), r.cnt].join(",")),
      ].join("\n"),
      "text/csv",
    );
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(new Uint8Array(onnx));
    const input = new Float32Array(replay.length * BIKE_FEATURES.length);
    replay.forEach((r, i) => {
      input.set(r.features, i * BIKE_FEATURES.length);
    });
    const output = (
      await session.run({ features: new ort.Tensor("float32", input, [replay.length, BIKE_FEATURES.length]) })
    ).cnt!.data as Float32Array;
    const ndjson = (records: readonly object[]) => records.map((r) => JSON.stringify(r)).join("\n");
    let previous: Row[] = [];
    for (let day = 0; day <= days; day++) {
      const today = replay
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => r.timeMs >= start + day * DAY && r.timeMs < start + (day + 1) * DAY);
      if (previous.length > 0)
        await send(
          "POST",
          "/v1/models/bike/labels",
          ndjson(previous.map((r) => ({ id: r.id, value: r.cnt, time: r.timeMs + DAY }))),
          "application/x-ndjson",
        );
      if (today.length > 0)
        await send(
          "POST",
          "/v1/models/bike/events",
          ndjson(
            today.map(({ r, i }) => ({
              id: r.id,
              version: "2011",
              time: r.timeMs,
              features: r.record,
              prediction: Math.round(output[i]! * 100) / 100,
              latency_ms: 0.2 + (i % 7) * 0.01,
            })),
          ),
          "application/x-ndjson",
        );
      previous = today.map(({ r }) => r);
      await server.service.flush();
    }
    // Past the last window's end plus the lateness: every window is final.
    const end = start + Math.ceil(days / 7) * 7 * DAY + 3 * DAY;
    await send("POST", "/v1/models/bike/clock", JSON.stringify({ time: new Date(end).toISOString() }));
    await server.service.flush();
    return server;
  } catch (error) {
    await server.close();
    throw error;
  }
}
