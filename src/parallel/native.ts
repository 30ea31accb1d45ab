import { createRequire } from "node:module";
import { type CsvKernels, type CsvNumericKernel, useCsvKernels } from "../data/index.js";
import { type NativeKernels, useNativeKernels } from "../stats/kernels.js";

/**
 * Where the optional native drift kernels are (built from native/ by `npm run build`, through
 * tools/build-native.mjs), relative to this module in dist/parallel/.
 */
const ADDON = "../../native/build/Release/tiktoktoe_native.node";

/** Whether the native kernels are in use, and why not when they are not. */
export type NativeKernelStatus =
  | { readonly loaded: true; readonly path: string }
  | { readonly loaded: false; readonly reason: string };

/**
 * The addon's compiled update loop of the one-output linear models, `learnRows`: the shape of
 * `LearnRowsKernel` in src/learn/learn-kernel.ts (declared again here, as the parallel layer does not
 * import learn; TypeScript checks the two match where a caller passes one to `useLearnKernel`).
 */
export type NativeLearnKernel = (
  state: Float64Array,
  io: Float64Array,
  numeric: Float64Array,
  slots: Int32Array,
  labels: Float64Array | null,
  weights: Float64Array | null,
) => void;

/**
 * The addon's validating NDJSON scanner of event batches (native/ndjson.c): `model` compiles what it
 * needs to know of a model (once per model and version list), `scan` answers the number of events of
 * a body that is certainly valid, or -1 when it is not sure (the JavaScript parser then decides).
 * The server wraps it in src/server/ingest/event-scan.ts.
 */
export interface NativeEventScan {
  readonly model: (
    classifier: boolean,
    columns: readonly string[],
    kinds: Uint8Array,
    versions: readonly string[],
    classes: readonly string[] | null,
  ) => unknown;
  readonly scan: (
    model: unknown,
    body: Uint8Array,
    minMs: number,
    maxMs: number,
    oldestMs: number,
    newestMs: number,
  ) => number;
}

interface Loaded {
  kernels: NativeKernels | null;
  csv: CsvKernels | null;
  learn: NativeLearnKernel | null;
  exp: ((values: Float64Array, out: Float64Array) => void) | null;
  eventScan: NativeEventScan | null;
  status: NativeKernelStatus;
}

let cached: Loaded | undefined;

/**
 * The native drift kernels of this platform's build of native/, or null when they are switched off
 * (`TIKTOKTOE_NATIVE=0`), not built (no C compiler at install), or fail to load; the JavaScript
 * kernels then do the same work with the same results. Loaded once per thread.
 *
 * @example
 * ```ts
 * const kernels = loadNativeKernels(); // null → the JavaScript kernels
 * ```
 */
export function loadNativeKernels(): NativeKernels | null {
  cached ??= load();
  return cached.kernels;
}

/**
 * Whether {@link loadNativeKernels} finds the kernels, with the reason when it does not (for the
 * benchmark report and diagnostics).
 *
 * @example
 * ```ts
 * nativeKernelStatus(); // { loaded: true, path: "/…/tiktoktoe_native.node" }
 * ```
 */
export function nativeKernelStatus(): NativeKernelStatus {
  cached ??= load();
  return cached.status;
}

/**
 * The native CSV kernels (record scanner, newline counter) from the same addon, or null when the
 * drift kernels are (same reasons); the JavaScript parser then reads every record, with the same
 * results.
 *
 * @example
 * ```ts
 * useCsvKernels(loadNativeCsvKernels());
 * ```
 */
export function loadNativeCsvKernels(): CsvKernels | null {
  cached ??= load();
  return cached.csv;
}

/**
 * The native update loop of the online linear models (binary and regression) from the same addon, or
 * null when the drift kernels are (same reasons); install it with `useLearnKernel` (src/learn). The
 * models it makes are bit for bit the JavaScript loop's.
 *
 * @example
 * ```ts
 * useLearnKernel(loadNativeLearnKernel());
 * ```
 */
