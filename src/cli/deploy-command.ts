import { parseArgs } from "node:util";
import { TikTokToeError } from "../errors/index.js";
import { type CliIo, exitCodes } from "./io.js";

/** `tiktoktoe deploy --help`. */
export const deployHelp = `Usage: tiktoktoe deploy MODEL VERSION --server URL [--canary 5,25,50,100] [--shadow 1h]
                        [--analysis-period 5m] [--failure-limit N] [--source KIND:ID] [--reason TEXT] [--token T]

Starts a rollout of VERSION on a running server: an optional shadow phase (the version answers copies
of the traffic, never returned), then canary steps of growing traffic share, each ended by an analysis
against production (quality when labels arrive, agreement, prediction drift, latency p99, error rate).
A failed analysis, a critical alert of the canary or \`tiktoktoe rollback\` sends the traffic back.
The server verifies VERSION before any traffic (schema, agreement with production on the reference, and
the tests declared with PUT /v1/models/MODEL/verification): a failed test refuses the rollout, exit 2.

Options:
      --server URL           the tiktoktoe server (e.g. http://127.0.0.1:8080)
      --canary STEPS         canary weights in percent, increasing, the last 100 (default 5,25,50,100)
      --shadow DURATION      a shadow phase first (e.g. 1h; default none)
      --analysis-period D    time between analyses (default 5m)
      --failure-limit N      failed analyses tolerated before the rollback (default 0)
      --source KIND:ID       what produced the version (e.g. optimization:run-42), recorded with the rollout
      --reason TEXT          why, for the history
      --token T              a bearer token with the admin scope
  -h, --help                 this help

Example:
  tiktoktoe deploy cancer v2 --server http://127.0.0.1:8080 --canary 5,25,50,100 --shadow 1h
`;

/** \`tiktoktoe rollback --help\`. */
export const rollbackHelp = `Usage: tiktoktoe rollback MODEL --server URL [--reason TEXT] [--token T]

Rolls a model back on a running server: a running rollout's traffic goes to production at once and its
candidate is marked; without a rollout, production returns to the version it replaced.

Options:
      --server URL     the tiktoktoe server
      --reason TEXT    why, for the history
      --token T        a bearer token with the admin scope
  -h, --help           this help
`;

function parse(
  args: readonly string[],
  options: Record<string, { type: "string" | "boolean"; short?: string }>,
  command: string,
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new TikTokToeError("USAGE", (error as Error).message.split("\n")[0]!, {
      hint: `see: tiktoktoe ${command} --help`,
    });
  }
}

async function post(
  server: string,
  path: string,
  body: unknown,
  token: string | undefined,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${server.replace(/\/+$/, "")}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new TikTokToeError("USAGE", `cannot reach ${server}: ${(error as Error).message}`, {
      path: "--server",
    });
  }
  const answer = (await response.json().catch(() => ({}))) as {
    message?: string;
    code?: string;
    location?: { path?: string };
  };
  if (!response.ok)
    throw new TikTokToeError(
      "USAGE",
      `${server} answered ${response.status} ${answer.code ?? ""}: ${answer.message ?? ""}`,
      {
        ...(answer.location?.path === undefined ? {} : { path: answer.location.path }),
      },
    );
  return answer;
}

function serverOf(value: string | boolean | undefined, command: string): string {
  if (typeof value !== "string" || !/^https?:\/\/./.test(value))
    throw new TikTokToeError("USAGE", "--server must be the server's http:// or https:// URL", {
      path: "--server",
      hint: `see: tiktoktoe ${command} --help`,
    });
  return value;
}

/**
 * Runs `tiktoktoe deploy MODEL VERSION`: starts the rollout and prints it.
 *
 * @example
 * ```ts
 * await runDeploy(["cancer", "v2", "--server", url, "--canary", "5,25,50,100"], io);
 * ```
 */
