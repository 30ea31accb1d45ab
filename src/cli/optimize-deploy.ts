import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { OptimizationReport } from "../optimizer/index.js";
import { type CliIo, exitCodes } from "./io.js";
import type { OptimizeInvocation } from "./optimize-args.js";

/**
 * `optimize --deploy MODEL_NAME --server URL`: the chosen candidate is registered as a new version of
 * the model on a running server, then its canary rollout against production is started. What the server
 * says is written on stderr; the report on disk and stdout is already complete by then.
 */

/**
 * Deploys the report's chosen candidate (written under `out`): registers it, then starts its rollout.
 * Undefined when that went through (a model without a production version included), else the exit
 * code: 1 when nothing was chosen, the server refused or could not be reached, 2 when the server's
 * verification refused the version's rollout.
 *
 * @example
 * ```ts
 * const failed = await deployOptimized(report, invocation.deploy, "opt/", "digits_mlp.onnx", io);
 * if (failed !== undefined) return failed;
 * ```
 */
export async function deployOptimized(
  report: OptimizationReport,
  deploy: NonNullable<OptimizeInvocation["deploy"]>,
  out: string,
  optimizedFrom: string,
  io: CliIo,
): Promise<number | undefined> {
  if (report.chosen === null) {
    io.stderr.write(
      `tiktoktoe optimize: nothing deployed to ${deploy.server}: no candidate passed the acceptance rules\n`,
    );
    return exitCodes.failed;
  }
  const reportPath = resolve(out, "report.json");
  const version = await registerChosen(report, deploy, optimizedFrom, reportPath, io);
  if (version === null) return exitCodes.failed;
  const rollout = await startOptimizedRollout(report, deploy, version, reportPath, io);
  if (rollout === "refused") return exitCodes.usage;
  if (rollout === "failed") return exitCodes.failed;
  return undefined;
}

/**
 * Registers the report's chosen candidate as a new version (`POST /v1/models/{model}/versions`); false,
 * with a message on stderr, when the server refuses or cannot be reached.
 *
 * @example
 * ```ts
 * await deployChosen(report, { model: "digits", server: "http://127.0.0.1:8080", version: undefined, token }, "m.onnx", "/abs/out/report.json", io);
 * // optimizedFrom: the source model's file name, or "model/version" for a served version
 * ```
 */
export async function deployChosen(
  report: OptimizationReport,
  deploy: NonNullable<OptimizeInvocation["deploy"]>,
  optimizedFrom: string,
  reportPath: string,
  io: CliIo,
): Promise<boolean> {
  return (await registerChosen(report, deploy, optimizedFrom, reportPath, io)) !== null;
}

/** {@link deployChosen}'s work: the registered version's name, or null (said on stderr). */
async function registerChosen(
  report: OptimizationReport,
  deploy: NonNullable<OptimizeInvocation["deploy"]>,
  optimizedFrom: string,
  reportPath: string,
  io: CliIo,
): Promise<string | null> {
  const chosen = report.candidates.find((c) => c.id === report.chosen_id)!;
  const bytes = new Uint8Array(await readFile(chosen.path!));
  const version =
    deploy.version ??
    `${chosen.technique.replace(/[^A-Za-z0-9._-]/g, "-")}-${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`;
  const body = {
    version,
    onnx: Buffer.from(bytes).toString("base64"),
    meta: {
      optimized_from: optimizedFrom,
      technique: chosen.technique,
      label: chosen.label,
      report: reportPath,
      accuracy: chosen.accuracy,
      accuracy_drop: chosen.accuracy_drop,
      speedup: chosen.speedup,
      size_bytes: chosen.size_bytes,
    },
  };
  const url = `${deploy.server}/v1/models/${encodeURIComponent(deploy.model)}/versions`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(deploy.token === undefined ? {} : { authorization: `Bearer ${deploy.token}` }),
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    io.stderr.write(
      `tiktoktoe optimize: cannot reach ${deploy.server}: ${(error as Error).message}; nothing deployed\n`,
    );
    return null;
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as {
        code?: string;
        message?: string;
        error?: { code?: string; message?: string };
      };
      const e = parsed.error ?? parsed;
      if (e.message !== undefined) message = `${e.code ?? ""} ${e.message}`.trim();
    } catch {
      // Not JSON: the raw text (bounded) says what the server said.
    }
    io.stderr.write(
      `tiktoktoe optimize: ${deploy.server} refused version "${version}" of "${deploy.model}" (HTTP ${response.status}): ${message}\n`,
    );
    return null;
  }
  io.stderr.write(
    `tiktoktoe optimize: deployed ${chosen.id} as version "${version}" of "${deploy.model}" on ${deploy.server}\n`,
  );
  return version;
}

