import { resolveTechniques } from "../optimizer/index.js";
import { type CliIo, exitCodes } from "./io.js";
import { checkOutDir, parseOptimizeArgs } from "./optimize-args.js";
import { optimizeFiles, optimizeServed } from "./optimize-run.js";

/**
 * `tiktoktoe optimize`: its help and its entry point. The options are parsed in optimize-args.ts, the
 * run and its report are optimize-run.ts's, a served version's download optimize-server.ts's, and
 * `--deploy`'s registration and rollout optimize-deploy.ts's.
 */

/** `tiktoktoe optimize --help`. */
export const optimizeHelp = `Usage: tiktoktoe optimize MODEL.onnx --data DATA.csv --label COL [options]
       tiktoktoe optimize --server URL --model NAME [--version V] [options]

Make a model cheaper to run without losing accuracy: each technique builds candidates from the
model; every candidate is cross-validated (each technique re-run per fold on the fold's training
rows, scored on its held-out rows), timed with onnxruntime-node against the baseline, accepted or
rejected by the rules below, and ranked by the weighted objective. A report is always produced.

Acceptance (the seed's): accuracy drop <= 0.01, absolute (baseline − candidate, mean over folds
and its one-sided 95% upper bound); latency improvement >= 20% (p50, batch 1, same threads).
For a regression (one output value per row) the metric is MAE and the "drop" is the relative
rise (MAE_cand − MAE_base) / MAE_base. Every rejection says which rule failed and by how much.
Objective: 0.4·min(1, accuracy/0.95) + 0.3·min(1, 50 ms/p95) + 0.3·(1 − size/size_base).

Data: the feature columns (all but the label, or --features), in file order, fill the model's single
input, reshaped to its static shape per row (64 columns fill [batch, 1, 8, 8]).

A served version (--server URL --model NAME): its ONNX model, its reference rows (with a target
column) and its labelled events are downloaded from tiktoktoe serve into a temporary folder, the
schema's features in schema order; the report opens with "Production vs objectives": the newest
labelled window's accuracy (MAE for a regression) and the newest window's p99 latency against the
objective's targets, and which objectives the optimization is for.

Options:
      --data FILE            labelled rows: CSV with a header, or NDJSON (optionally .gz)
      --label COL            the label column (class index 0…k−1, or the regression target)
      --features A,B,…       the feature columns, in the model's order (default: all but the label)
      --input-scale K        multiply every feature by K (digits models take pixels/16: 0.0625)
      --task T               auto | classification | regression (default auto: from the output width)
      --output-name NAME     the output to score (default: the model's first)
      --techniques LIST      ${["quantize", "prune", "prune-structured", "distill"].join(",")} (default all),
                             or none to measure the baseline only
      --calibration M        entropy | minmax | percentile (quantize; default entropy)
      --sparsity S           fraction of weights pruned, in (0, 1) (default 0.7)
      --temperature T        distillation temperature (default 2.0)
      --folds K              cross-validation folds, 2…20 (default 5)
      --seed N               folds and techniques' randomness (default 42)
      --threads N            onnxruntime intra-op threads for every timing (default 1)
      --runs N               timed runs per model, batch size and round (default 30; 5 rounds)
      --max-drop D           accuracy drop limit (default 0.01)
      --min-improvement F    required latency improvement (default 0.2)
      --out DIR              write each candidate (DIR/<id>.onnx) and the report (report.json, report.md)
      --format F             table | json | markdown (default: table on a terminal, else json)
      --fail-if-none         exit 1 when no candidate is accepted
      --deploy MODEL_NAME    register the chosen candidate as a new version of MODEL_NAME on --server
                             (needs --out; meta: optimized_from, technique, report) and start a canary
                             rollout of it against production (verified first; source: this optimization,
                             its accuracy drop limit the analysis's)
      --canary STEPS         --deploy's canary weights in percent, the last 100 (default 5,25,50,100)
      --deploy-version V     the new version's name (default <technique>-<sha256 prefix>)
      --server URL           the tiktoktoe server: the served version to optimize (with --model), and --deploy's
      --model NAME           optimize a served version of NAME (instead of MODEL.onnx, --data and --label)
      --version V            that version (default: the newest registered)
      --from T, --to T       labelled events with an event time in [from, to) (ISO 8601 or epoch ms; default all)
      --limit N              the most labelled events (default 100000)
      --token T              a bearer token with the admin scope (default: $TIKTOKTOE_TOKEN)
  -q, --quiet                no progress bar
  -h, --help                 this help

Exit codes: 0 report written, 1 --fail-if-none and nothing accepted, or --deploy failed (the report
is still written), 2 usage or input error (nothing written), or the server's verification refused the
deployed version's rollout (the version stays registered as a candidate; nothing routed to it).

Examples:
  tiktoktoe optimize models/digits_mlp.onnx --data data/digits/digits.csv --label target --input-scale 0.0625
  tiktoktoe optimize models/digits_cnn.onnx --data data/digits/digits.csv --label target \\
      --input-scale 0.0625 --techniques quantize --calibration percentile --out opt/ --format markdown
  tiktoktoe optimize models/bike_mlp.onnx --data data/bike/bike_2011.csv --label cnt \\
      --features season,mnth,hr,holiday,weekday,workingday,weathersit,temp,atemp,hum,windspeed
  tiktoktoe optimize model.onnx --data val.csv --label y --out opt/ --deploy churn --server http://127.0.0.1:8080
  tiktoktoe optimize --server http://127.0.0.1:8080 --model digits --version 1 --input-scale 0.0625 --techniques quantize
`;

/**
 * Runs `tiktoktoe optimize`: checks the model and the data, runs the techniques, writes the
 * candidates and the report, and deploys the chosen candidate when asked.
 *
 * @example
 * ```ts
 * const code = await runOptimize(["models/digits_mlp.onnx", "--data", "data/digits/digits.csv", "--label", "target"], io);
 * ```
 */
export async function runOptimize(args: readonly string[], io: CliIo): Promise<number> {
  const invocation = parseOptimizeArgs(args, io);
  if (invocation === "help") {
    io.stdout.write(optimizeHelp);
    return exitCodes.ok;
  }
  // Names are checked before any file is read: a typo costs nothing.
  const { techniques, unavailable } = resolveTechniques(invocation.techniques, invocation.settings);
  if (invocation.out !== undefined) await checkOutDir(invocation.out);
  if (invocation.served === undefined) return optimizeFiles(invocation, techniques, unavailable, io);
  return optimizeServed(invocation, invocation.served, techniques, unavailable, io);
}