export async function runDeploy(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      server: { type: "string" },
      canary: { type: "string" },
      shadow: { type: "string" },
      "analysis-period": { type: "string" },
      "failure-limit": { type: "string" },
      source: { type: "string" },
      reason: { type: "string" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    "deploy",
  );
  if (values.help) {
    io.stdout.write(deployHelp);
    return exitCodes.ok;
  }
  if (positionals.length !== 2)
    throw new TikTokToeError("USAGE", `expected MODEL VERSION, got ${positionals.length} argument(s)`, {
      hint: "e.g. tiktoktoe deploy cancer v2 --server http://127.0.0.1:8080",
    });
  const server = serverOf(values.server, "deploy");
  const steps =
    typeof values.canary === "string"
      ? values.canary.split(",").map((part, i) => {
          const n = Number(part.trim());
          if (part.trim() === "" || !Number.isFinite(n))
            throw new TikTokToeError("USAGE", `--canary: step ${i + 1} ("${part}") is not a number`, {
              path: "--canary",
              hint: "e.g. --canary 5,25,50,100",
            });
          return n;
        })
      : undefined;
  let failureLimit: number | undefined;
  if (typeof values["failure-limit"] === "string") {
    failureLimit = Number(values["failure-limit"]);
    if (!Number.isInteger(failureLimit) || failureLimit < 0)
      throw new TikTokToeError("USAGE", "--failure-limit must be an integer ≥ 0", {
        path: "--failure-limit",
      });
  }
  let source: { kind: string; id: string } | undefined;
  if (typeof values.source === "string") {
    const colon = values.source.indexOf(":");
    if (colon <= 0 || colon === values.source.length - 1)
      throw new TikTokToeError("USAGE", "--source must be KIND:ID", {
        path: "--source",
        hint: "e.g. optimization:run-42",
      });
    source = { kind: values.source.slice(0, colon), id: values.source.slice(colon + 1) };
  }
  const [model, version] = positionals as [string, string];
  const rollout = (await post(
    server,
    `/v1/models/${encodeURIComponent(model)}/rollouts`,
    {
      version,
      by: "cli",
      ...(steps === undefined ? {} : { steps }),
      ...(typeof values.shadow === "string" ? { shadow: values.shadow } : {}),
      ...(typeof values["analysis-period"] === "string" ? { analysisPeriod: values["analysis-period"] } : {}),
      ...(failureLimit === undefined ? {} : { failureLimit }),
      ...(source === undefined ? {} : { source }),
      ...(typeof values.reason === "string" ? { reason: values.reason } : {}),
    },
    typeof values.token === "string" ? values.token : undefined,
  )) as { id: string; phase: string; weight: number; spec: { steps: number[] } };
  io.stdout.write(
    `rollout ${rollout.id}: ${model} ${version} is ${rollout.phase}${rollout.phase === "canary" ? ` at ${rollout.weight}%` : ""}; steps ${rollout.spec.steps.join(" → ")}\n`,
  );
  return exitCodes.ok;
}

/**
 * Runs `tiktoktoe rollback MODEL`.
 *
 * @example
 * ```ts
 * await runRollback(["cancer", "--server", url, "--reason", "complaints"], io);
 * ```
 */
export async function runRollback(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      server: { type: "string" },
      reason: { type: "string" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    "rollback",
  );
  if (values.help) {
    io.stdout.write(rollbackHelp);
    return exitCodes.ok;
  }
  if (positionals.length !== 1)
    throw new TikTokToeError("USAGE", `expected MODEL, got ${positionals.length} argument(s)`, {
      hint: "e.g. tiktoktoe rollback cancer --server http://127.0.0.1:8080",
    });
  const server = serverOf(values.server, "rollback");
  const model = positionals[0]!;
  const state = (await post(
    server,
    `/v1/models/${encodeURIComponent(model)}/rollback`,
    { by: "cli", ...(typeof values.reason === "string" ? { reason: values.reason } : {}) },
    typeof values.token === "string" ? values.token : undefined,
  )) as { production: string | null };
  io.stdout.write(`${model}: production is ${state.production ?? "none"}\n`);
  return exitCodes.ok;
}
