import { loadConfig } from "../config/index.js";
import { TikTokToeError } from "../errors/index.js";
import { deliver, type Notification, zeroTime } from "../notify/index.js";
import { loadAlerting } from "../server/alerting.js";
import { choiceOption, parseCommandArgs, required } from "./args.js";
import { type CliIo, exitCodes } from "./io.js";

/** `tiktoktoe alerts --help`. */
export const alertsHelp = `Usage: tiktoktoe alerts test --config FILE --channel NAME
       tiktoktoe alerts list [--url URL] [--token T] [--state active|suppressed] [--format table|json]

alerts test   sends one test notification through a channel of the configuration's alerting section
              (retrying as the server would, up to 3 attempts) and reports the answer; exit 1 when
              it could not be delivered.
alerts list   lists the alerts of a running server (GET /v1/alerts), worst first.

Options:
      --config FILE   the monitor configuration with an alerting section (alerts test)
      --channel NAME  a channel name under alerting.channels (alerts test)
      --url URL       the server (default http://127.0.0.1:8080) (alerts list)
      --token T       a bearer token with the read scope (alerts list)
      --state S       only alerts in this state (alerts list)
      --format F      table (default) or json (alerts list)
  -h, --help          this help

Examples:
  tiktoktoe alerts test --config monitor.yaml --channel oncall-slack
  tiktoktoe alerts list --url http://127.0.0.1:8080 --format json
`;

/**
 * Runs `tiktoktoe alerts test|list`.
 *
 * @example
 * ```ts
 * await runAlerts(["test", "--config", "monitor.yaml", "--channel", "hook"], io);
 * ```
 */
export async function runAlerts(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    io.stdout.write(alertsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === "test") return runTest(rest, io);
  if (sub === "list") return runList(rest, io);
  throw new TikTokToeError("USAGE", `unknown subcommand "${sub}"`, {
    hint: "use alerts test or alerts list",
  });
}

async function runTest(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    { config: { type: "string" }, channel: { type: "string" }, help: { type: "boolean", short: "h" } },
    "alerts test",
  );
  if (values.help) {
    io.stdout.write(alertsHelp);
    return exitCodes.ok;
  }
  const file = required(values.config, "--config", "alerts test");
  const config = await loadConfig(file);
  const channel = required(values.channel, "--channel", "alerts test");
  if (config.alerting === undefined)
    throw new TikTokToeError("USAGE", "the configuration has no alerting section", {
      path: "alerting",
      file,
    });
  const setup = await loadAlerting(config.alerting, "http://127.0.0.1:8080");
  const notifier = setup.notifiers.get(channel);
  if (notifier === undefined)
    throw new TikTokToeError("USAGE", `no channel "${channel}" in alerting.channels`, {
      path: "--channel",
      hint: `channels: ${[...setup.notifiers.keys()].join(", ")}`,
    });
  const now = new Date().toISOString();
  const labels = { alertname: "TikTokToeTest", severity: "warning", model: "test" };
  const notification: Notification = {
    groupKey: '{}:{alertname="TikTokToeTest"}',
    receiver: "test",
    status: "firing",
    alerts: [
      {
        status: "firing",
        labels,
        annotations: {
          summary: "A test notification from tiktoktoe alerts test",
          value: "1",
          threshold: "0",
        },
        startsAt: now,
        endsAt: zeroTime,
        fingerprint: "0000000000000000",
      },
    ],
    groupLabels: { alertname: "TikTokToeTest" },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: setup.externalUrl,
  };
  const result = await deliver(notifier, notification, { maxAttempts: 3, maxElapsedMs: 30_000 });
  await notifier.close?.();
  const status = result.outcome.status === undefined ? "" : ` (HTTP ${result.outcome.status})`;
  if (result.ok) {
    io.stdout.write(
      `sent a test notification to "${channel}" (${notifier.kind})${status} after ${result.attempts} attempt(s), ${result.elapsedMs} ms\n`,
    );
    return exitCodes.ok;
  }
  const outcome = result.outcome as { reason: string; message: string };
  io.stdout.write(
    `could not deliver to "${channel}" (${notifier.kind}): ${outcome.reason}${status}: ${outcome.message}; ${result.attempts} attempt(s), gave up: ${result.gaveUp}\n`,
  );
  return exitCodes.failed;
}

async function runList(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      url: { type: "string" },
      token: { type: "string" },
      state: { type: "string" },
      format: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    "alerts list",
  );
  if (values.help) {
    io.stdout.write(alertsHelp);
    return exitCodes.ok;
  }
  const format =
    values.format === undefined
      ? "table"
      : choiceOption(values.format, "--format", ["table", "json"] as const);
  const base = values.url ?? "http://127.0.0.1:8080";
  const query = values.state === undefined ? "" : `?state=${encodeURIComponent(values.state)}`;
  let response: Response;
  try {
    response = await fetch(`${base}/v1/alerts${query}`, {
      headers: values.token === undefined ? {} : { authorization: `Bearer ${values.token}` },
    });
  } catch (error) {
    throw new TikTokToeError("USAGE", `cannot reach ${base}: ${(error as Error).message}`, { path: "--url" });
  }
  const body = (await response.json()) as {
    alerts?: Array<{
      state: string;
      labels: Record<string, string>;
      startsAt: number;
      annotations: Record<string, string>;
    }>;
    message?: string;
  };
  if (!response.ok)
    throw new TikTokToeError("USAGE", `${base} answered ${response.status}: ${body.message ?? ""}`, {
      path: "--url",
    });
  const alerts = body.alerts ?? [];
  if (format === "json") io.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
  else if (alerts.length === 0) io.stdout.write("no alerts\n");
  else
    for (const a of alerts)
      io.stdout.write(
        `${(a.labels.severity ?? "").padEnd(9)} ${a.state.padEnd(10)} ${(a.labels.alertname ?? "").padEnd(20)} ${a.labels.model ?? ""}/${a.labels.version ?? ""}  since ${new Date(a.startsAt).toISOString()}  ${a.annotations.summary ?? ""}\n`,
      );
  return exitCodes.ok;
}
