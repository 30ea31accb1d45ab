/** The slice of a stream the CLI writes to; tests pass buffers. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Where a command reads and writes: the process's streams in production, buffers in tests. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes of every command, documented in `tiktoktoe --help` and docs/cli.md. */
export const exitCodes = {
  ok: 0,
  /** The check failed: drift reached `--fail-on`. */
  failed: 1,
  /** Usage or input error: nothing was written. */
  usage: 2,
  /** A bug (EX_SOFTWARE). */
  internal: 70,
} as const;
