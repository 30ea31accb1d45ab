/**
 * Dictionary encoding of text cells that mostly skips decoding: a repeated cell is recognised from
 * its bytes, so a categorical column costs a hash and a compare per cell instead of a string.
 */

/** Distinct byte spellings remembered per column; past this a column is mostly unique values (ids)
 * and caching them would only cost memory, so further new values take the plain string path. */
const MAX_CACHED = 1 << 16;

/**
 * The categories of one text column, in first-seen order, with a string map for texts that arrive
 * as strings and a byte-keyed cache (open addressing over an arena of raw UTF-8) in front of it for
 * texts that arrive as bytes. Both paths give the same code for the same text.
 *
 * @example
 * ```ts
 * const dictionary = new TextDictionary();
 * const bytes = Buffer.from("red,blue,red");
 * dictionary.codeOfBytes(bytes, 0, 3); // 0
 * dictionary.codeOf("blue"); // 1
 * dictionary.codeOfBytes(bytes, 9, 12); // 0
 * dictionary.categories; // ["red", "blue"]
 * ```
 */
export class TextDictionary {
  /** Distinct texts in first-seen order; a code indexes it. */
  readonly categories: string[] = [];
  private readonly codes = new Map<string, number>();
  /** Slot → cached entry + 1 (0: empty). Twice the entry capacity keeps probes short. */
  private slots = new Int32Array(64);
  private entryHash = new Int32Array(32);
  private entryStart = new Int32Array(32);
  private entryLength = new Int32Array(32);
  private entryCode = new Int32Array(32);
  private entries = 0;
  private arena = new Uint8Array(1024);
  private arenaUsed = 0;

  /** The code of `text`, adding it when new. */
  codeOf(text: string): number {
    let code = this.codes.get(text);
    if (code === undefined) {
      code = this.categories.length;
      this.categories.push(text);
      this.codes.set(text, code);
    }
    return code;
  }

  /** The code of the UTF-8 text in `buf[start, end)`, adding it when new. */
  codeOfBytes(buf: Buffer, start: number, end: number): number {
    const length = end - start;
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]! - 1;
      if (entry < 0) break;
      if (
        this.entryHash[entry] === hash &&
        this.entryLength[entry] === length &&
        this.matches(entry, buf, start)
      ) {
        return this.entryCode[entry]!;
      }
      slot = (slot + 1) & mask;
    }
    const code = this.codeOf(buf.toString("utf8", start, end));
    if (this.entries < MAX_CACHED) this.remember(slot, hash, buf, start, length, code);
    return code;
  }

  private matches(entry: number, buf: Buffer, start: number): boolean {
    const arena = this.arena;
    const from = this.entryStart[entry]!;
    const length = this.entryLength[entry]!;
    for (let k = 0; k < length; k++) if (arena[from + k] !== buf[start + k]) return false;
    return true;
  }

  private remember(
    slot: number,
    hash: number,
    buf: Buffer,
    start: number,
    length: number,
    code: number,
  ): void {
    if (this.arenaUsed + length > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      arena.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = arena;
    }
    this.arena.set(buf.subarray(start, start + length), this.arenaUsed);
    const entry = this.entries++;
    if (entry >= this.entryHash.length) this.growEntries();
    this.entryHash[entry] = hash;
    this.entryStart[entry] = this.arenaUsed;
    this.entryLength[entry] = length;
    this.entryCode[entry] = code;
    this.arenaUsed += length;
    if (this.entries * 2 > this.slots.length) this.rehash();
    else this.slots[slot] = entry + 1;
  }

  private growEntries(): void {
    const size = this.entryHash.length * 2;
    const grow = (array: Int32Array): Int32Array<ArrayBuffer> => {
      const bigger = new Int32Array(size);
      bigger.set(array);
      return bigger;
    };
    this.entryHash = grow(this.entryHash);
    this.entryStart = grow(this.entryStart);
    this.entryLength = grow(this.entryLength);
    this.entryCode = grow(this.entryCode);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.entries; entry++) {
      let slot = this.entryHash[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}