/**
 * Starts the canary rollout of a registered optimized version (`POST /v1/models/{model}/rollouts`),
 * with the optimization as its source and the report's accuracy drop limit as the analysis's. The
 * server verifies the version first: `refused` when a verification test failed (422), `failed` when
 * the server refused otherwise or cannot be reached; a model without a production version has nothing
 * to canary against, which is said and is no failure (the version stays registered).
 *
 * @example
 * ```ts
 * await startOptimizedRollout(report, deploy, "quantize-1a2b3c4d5e6f", "/abs/out/report.json", io); // "started"
 * ```
 */
export async function startOptimizedRollout(
  report: OptimizationReport,
  deploy: NonNullable<OptimizeInvocation["deploy"]>,
  version: string,
  reportPath: string,
  io: CliIo,
): Promise<"started" | "skipped" | "refused" | "failed"> {
  // The optimization's id: the chosen candidate and a digest of the report it was chosen by.
  const digest = createHash("sha256")
    .update(await readFile(reportPath).catch(() => Buffer.from(reportPath)))
    .digest("hex")
    .slice(0, 12);
  const id = `${report.chosen_id}@${digest}`;
  const body = {
    version,
    steps: deploy.steps ?? [5, 25, 50, 100],
    source: { kind: "optimization", id },
    // The analysis's accuracy limit is for classifiers; a regression's MAE limit is the server's own.
    ...(report.metric === "accuracy"
      ? { acceptance: { accuracyDropLimit: report.acceptance.accuracy_drop_limit } }
      : {}),
    reason: `optimized (${report.chosen_id}); report ${reportPath}`.slice(0, 2000),
    by: "tiktoktoe optimize",
  };
  let response: Response;
  try {
    response = await fetch(`${deploy.server}/v1/models/${encodeURIComponent(deploy.model)}/rollouts`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(deploy.token === undefined ? {} : { authorization: `Bearer ${deploy.token}` }),
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    io.stderr.write(
      `tiktoktoe optimize: cannot reach ${deploy.server} to start the rollout: ${(error as Error).message}\n`,
    );
    return "failed";
  }
  const text = await response.text();
  let answer: {
    code?: string;
    message?: string;
    id?: string;
    weight?: number;
    spec?: { steps?: number[] };
    problems?: Array<{ name?: string; reason?: string }>;
  } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    answer = { message: text.slice(0, 500) };
  }
  if (response.ok) {
    io.stderr.write(
      `tiktoktoe optimize: rollout ${answer.id} of "${version}" started: canary at ${answer.weight}%, steps ${(answer.spec?.steps ?? body.steps).join(" → ")}\n`,
    );
    return "started";
  }
  if (answer.code === "VERIFICATION_FAILED") {
    io.stderr.write(
      `tiktoktoe optimize: version "${version}" is registered but failed verification; no traffic was routed to it:\n${(
        answer.problems ?? []
      )
        .map((p) => `  ${p.name}: ${p.reason}\n`)
        .join("")}`,
    );
    return "refused";
  }
  if (answer.code === "NOT_SERVING") {
    io.stderr.write(
      `tiktoktoe optimize: version "${version}" is registered; no rollout started: ${answer.message ?? "the model has no production version"}\n`,
    );
    return "skipped";
  }
  io.stderr.write(
    `tiktoktoe optimize: ${deploy.server} refused the rollout of "${version}" (HTTP ${response.status}): ${`${answer.code ?? ""} ${answer.message ?? ""}`.trim()}\n`,
  );
  return "failed";
}
