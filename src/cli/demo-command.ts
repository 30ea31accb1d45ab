import { fileURLToPath } from "node:url";
import { renderDriftReport, reportFormats } from "../report/index.js";
import { choiceOption, parseCommandArgs } from "./args.js";
import { computeDrift } from "./drift-command.js";
import { type CliIo, exitCodes } from "./io.js";

/** `tiktoktoe demo --help`. */
export const demoHelp = `Usage: tiktoktoe demo [--format table|json|markdown|html] [--quiet]

Shows TikTokToe's drift report on real data bundled with the package: the hourly bike rentals of
Washington D.C. (UCI "Bike Sharing", CC BY 4.0) in 2011 as the reference and in 2012 as the current
data; \`cnt\` (rentals per hour) is the target. Demand grew in 2012, so expect drift on the rental
counts and little on the weather.

Examples:
  tiktoktoe demo
  tiktoktoe demo --format markdown > drift.md
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
 * Runs the demo: a drift report of bike sharing 2011 vs 2012. Always exits 0 on success (the demo
 * shows drift, it does not check for it).
 *
 * @example
 * ```ts
 * await runDemo([], io);
 * ```
 */
export async function runDemo(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      format: { type: "string" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
    "demo",
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