export function loadNativeLearnKernel(): NativeLearnKernel | null {
  cached ??= load();
  return cached.learn;
}

/**
 * The addon's fdlibm `exp` (the one its learner's sigmoid uses), for the test that it gives Math.exp's
 * bits; null when the addon is not loaded.
 *
 * @example
 * ```ts
 * loadNativeExp()?.(new Float64Array([1]), out); // out[0] === Math.exp(1)
 * ```
 */
export function loadNativeExp(): ((values: Float64Array, out: Float64Array) => void) | null {
  cached ??= load();
  return cached.exp;
}

/**
 * The native scanner of event batches from the same addon, or null when the drift kernels are not
 * loaded (same reasons) or the addon predates it; the API role then validates every batch with the
 * JavaScript parser, with the same answers.
 *
 * @example
 * ```ts
 * const scan = loadNativeEventScan(); // null → parseEventBatch alone
 * ```
 */
export function loadNativeEventScan(): NativeEventScan | null {
  cached ??= load();
  return cached.eventScan;
}

/**
 * Loads the native kernels and installs them as this thread's default (see `useNativeKernels` and
 * `useCsvKernels`); returns whether they are in use. Worker threads of {@link WorkerPool} call
 * it when they start.
 *
 * @example
 * ```ts
 * enableNativeKernels(); // true when native/ was built
 * ```
 */
export function enableNativeKernels(): boolean {
  const kernels = loadNativeKernels();
  useNativeKernels(kernels);
  useCsvKernels(loadNativeCsvKernels());
  return kernels !== null;
}

function load(): Loaded {
  if (process.env.TIKTOKTOE_NATIVE === "0")
    return {
      kernels: null,
      csv: null,
      learn: null,
      exp: null,
      eventScan: null,
      status: { loaded: false, reason: "switched off by TIKTOKTOE_NATIVE=0" },
    };
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve(ADDON);
  } catch {
    return {
      kernels: null,
      csv: null,
      learn: null,
      exp: null,
      eventScan: null,
      status: {
        loaded: false,
        reason: "not built (`npm run build` builds native/ when a C compiler is there)",
      },
    };
  }
  try {
    const addon = require(path) as Partial<
      NativeKernels & {
        csvNumericRows: CsvNumericKernel;
        countNewlines: CsvKernels["countNewlines"];
        learnRows: NativeLearnKernel;
        fdlibmExp: (values: Float64Array, out: Float64Array) => void;
        eventScanModel: NativeEventScan["model"];
        scanEvents: NativeEventScan["scan"];
      }
    >;
    if (
      typeof addon.sortFinite !== "function" ||
      typeof addon.ksWasserstein !== "function" ||
      typeof addon.csvNumericRows !== "function" ||
      typeof addon.countNewlines !== "function" ||
      typeof addon.learnRows !== "function" ||
      typeof addon.fdlibmExp !== "function"
    )
      return {
        kernels: null,
        csv: null,
        learn: null,
        exp: null,
        eventScan: null,
        status: { loaded: false, reason: `${path} lacks the expected functions` },
      };
    return {
      kernels: { sortFinite: addon.sortFinite, ksWasserstein: addon.ksWasserstein },
      csv: { numericRows: addon.csvNumericRows, countNewlines: addon.countNewlines },
      learn: addon.learnRows,
      exp: addon.fdlibmExp,
      // Optional: an addon built before the scanner still serves the other kernels.
      eventScan:
        typeof addon.eventScanModel === "function" && typeof addon.scanEvents === "function"
          ? { model: addon.eventScanModel, scan: addon.scanEvents }
          : null,
      status: { loaded: true, path },
    };
  } catch (error) {
    return {
      kernels: null,
      csv: null,
      learn: null,
      exp: null,
      eventScan: null,
      status: {
        loaded: false,
        reason: `failed to load: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
}
