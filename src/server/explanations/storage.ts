import type { ArtifactKind, Store } from "../../store/index.js";
import type { ReferenceImportance, WindowResult } from "./types.js";

/**
 * What the explanations keep in the store: a document per explained window (the cache) and an
 * artifact per version (the reference's importance). The formats are versioned (`v: 1`) because
 * they outlive the process that wrote them.
 */

/**
 * The document collection of a model's cached window explanations; documents are timed by the
 * window's start, so retention deletes them with the windows.
 *
 * @example
 * ```ts
 * explanationCollection("cancer"); // "explanations:cancer"
 * ```
 */
export const explanationCollection = (model: string) => `explanations:${model}`;

/** What is cached per window (the reference's importance is not part of it: it may be uploaded again). */
export interface CachedWindow {
  readonly v: 1;
  readonly count: number;
  /** Linear models: which background centred the attributions (the reference profile's hash, or the window). */
  readonly background: string;
  readonly result: WindowResult;
}

/** The reference's importance as stored: computed, or skipped with the reason. */
export type StoredReference =
  | ({ readonly v: 1; readonly status: "ok" } & ReferenceImportance)
  | { readonly v: 1; readonly status: "skipped"; readonly note: string };

/** The reference's importance, stored with the version like its profile. */
const REFERENCE_KIND: ArtifactKind = "reference-importance";

/** A window's document key in {@link explanationCollection}. */
const windowKey = (version: string, startMs: number) => `${version}/${startMs}`;

/**
 * The cached explanation of a version's window, whatever it was computed from; undefined when none.
 *
 * @example
 * ```ts
 * const entry = await readCachedWindow(store, "cancer", "1", startMs);
 * entry?.result.importances; // the window's importances as last computed
 * ```
 */
export async function readCachedWindow(
  store: Pick<Store, "getDocument">,
  model: string,
  version: string,
  startMs: number,
): Promise<CachedWindow | undefined> {
  const document = await store.getDocument(explanationCollection(model), windowKey(version, startMs));
  return document === undefined ? undefined : (JSON.parse(document.body) as CachedWindow);
}

/**
 * The cached result when it was computed from the same rows: the same label (or event) count and,
 * for a linear model, the same background. Otherwise the window is computed again.
 */
export function currentResult(
  entry: CachedWindow | undefined,
  count: number,
  background: string,
): WindowResult | undefined {
  if (entry === undefined) return undefined;
  return entry.v === 1 && entry.count === count && entry.background === background ? entry.result : undefined;
}

/** Stores a window's explanation, timed by the window's start (see {@link explanationCollection}). */
export async function writeCachedWindow(
  store: Pick<Store, "putDocument">,
  model: string,
  version: string,
  startMs: number,
  cached: Omit<CachedWindow, "v">,
): Promise<void> {
  const entry: CachedWindow = { v: 1, ...cached };
  await store.putDocument({
    collection: explanationCollection(model),
    key: windowKey(version, startMs),
    timeMs: startMs,
    body: JSON.stringify(entry),
  });
}

/** The version's stored reference importance; undefined when the reference was never explained. */
export async function readStoredReference(
  store: Pick<Store, "getArtifact">,
  model: string,
  version: string,
): Promise<StoredReference | undefined> {
  const bytes = await store.getArtifact(model, version, REFERENCE_KIND);
  return bytes === undefined
    ? undefined
    : (JSON.parse(Buffer.from(bytes).toString("utf8")) as StoredReference);
}

/** Stores the version's reference importance, replacing the one of an earlier upload. */
export async function writeStoredReference(
  store: Pick<Store, "putArtifact">,
  model: string,
  version: string,
  stored: StoredReference,
): Promise<void> {
  await store.putArtifact(model, version, REFERENCE_KIND, Buffer.from(JSON.stringify(stored)));
}
