import { fileURLToPath } from "node:url";
import { runBikeDemo } from "../demo/bike-replay.js";
import { runLearningDemo } from "../demo/learn-replay.js";
import { TikTokToeError } from "../errors/index.js";
import { renderDriftReport, reportFormats } from "../report/index.js";
import { choiceOption, numberOption, parseCommandArgs } from "./args.js";
import { computeDrift } from "./drift-command.js";
import { type CliIo, exitCodes } from "./io.js";

/** `tiktoktoe demo --help`. */
export const demoHelp = `Usage: tiktoktoe demo [--port P] [--data-dir DIR] [--speed W] [--exit]
       tiktoktoe demo --learn [--weeks N] [--port P] [--data-dir DIR] [--exit]
       tiktoktoe demo drift [--format table|json|markdown|html] [--quiet]

The monitoring demo: starts \`tiktoktoe serve\` on SQLite, registers a bike-rental model trained on
2011 (an ONNX MLP), uploads 2011 as its reference, and replays 2012 hour by hour through the client
SDK, onnxruntime-node predicting, in accelerated event time. Each weekly window is printed as it
closes, with the API's severity words: the mean absolute error climbs from its 2011 level (about 24)
towards 90, the weather drifts (a week's weather is never a year's) and demand grows. The calendar
columns are model inputs but not drift-tested (schema "drift": false). The replay ends by moving the
event clock (POST /v1/models/bike/clock), which closes the last week on its own hours, and sums up:
which columns drifted how often, the target's growth, the MAE by quarter. The server keeps running
afterwards (Ctrl-C stops it).

\`demo --learn\` keeps the model learning: the server serves 2012 with the 2011 MLP through
POST /v1/models/bike/predict, labels arrive six hours after each hour, and the server's learning loop
(PUT /v1/models/bike/learning) fine-tunes the served MLP from 2012's labelled weeks — each candidate
validated, shadowed for a day's warm-up and a judged week, passed by the promotion gate and promoted
through a canary (50%, 100%). Each week prints the served model's MAE beside the never-updated 2011
model's on the same hours, and the loop's steps as they happen. The whole year takes a few minutes.

\`demo drift\` instead prints a one-off drift report of 2011 against 2012 (the same data, bundled:
UCI "Bike Sharing", CC BY 4.0).

Options:
  -p, --port P      port of the demo server (default 8080; 0 picks a free one)
      --data-dir D  keep the demo's store in D (default: a temporary folder)
      --speed W     weeks of event time per second (default 2)
      --exit        stop the server when the replay is done
      --learn       the learning demo (above)
      --weeks N     (--learn) weeks of 2012 replayed (default 53, the whole year)
      --format F    (demo drift) table | json | markdown | html
  -q, --quiet       (demo drift) no progress bar

Examples:
  tiktoktoe demo
  tiktoktoe demo --port 0 --speed 10 --exit
  tiktoktoe demo --learn --weeks 12 --exit
  tiktoktoe demo drift --format markdown > drift.md
`;

/**
 * Path of a bundled data file (`data/` at the package root).
 *
 * @example
 * ```ts
 * bundledData("bike", "bike_2011.csv");
 * ```
 */
export function bundledData(...segments: string[]): string {
  return fileURLToPath(new URL(`../../data/${segments.join("/")}`, import.meta.url));
}

/**
 * Runs `tiktoktoe demo`: the server replay (default), or `demo drift`, the one-off drift report.
 *
 * @example
 * ```ts
 * await runDemo(["--port", "0", "--exit"], io);
 * ```
 */
export async function runDemo(args: readonly string[], io: CliIo): Promise<number> {
  if (args[0] === "drift") return runDriftDemo(args.slice(1), io);
  const { values } = parseCommandArgs(
    args,
    {
      port: { type: "string", short: "p" },
      "data-dir": { type: "string" },
      speed: { type: "string" },
      exit: { type: "boolean" },
      learn: { type: "boolean" },
      weeks: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    "demo",
  );
  if (values.help) {
    io.stdout.write(demoHelp);
    return exitCodes.ok;
  }
  const port = values.port === undefined ? 8080 : numberOption(values.port, "--port", { min: 0, max: 65535 });
  if (values.weeks !== undefined && !values.learn)
    throw new TikTokToeError("USAGE", "it goes with --learn", {
      path: "--weeks",
      hint: "tiktoktoe demo --learn --weeks 12",
    });
  const { server } = values.learn
    ? await runLearningDemo({
        port,
        ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
        ...(values.weeks === undefined
          ? {}
          : { weeks: numberOption(values.weeks, "--weeks", { min: 1, max: 53 }) }),
        print: (line) => io.stdout.write(`${line}\n`),
      })
    : await runBikeDemo({
        port,
        ...(values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] }),
        weeksPerSecond:
          values.speed === undefined ? 2 : numberOption(values.speed, "--speed", { min: 0.01, max: 1000 }),
        print: (line) => io.stdout.write(`${line}\n`),
      });
  if (!values.exit) {
    io.stdout.write(
      `\nThe server keeps running. Dashboard: ${server.url}/models/bike (alerts: ${server.url}/alerts); API: ${server.url}/v1/models/bike/windows, ${server.url}/metrics. Ctrl-C stops it.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
  }
  await server.close();
  return exitCodes.ok;
}

/** `tiktoktoe demo drift`: the drift report of bike sharing 2011 vs 2012; always exits 0 on success. */
async function runDriftDemo(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      format: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
    "demo drift",
  );
  if (values.help) {
    io.stdout.write(demoHelp);
    return exitCodes.ok;
  }
  const format =
    values.format === undefined ? "table" : choiceOption(values.format, "--format", reportFormats);
  const report = await computeDrift(
    {
      reference: bundledData("bike", "bike_2011.csv"),
      current: bundledData("bike", "bike_2012.csv"),
      selection: { target: "cnt" },
      options: {},
      format,
      output: undefined,
      failOn: "never",
      quiet: values.quiet === true,
    },
    io,
  );
  if (format === "table")
    io.stdout.write(
      "TikTokToe demo: bike sharing hours, 2011 (reference) vs 2012 (current), target `cnt`.\n\n",
    );
  io.stdout.write(
    renderDriftReport(report, format, { color: io.stdout.isTTY === true && io.env.NO_COLOR === undefined }),
  );
  return exitCodes.ok;
}
