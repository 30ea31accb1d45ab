/**
 * Reading a table file: large sequential reads (or streaming gunzip) fed to the format's parser.
 */
import { type FileHandle, open } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { isTikTokToeError } from "../errors/index.js";
import { ChunkFeeder } from "./chunk-feeder.js";
import { type CsvKernels, installedCsvKernels } from "./csv-kernel.js";
import { badGzipError, unreadableFileError } from "./input-errors.js";
import { assembleTable, backfillPlan, createParser, planFromOptions } from "./table-assembly.js";
import type { TableBuilder } from "./table-builder.js";
import { detectFormat } from "./table-format.js";
import type { TableParser } from "./table-parser.js";
import type { ReadTableOptions, Table } from "./types.js";

const PROGRESS_STEP = 64 << 20;
/**
 * Files up to this size are read twice when the native newline counter is there: once to count
 * lines (~4 ms per 40 MB from the page cache), then to parse into columns sized once. Larger files
 * may not stay cached, and a second read from disk would cost more than the copy it saves.
 */
const COUNT_LIMIT = 1 << 30;

/**
 * Reads a CSV (`.csv`) or NDJSON (`.jsonl`, `.ndjson`) file, optionally gzip-compressed (`.gz`), into
 * typed columns.
 *
 * Columns are numeric while every non-missing cell is a decimal number, parsed exactly as `Number()`
 * would; the first other cell makes the column text, keeping every cell's exact text (`02134`, `1.0`),
 * found by reading the file a second time when earlier rows held numbers. Missing cells — empty, or
 * `NA`, `N/A`, `NaN`, `nan`, `null`, `NULL`, `None`, `#N/A` (see {@link MISSING_TOKENS}); `null` or an
 * absent key in NDJSON — are NaN or -1. See {@link CsvParser} and {@link NdjsonParser} for the
 * dialects.
 *
 * Fails with a {@link TikTokToeError}: INPUT_NOT_FOUND, INPUT_FORMAT (unknown extension, header with a
 * duplicate or empty name, unclosed quote), INPUT_BAD_GZIP, INPUT_EMPTY (no data rows),
 * INPUT_RAGGED_ROW, INPUT_BAD_JSON, INPUT_NOT_NUMERIC, INPUT_COLUMN_MISSING, USAGE (a column both text
 * and numeric). A failure never returns part of a table.
 *
 * @example
 * ```ts
 * const table = await readTable("ref.csv.gz", { columns: ["age", "zip"], text: new Set(["zip"]) });
 * const age = table.columns.get("age");
 * if (age?.kind === "numeric") console.log(age.values.length, age.missing);
 * ```
 */
export async function readTable(file: string, options: ReadTableOptions = {}): Promise<Table> {
  const plan = planFromOptions(options);
  const { format, gzip } = detectFormat(file);
  const first = await readPass(file, gzip, createParser(format, file, plan), options.onProgress);
  const secondPlan = backfillPlan(first);
  const second =
    secondPlan === undefined
      ? undefined
      : await readPass(file, gzip, createParser(format, file, secondPlan), undefined);
  return assembleTable(file, format, first, second);
}

async function readPass(
  file: string,
  gzip: boolean,
  parser: TableParser,
  onProgress: ((bytesDone: number, bytesTotal: number) => void) | undefined,
): Promise<TableBuilder> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw unreadableFileError(file, error);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory())
      throw unreadableFileError(file, Object.assign(new Error("directory"), { code: "EISDIR" }));
    const total = stats.size;
    const progress = new Progress(total, onProgress);
    const feeder = new ChunkFeeder(parser);
    const kernels = installedCsvKernels();
    if (!gzip && kernels !== null && parser.expectLines !== undefined && total <= COUNT_LIMIT)
      parser.expectLines(await countLines(file, handle, feeder.buffer, kernels));
    if (gzip) await feedGzip(file, handle, total, feeder, progress);
    else await feedPlain(file, handle, feeder, progress);
    feeder.end();
    progress.finish();
    return parser.finish();
  } finally {
    await handle.close();
  }
}

/** LF bytes of the file, plus one when it does not end with LF; positional reads into `buffer`. */
async function countLines(
  file: string,
  handle: FileHandle,
  buffer: Buffer,
  kernels: CsvKernels,
): Promise<number> {
  let position = 0;
  let lines = 0;
  let last = 0x0a;
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, position));
    } catch (error) {
      throw unreadableFileError(file, error);
    }
    if (bytesRead === 0) return lines + (last === 0x0a || position === 0 ? 0 : 1);
    lines += kernels.countNewlines(buffer, 0, bytesRead);
    last = buffer[bytesRead - 1]!;
    position += bytesRead;
  }
}

async function feedPlain(
  file: string,
  handle: FileHandle,
  feeder: ChunkFeeder,
  progress: Progress,
): Promise<void> {
  let done = 0;
  for (;;) {
    const buffer = feeder.buffer;
    const filled = feeder.filled;
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null));
    } catch (error) {
      throw unreadableFileError(file, error);
    }
    if (bytesRead === 0) return;
    done += bytesRead;
    feeder.commit(bytesRead);
    progress.update(done);
    if (feeder.done) return;
  }
}

async function feedGzip(
  file: string,
  handle: FileHandle,
  total: number,
  feeder: ChunkFeeder,
  progress: Progress,
): Promise<void> {
  // An empty file is reported as empty (by the parser) rather than as broken gzip.
  if (total === 0) return;
  const head = Buffer.alloc(2);
  const { bytesRead } = await handle.read(head, 0, 2, 0);
  if (bytesRead < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
    throw badGzipError(file, "it does not start with the gzip signature 1f 8b");
  }
  const input = handle.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false });
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  input.on("error", (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      feeder.add(chunk as Buffer);
      progress.update(input.bytesRead);
      if (feeder.done) return;
    }
  } catch (error) {
    if (isTikTokToeError(error)) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("Z_")) {
      throw badGzipError(file, (error as Error).message, error);
    }
    throw unreadableFileError(file, error);
  } finally {
    input.unpipe(gunzip);
    input.destroy();
    gunzip.destroy();
  }
}

/** Reports progress at most once per {@link PROGRESS_STEP} bytes, and once at the end. */
class Progress {
  private next = PROGRESS_STEP;

  constructor(
    private readonly total: number,
    private readonly callback: ((bytesDone: number, bytesTotal: number) => void) | undefined,
  ) {}

  update(done: number): void {
    if (this.callback === undefined || done < this.next) return;
    this.callback(done, this.total);
    this.next = (Math.floor(done / PROGRESS_STEP) + 1) * PROGRESS_STEP;
  }

  finish(): void {
    this.callback?.(this.total, this.total);
  }
}
