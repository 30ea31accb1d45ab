/**
 * Turns a stream of arbitrary chunks into the large, record-aligned pushes a {@link TableParser}
 * wants, keeping the unfinished tail of each push for the next.
 */
import { TikTokToeError } from "../errors/index.js";
import type { TableParser } from "./table-parser.js";

/** Large enough that per-push costs vanish, small enough to stay in the CPU caches' neighbourhood. */
const DEFAULT_SIZE = 4 << 20;

/**
 * Collects bytes in one buffer and hands it to the parser whenever it is full; the incomplete record
 * at the end moves to the front. A record longer than the buffer doubles it, so any record fits.
 * Bytes can be appended by copying ({@link ChunkFeeder.add}) or read straight into the free space
 * ({@link ChunkFeeder.buffer} from {@link ChunkFeeder.filled}, then {@link ChunkFeeder.commit}).
 *
 * @example
 * ```ts
 * const feeder = new ChunkFeeder(parser);
 * for await (const chunk of gunzip) feeder.add(chunk);
 * feeder.end();
 * ```
 */
export class ChunkFeeder {
  private bytes: Buffer;
  private length = 0;

  constructor(
    private readonly parser: TableParser,
    size: number = DEFAULT_SIZE,
  ) {
    this.bytes = Buffer.allocUnsafe(Math.max(1, size));
  }

  /** The buffer to read into, from {@link ChunkFeeder.filled} to its end. */
  get buffer(): Buffer {
    return this.bytes;
  }

  /** Bytes held and not yet consumed by the parser. */
  get filled(): number {
    return this.length;
  }

  /** True once the parser wants no more input. */
  get done(): boolean {
    return this.parser.done;
  }

  /** Accounts for `count` bytes just written into the free space; parses when the buffer is full. */
  commit(count: number): void {
    this.length += count;
    if (this.length >= this.bytes.length) this.flush();
  }

  /** Copies `chunk` in, parsing as the buffer fills. */
  add(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length && !this.parser.done) {
      const count = Math.min(this.bytes.length - this.length, chunk.length - offset);
      this.bytes.set(chunk.subarray(offset, offset + count), this.length);
      offset += count;
      this.commit(count);
    }
  }

  /** Parses what is left as the end of the input. */
  end(): void {
    if (this.parser.done) return;
    const used = this.parser.push(this.bytes.subarray(0, this.length), 0, this.length, true);
    if (used !== this.length && !this.parser.done) {
      throw new TikTokToeError(
        "INTERNAL",
        `parser stopped at byte ${used} of ${this.length} at the end of input`,
      );
    }
    this.length = 0;
  }

  private flush(): void {
    const used = this.parser.push(this.bytes, 0, this.length, false);
    if (this.parser.done) return;
    const rest = this.length - used;
    if (used > 0) this.bytes.copyWithin(0, used, this.length);
    this.length = rest;
    if (rest === this.bytes.length) {
      const bigger = Buffer.allocUnsafe(this.bytes.length * 2);
      this.bytes.copy(bigger, 0, 0, rest);
      this.bytes = bigger;
    }
  }
}
