import { readFileSync } from "node:fs";
import { isTikTokToeError } from "../errors/index.js";
import { type CliIo, exitCodes } from "./io.js";

type Run = (args: readonly string[], io: CliIo) => Promise<number>;

interface Command {
  readonly summary: string;
  /**
   * The command's code, imported only when it runs: importing every command up front loaded the
   * server, zod, nodemailer and yaml (~330 modules, 0.6 s) before even `--help` could answer.
   */
  readonly load: () => Promise<Run>;
}

const commands: Readonly<Record<string, Command>> = {
  drift: {
    summary: "compare two datasets and report drift per column",
    load: async () => (await import("./drift-command.js")).runDrift,
  },
  serve: {
    summary: "run the monitoring server (HTTP API on the embedded SQLite store)",
    load: async () => (await import("./serve-command.js")).runServe,
  },
  alerts: {
    summary: "send a test notification through a channel, or list a server's alerts",
    load: async () => (await import("./alerts-command.js")).runAlerts,
  },
  optimize: {
    summary: "make a model cheaper to run: quantize, prune, distill; cross-validate, time, choose",
    load: async () => (await import("./optimize-command.js")).runOptimize,
  },
  deploy: {
    summary: "roll a model version out on a server: shadow, canary steps, analysis, automatic rollback",
    load: async () => (await import("./deploy-command.js")).runDeploy,
  },
  rollback: {
    summary: "send a model's traffic back to production (or to the version before it) on a server",
    load: async () => (await import("./deploy-command.js")).runRollback,
  },
  demo: {
    summary: "replay a year of bike rentals through the server: weekly quality, latency and drift",
    load: async () => (await import("./demo-command.js")).runDemo,
  },
  learn: {
    summary: "replay a stream through an online learner: prequential score beside a naive baseline",
    load: async () => (await import("./learn-command.js")).runLearn,
  },
  report: {
    summary: "write a model card, or an optimization, learning-update or health report (Markdown or HTML)",
    load: async () => (await import("./report-command.js")).runReport,
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return `TikTokToe ${version()} — watch ML models in production, make them cheaper to run, keep them learning.

Usage: tiktoktoe <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  .join("\n")}

Run 'tiktoktoe <command> --help' for a command's options and examples.

Examples:
  tiktoktoe demo
  tiktoktoe drift --reference train.csv --current today.csv.gz --target label
  tiktoktoe optimize models/digits_mlp.onnx --data data/digits/digits.csv --label target --input-scale 0.0625

Exit codes: 0 ok, 1 the check failed (e.g. drift), 2 usage or input error, 70 internal error.
`;
}

/**
 * Runs the CLI with `args` (without `node` and the script) and returns the exit code. Expected
 * failures print one precise message (file, line, column, hint) and return 2; bugs print a stack
 * and return 70. Nothing here calls `process.exit`, so tests can drive it in-process.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * ```
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(mainHelp());
    return exitCodes.ok;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write(`${version()}\n`);
    return exitCodes.ok;
  }
  const command = commands[name];
  if (command === undefined) {
    io.stderr.write(`tiktoktoe: unknown command "${name}"\n\n${mainHelp()}`);
    return exitCodes.usage;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (error) {
    if (isTikTokToeError(error) && error.expected) {
      io.stderr.write(`tiktoktoe ${name}: error ${error.code}: ${error.describe()}\n`);
      return exitCodes.usage;
    }
    io.stderr.write(
      `tiktoktoe ${name}: internal error (please report it):\n${(error as Error).stack ?? String(error)}\n`,
    );
    return exitCodes.internal;
  }
}
