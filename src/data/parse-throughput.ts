/**
 * Throughput of the CSV reader on numeric data: 1,000,000 rows × 20 columns generated in memory,
 * parsed several times, best run printed in MB/s. Not a test; run with
 * `npx tsc -p . && node dist/data/parse-throughput.js [rows]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseTable } from "./parse-table.js";
import { readTable } from "./read-table.js";

const rows = Number(process.argv[2] ?? 1_000_000);
const columnCount = 20;

/**
 * The benchmark input: a header and `rowCount` rows of values like `0.5283749`, `-12.25` and `351`.
 *
 * @example
 * ```ts
 * const csv = numericCsv(1000, 20);
 * ```
 */
export function numericCsv(rowCount: number, columns: number): Buffer {
  let seed = 12345;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const lines: string[] = [Array.from({ length: columns }, (_, c) => `c${c}`).join(",")];
  const cells: string[] = new Array<string>(columns);
  for (let r = 0; r < rowCount; r++) {
    for (let c = 0; c < columns; c++) {
      const kind = c % 3;
      cells[c] =
        kind === 0
          ? random().toFixed(7)
          : kind === 1
            ? ((random() - 0.5) * 100).toFixed(2)
            : String(Math.floor(random() * 1000));
    }
    lines.push(cells.join(","));
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

function best(label: string, bytes: number, runs: number, run: () => void | Promise<void>): Promise<void> {
  return (async () => {
    let fastest = Number.POSITIVE_INFINITY;
    for (let k = 0; k < runs; k++) {
      const start = process.hrtime.bigint();
      await run();
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e9);
    }
    const mb = bytes / 1e6;
    console.log(
      `${label}: ${mb.toFixed(1)} MB in ${(fastest * 1000).toFixed(0)} ms = ${(mb / fastest).toFixed(0)} MB/s, ` +
        `${(rows / fastest / 1e6).toFixed(2)} M rows/s`,
    );
  })();
}

const csv = numericCsv(rows, columnCount);
await best("parseTable (memory)", csv.length, 5, () => {
  parseTable(csv, { name: "bench.csv" });
});
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-throughput-"));
try {
  const plain = join(dir, "bench.csv");
  writeFileSync(plain, csv);
  await best("readTable (.csv file)", csv.length, 3, async () => {
    await readTable(plain);
  });
  const gz = join(dir, "bench.csv.gz");
  writeFileSync(gz, gzipSync(csv, { level: 6 }));
  await best("readTable (.csv.gz file, uncompressed MB)", csv.length, 3, async () => {
    await readTable(gz);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
