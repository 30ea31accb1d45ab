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

interface Loaded {
  kernels: NativeKernels | null;
  csv: CsvKernels | null;
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
      status: {
        loaded: false,
        reason: "not built (`npm run build` builds native/ when a C compiler is there)",
      },
    };
  }
  try {
    const addon = require(path) as Partial<
      NativeKernels & { csvNumericRows: CsvNumericKernel; countNewlines: CsvKernels["countNewlines"] }
    >;
    if (
      typeof addon.sortFinite !== "function" ||
      typeof addon.ksWasserstein !== "function" ||
      typeof addon.csvNumericRows !== "function" ||
      typeof addon.countNewlines !== "function"
    )
      return {
        kernels: null,
        csv: null,
        status: { loaded: false, reason: `${path} lacks the expected functions` },
      };
    return {
      kernels: { sortFinite: addon.sortFinite, ksWasserstein: addon.ksWasserstein },
      csv: { numericRows: addon.csvNumericRows, countNewlines: addon.countNewlines },
      status: { loaded: true, path },
    };
  } catch (error) {
    return {
      kernels: null,
      csv: null,
      status: {
        loaded: false,
        reason: `failed to load: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
}
