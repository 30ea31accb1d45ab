import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readTable } from "../data/index.js";
import { type RunningServer, startServer } from "../server/index.js";
import { BIKE_CALENDAR, BIKE_FEATURES, type BikeRow, bikeRows } from "./bike-replay.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const CATEGORICAL = new Set(["season", "holiday", "workingday", "weathersit"]);
/** Labels (the hour's count) reach the server this long after the hour. */
const LABEL_LAG = 6 * HOUR;

/**
 * The learning loop's declaration in the demo. Weekly batches of labelled hours, each judged by the
 * gate on a week of shadow answers after a day's warm-up: hourly data gives 168 events a week, so the
 * gate's minimum is lowered from 200 to 100, and the canary's analyses (every four days, two steps)
 * need 15 labelled hours per arm; with a few dozen hours per arm the MAE margin is half production's
 * MAE, else the analyses stay inconclusive and the rollout pauses for a person. The stability limits are opened: 2012's demand is 64% above 2011's,
 * so a model that learned it moves most predictions by more than half the old error (the gate's churn
 * and flips, docs/learning.md) and differs in distribution from production (the canary's prediction
 * drift) — by design; the accuracy test and the MAE margin still decide.
 */
export const LEARNING_DECLARATION = {
  learner: "mlp",
  every: "1w",
  labelDelay: "1d",
  history: "8w",
  minRows: 150,
  warmUp: "1d",
  evaluation: "1w",
  fineTune: { epochs: 40, seed: 1, validationFraction: 0.2 },
  gate: { minSamples: 100, maxChurn: 1, maxNegativeFlipRate: 1, maxPsi: 1e9, maxGapWidening: 1e9 },
  rollout: {
    steps: [50, 100],
    analysisPeriod: "4d",
    progressDeadline: "4w",
    inconclusiveLimit: 10,
    limits: {
      minLabelled: 15,
      minRequests: 15,
      minAgreement: 0,
      maxPredictionDrift: 1e9,
      latencyRatio: 100,
      latencySlackMs: 1000,
      maeIncrease: 0.5,
    },
  },
} as const;

/** A learning run as `GET /v1/models/{model}/learning/runs` answers it (the fields the demo reads). */
export interface LearningRun {
  readonly id: string;
  readonly status: string;
  readonly fromMs: number | null;
  readonly toMs: number;
  readonly reasons: readonly string[];
  readonly steps: ReadonlyArray<{ readonly step: string; readonly timeMs: number; readonly detail: string }>;
  readonly gate: unknown;
  readonly shadowRollout: string | null;
  readonly rollout: string | null;
}

/** Options of {@link runLearningDemo}. */
export interface LearningDemoOptions {
  readonly port: number;
  readonly dataDir?: string;
  readonly print: (line: string) => void;
  /** Weeks of 2012 replayed (default all). */
  readonly weeks?: number;
  /**
   * Close the server and open it again on the same store when the replay reaches this event time
   * (ms): what a crash or a deploy does mid-loop. The restart test uses it.
   */
  readonly restartAtMs?: number;
}

/** One hour as served: what answered, and the truth. */
export interface ServedHour {
  readonly timeMs: number;
  readonly features: readonly number[];
  readonly version: string;
  readonly prediction: number;
  readonly label: number;
}

/** A week of the replay: the served model's MAE and the never-updated 2011 model's on the same hours. */
export interface LearningWeek {
  readonly startMs: number;
  readonly hours: number;
  readonly servedMae: number;
  readonly originalMae: number;
  /** Versions that answered this week, with their share of the hours. */
  readonly versions: Readonly<Record<string, number>>;
}

const bundled = (...segments: string[]) =>
  fileURLToPath(new URL(`../../${segments.join("/")}`, import.meta.url));

/**
 * `tiktoktoe demo --learn`: the bike model trained on 2011 serves 2012 through `POST …/predict`
 * (event time), labels arrive six hours after each hour, and the server's learning loop
 * (`PUT /v1/models/bike/learning`, {@link LEARNING_DECLARATION}) fine-tunes the served MLP from
 * 2012's labelled weeks: each candidate validated, shadowed, judged by the promotion gate, and a
 * winner promoted through a canary. Each week prints the served model's MAE beside the 2011 model's
 * (onnxruntime, in this process), and the loop's steps as they happen.
 *
 * @example
 * ```ts
 * const { server, weeks } = await runLearningDemo({ port: 0, print: console.log, weeks: 12 });
 * ```
 */
