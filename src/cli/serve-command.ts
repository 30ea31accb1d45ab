import { createLogger, logLevels } from "../logging/index.js";
import { startServer } from "../server/index.js";
import { choiceOption, numberOption, parseCommandArgs, required } from "./args.js";
import { type CliIo, exitCodes } from "./io.js";

/** `tiktoktoe serve --help`. */
export const serveHelp = `Usage: tiktoktoe serve --data-dir DIR [--port P] [--host H] [--config FILE] [--tokens FILE]

Runs the monitoring server on the embedded SQLite store in DIR (created if needed): register models,
upload reference data, post prediction events and labels, read per-window quality, latency, drift
and verdicts. The API is described at /openapi.json; Prometheus scrapes /metrics.

Options:
      --data-dir DIR    where the store lives (DIR/tiktoktoe.db)
      --store URL       a PostgreSQL store instead, shared by replicas:
                        postgres://USER@HOST:5432/DB?schema=NAME (docs/scale-out.md)
      --queue URL       ingest through NATS JetStream, for replicas:
                        nats://HOST:4222[?deployment=NAME] (docs/scale-out.md); requests are
                        answered 202 once the queue has them
      --role R          with --queue: api (validate and publish), worker (store the queue's
                        batches; windows, alerts, retention under job locks) or all (default)
  -p, --port P          port to listen on (default 8080; 0 picks a free one)
      --host H          address to listen on (default 127.0.0.1)
      --config FILE     monitor configuration, YAML or JSON (docs/configuration.md)
      --tokens FILE     bearer tokens, one "TOKEN SCOPE[,SCOPE]" per line (scopes: ingest, read,
                        admin); required unless listening on loopback
      --clock C         wall (live; default) or event (windows close by event time: replays)
      --monitor-only    monitor only: no POST /predict and no model uploads (serving is on by default)
      --record-before-answer
                        answer a prediction only once its event is durable (default: the event is
                        written within 250 ms after the answer; a kill -9 can lose that last 250 ms)
      --external-url U  the URL users reach the server by behind a proxy (https://… marks the
                        dashboard's cookie Secure; its host is accepted without tokens)
      --log-level L     debug, info, warn (default) or error: what goes to stderr
      --log-format F    text (default) or json (one object per line, for a log collector)
  -h, --help            this help

Examples:
  tiktoktoe serve --data-dir ./tiktoktoe-data
  tiktoktoe serve --data-dir /var/lib/tiktoktoe --host 0.0.0.0 --port 8080 --tokens tokens.txt --config monitor.yaml
  tiktoktoe serve --data-dir /var/lib/tiktoktoe --store postgres://db/tt?schema=prod \
    --queue nats://nats:4222?deployment=prod --role api
`;

/**
 * Runs `tiktoktoe serve` until SIGINT or SIGTERM, then writes every window and exits 0.
 *
 * @example
 * ```ts
 * await runServe(["--data-dir", "./data"], io);
 * ```
 */
export async function runServe(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      "data-dir": { type: "string" },
      store: { type: "string" },
      queue: { type: "string" },
      role: { type: "string" },
      port: { type: "string", short: "p" },
      host: { type: "string" },
      config: { type: "string" },
      tokens: { type: "string" },
      clock: { type: "string" },
      "external-url": { type: "string" },
      "monitor-only": { type: "boolean" },
      "record-before-answer": { type: "boolean" },
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    "serve",
  );
  if (values.help) {
    io.stdout.write(serveHelp);
    return exitCodes.ok;
  }
  const server = await startServer({
    dataDir: required(values["data-dir"], "--data-dir", "serve"),
    ...(values.store === undefined ? {} : { store: values.store }),
    ...(values.queue === undefined ? {} : { queue: values.queue }),
    ...(values.role === undefined
      ? {}
      : { role: choiceOption(values.role, "--role", ["api", "worker", "all"] as const) }),
    port: values.port === undefined ? 8080 : numberOption(values.port, "--port", { min: 0, max: 65535 }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.config === undefined ? {} : { configFile: values.config }),
    ...(values.tokens === undefined ? {} : { tokensFile: values.tokens }),
    ...(values["external-url"] === undefined ? {} : { externalUrl: values["external-url"] }),
    ...(values["monitor-only"] === true ? { serving: false } : {}),
    ...(values["record-before-answer"] === true ? { recordBeforeAnswer: true } : {}),
    log: createLogger({
      level:
        values["log-level"] === undefined
          ? "warn"
          : choiceOption(values["log-level"], "--log-level", logLevels),
      format:
        values["log-format"] === undefined
          ? "text"
          : choiceOption(values["log-format"], "--log-format", ["text", "json"] as const),
    }),
    clock:
      values.clock === undefined ? "wall" : choiceOption(values.clock, "--clock", ["wall", "event"] as const),
  });
  io.stdout.write(`tiktoktoe: listening on ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  return exitCodes.ok;
}