export async function runLearningDemo(options: LearningDemoOptions): Promise<{
  server: RunningServer;
  weeks: LearningWeek[];
  served: ServedHour[];
  runs: LearningRun[];
}> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tiktoktoe-demo-learn-"));
  const { print } = options;
  const configFile = join(dataDir, "demo-learn.yaml");
  writeFileSync(
    configFile,
    [
      "# The learning demo's monitor: weekly windows (the data has one row per hour).",
      "monitor: { window: 1w, lateness: 2d, min_samples: 24 }",
      "metrics:",
      "  # 2012's hours are busier than 2011's: a learned model's weekly MAE is 30–80, so the quality alert",
      "  # (which also rolls back a canary it names) is set above that.",
      "  quality: { metric: mae, threshold: 100 }",
      "",
    ].join("\n"),
  );
  const open = () =>
    startServer({
      port: options.port,
      dataDir,
      configFile,
      clock: "event",
      flushIntervalMs: 1000,
      // The replay ticks the loop itself, once a day of event time: a replay learns the same way however fast it runs.
      learningTickMs: 0,
    });
  let server = await open();
  print(`TikTokToe is serving at ${server.url} (store: ${join(dataDir, "tiktoktoe.db")})`);

  const modelFile = bundled("models", "bike_mlp.onnx");
  const onnx = new Uint8Array(readFileSync(modelFile));
  const hours = await readTable(bundled("data", "bike", "hour.csv"), {
    text: new Set([...CATEGORICAL, "dteday"]),
  });
  const rows = bikeRows(hours);
  const of2011 = rows.filter((r) => r.year === 2011);
  const weeksWanted = options.weeks ?? 53;
  const first2012 = rows.find((r) => r.year === 2012)!.timeMs;
  const of2012 = rows.filter((r) => r.year === 2012 && r.timeMs < first2012 + weeksWanted * WEEK);

  const send = async (method: string, path: string, body: unknown, type = "application/json") => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { "content-type": type },
      body:
        body instanceof Uint8Array
          ? Buffer.from(body)
          : typeof body === "string"
            ? body
            : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok && response.status !== 409)
      throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  await send("POST", "/v1/models", {
    name: "bike",
    task: "regression",
    features: BIKE_FEATURES.map((name) => ({
      name,
      type: CATEGORICAL.has(name) ? "categorical" : "numeric",
      ...(BIKE_CALENDAR.includes(name) ? { drift: false } : {}),
    })),
  });
  await send("POST", "/v1/models/bike/versions", { version: "2011", meta: { trainedOn: "2011" } });
  await send("PUT", "/v1/models/bike/versions/2011/model", onnx, "application/octet-stream");
  await send(
    "PUT",
    "/v1/models/bike/versions/2011/reference",
    [[...BIKE_FEATURES, "target"].join(","), ...of2011.map((r) => [...r.raw, r.cnt].join(","))].join("\n"),
    "text/csv",
  );
  await send("POST", "/v1/models/bike/stages", { version: "2011", stage: "production", by: "demo" });
  await send("PUT", "/v1/models/bike/learning", LEARNING_DECLARATION);
  print(
    'Registered "bike" (an MLP trained on 2011) as production, 2011 as its reference, and declared learning:',
  );
  print(
    "  weekly batches of labelled hours → validation → fine-tune → shadow (1 day warm-up, 1 week judged) → gate → canary 50%, 100%",
  );

  // The never-updated model's answers on the replayed hours, for the comparison column.
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(onnx);
  const input = new Float32Array(of2012.length * BIKE_FEATURES.length);
  for (const [i, r] of of2012.entries()) input.set(r.features, i * BIKE_FEATURES.length);
  const original = (
    await session.run({ features: new ort.Tensor("float32", input, [of2012.length, BIKE_FEATURES.length]) })
  ).cnt!.data as Float32Array;
  await session.release();

  print(`\nReplaying ${of2012.length} hours of 2012 through POST /v1/models/bike/predict:\n`);
  print("week starting   hours   served MAE   2011 model's MAE   serving");
  const served: ServedHour[] = [];
  const weeks: LearningWeek[] = [];
  const labels: Array<{ id: string; value: number; due: number }> = [];
  const printedSteps = new Set<string>();
  let restarted = options.restartAtMs === undefined;
  let weekStart = of2012[0]!.timeMs;
  let weekFrom = 0;
  let nextDay = weekStart + DAY;

  const closeWeek = (end: number) => {
    const hoursOf = served.slice(weekFrom, end);
    if (hoursOf.length === 0) return;
    const versions: Record<string, number> = {};
    for (const h of hoursOf) versions[h.version] = (versions[h.version] ?? 0) + 1 / hoursOf.length;
    const week: LearningWeek = {
      startMs: weekStart,
      hours: hoursOf.length,
      servedMae: hoursOf.reduce((s, h) => s + Math.abs(h.prediction - h.label), 0) / hoursOf.length,
      originalMae:
        hoursOf.reduce((s, h, i) => s + Math.abs(original[weekFrom + i]! - h.label), 0) / hoursOf.length,
      versions,
    };
    weeks.push(week);
    const serving = Object.entries(versions)
      .map(([v, share]) => (share > 0.999 ? v : `${v} ${Math.round(share * 100)}%`))
      .join(", ");
    print(
      `${new Date(week.startMs).toISOString().slice(0, 10)}   ${String(week.hours).padStart(5)}   ${week.servedMae.toFixed(1).padStart(10)}   ${week.originalMae.toFixed(1).padStart(16)}   ${serving}`,
    );
    weekFrom = end;
  };

  const printSteps = async () => {
    const { runs } = (await send("GET", "/v1/models/bike/learning/runs", undefined)) as unknown as {
      runs: LearningRun[];
    };
    for (const run of runs)
      for (const step of run.steps) {
        const key = `${run.id}/${step.step}`;
        if (printedSteps.has(key)) continue;
        printedSteps.add(key);
        print(
          `  · ${new Date(step.timeMs).toISOString().slice(0, 16)} ${run.id} ${step.step}: ${step.detail}`,
        );
      }
  };

  for (const [i, row] of of2012.entries()) {
    if (!restarted && row.timeMs >= options.restartAtMs!) {
      restarted = true;
      await flushLabels(send, labels, Number.POSITIVE_INFINITY);
      await server.close();
      server = await open();
      print(`  (server restarted at ${new Date(row.timeMs).toISOString().slice(0, 16)} on the same store)`);
    }
    if (row.timeMs >= weekStart + WEEK) {
      closeWeek(i);
      weekStart += WEEK;
    }
    const answer = (await send("POST", "/v1/models/bike/predict", {
      input: numericInput(row),
      time: row.timeMs,
      key: row.id,
    })) as { version: string; predictions: Array<{ id: string; prediction: number }> };
    const p = answer.predictions[0]!;
    served.push({
      timeMs: row.timeMs,
      features: row.features,
      version: answer.version,
      prediction: p.prediction,
      label: row.cnt,
    });
    labels.push({ id: p.id, value: row.cnt, due: row.timeMs + LABEL_LAG });
    if (row.timeMs >= nextDay) {
      nextDay += DAY;
      await flushLabels(send, labels, row.timeMs);
      await server.learning!.tick();
      await printSteps();
    }
  }
  closeWeek(served.length);
  await flushLabels(send, labels, Number.POSITIVE_INFINITY);
  const { runs } = (await send("GET", "/v1/models/bike/learning/runs", undefined)) as unknown as {
    runs: LearningRun[];
  };
  for (const line of summary(weeks, served, runs)) print(line);
  return { server, weeks, served, runs };
}

/** The predict request's row: every input as a number (categorical ones as their codes). */
function numericInput(row: BikeRow): Record<string, number> {
  return Object.fromEntries(BIKE_FEATURES.map((name, k) => [name, row.features[k]!]));
}

/** Sends the labels due by `until` (event time). */
async function flushLabels(
  send: (method: string, path: string, body: unknown) => Promise<unknown>,
  labels: Array<{ id: string; value: number; due: number }>,
  until: number,
): Promise<void> {
  let n = 0;
  while (n < labels.length && labels[n]!.due <= until) n++;
  if (n === 0) return;
  const due = labels.splice(0, n);
  await send(
    "POST",
    "/v1/models/bike/labels",
    due.map((l) => ({ id: l.id, value: l.value, time: l.due })),
  );
}

function summary(
  weeks: readonly LearningWeek[],
  served: readonly ServedHour[],
  runs: readonly LearningRun[],
): string[] {
  const lines = ["", `The learning loop's ${runs.length} runs:`];
  for (const run of runs) {
    const gate = run.gate as { accuracy?: { baseline: number; candidate: number } } | null;
    lines.push(
      `  ${run.id}: ${run.status}${gate?.accuracy === undefined ? "" : ` (gate MAE ${gate.accuracy.baseline.toFixed(1)} → ${gate.accuracy.candidate.toFixed(1)})`}${run.reasons.length > 0 ? ` — ${run.reasons.join("; ")}` : ""}`,
    );
  }
  const firstDeployed = served.find((h) => h.version !== "2011");
  if (firstDeployed !== undefined) {
    const after = weeks.filter((w) => w.startMs >= firstDeployed.timeMs);
    const mean = (f: (w: LearningWeek) => number) =>
      after.reduce((s, w) => s + f(w), 0) / Math.max(1, after.length);
    lines.push(
      `From ${new Date(firstDeployed.timeMs).toISOString().slice(0, 10)} on (${after.length} weeks), the served model's weekly MAE averaged ${mean((w) => w.servedMae).toFixed(1)}, the never-updated 2011 model's ${mean((w) => w.originalMae).toFixed(1)} on the same hours.`,
    );
  } else lines.push("No candidate reached production in this replay.");
  lines.push("See GET /v1/models/bike/learning/runs for every step, and /v1/models/bike/deployment/history.");
  return lines;
}
