import { TikTokToeError } from "../errors/index.js";
import type { Store } from "../store/index.js";

/**
 * A version's files as a client downloads them (`GET …/versions/{v}/model` and `…/reference`): the
 * ONNX bytes as registered, and the reference rows as uploaded. `tiktoktoe optimize --server` starts
 * from them; so can a retraining job.
 */

/** The media types a reference is uploaded in (see `parseReferenceColumns`). */
export type ReferenceMediaType = "text/csv" | "application/x-ndjson";

/**
 * The `reference-rows` artifact: the upload's media type on the first line, then its bytes untouched.
 * The type travels with the bytes because the port keeps one artifact per kind (and no delete): a CSV
 * upload replaced by an NDJSON one must not be served as CSV.
 *
 * @example
 * ```ts
 * await store.putArtifact(model, version, "reference-rows", encodeReferenceRows(bytes, "text/csv"));
 * ```
 */
export function encodeReferenceRows(bytes: Uint8Array, mediaType: string): Uint8Array {
  const head = Buffer.from(`${mediaType}\n`, "utf8");
  return Buffer.concat([head, bytes]);
}

/**
 * The inverse of {@link encodeReferenceRows}.
 *
 * @example
 * ```ts
 * const { mediaType, bytes } = decodeReferenceRows(stored);
 * ```
 */
export function decodeReferenceRows(stored: Uint8Array): {
  mediaType: ReferenceMediaType;
  bytes: Uint8Array;
} {
  const newline = stored.indexOf(0x0a);
  const mediaType = Buffer.from(stored.subarray(0, Math.max(0, newline))).toString("utf8");
  if (newline < 0 || (mediaType !== "text/csv" && mediaType !== "application/x-ndjson"))
    throw new Error(
      `a reference-rows artifact must start with its media type, got "${mediaType.slice(0, 40)}"`,
    );
  return { mediaType, bytes: stored.subarray(newline + 1) };
}

/** The slice of the service these reads need: the 404s of an unknown model or version. */
export interface ModelFilesService {
  modelVersion(model: string, version: string): unknown;
  readonly store: Pick<Store, "getArtifact">;
}

/**
 * A version's ONNX model as registered. NOT_FOUND names what is missing: the model, the version, or
 * the file (a version registered without `onnx`).
 *
 * @example
 * ```ts
 * const bytes = await versionModelFile(service, "digits", "1");
 * ```
 */
export async function versionModelFile(
  service: ModelFilesService,
  model: string,
  version: string,
): Promise<Uint8Array> {
  service.modelVersion(model, version);
  const bytes = await service.store.getArtifact(model, version, "onnx");
  if (bytes === undefined)
    throw new TikTokToeError("NOT_FOUND", `version "${version}" of model "${model}" has no ONNX model`, {
      path: version,
      hint: `register a version with its model: POST /v1/models/${model}/versions with onnx (base64)`,
    });
  return bytes;
}

/**
 * A version's reference rows as uploaded, with their media type. NOT_FOUND when the model, the
 * version or the reference is missing — and for a reference uploaded before rows were kept (its
 * profile alone cannot give rows back).
 *
 * @example
 * ```ts
 * const { mediaType, bytes } = await versionReferenceRows(service, "digits", "1");
 * ```
 */
export async function versionReferenceRows(
  service: ModelFilesService,
  model: string,
  version: string,
): Promise<{ mediaType: ReferenceMediaType; bytes: Uint8Array }> {
  service.modelVersion(model, version);
  const stored = await service.store.getArtifact(model, version, "reference-rows");
  if (stored !== undefined) return decodeReferenceRows(stored);
  const profile = await service.store.getArtifact(model, version, "reference-profile");
  throw new TikTokToeError(
    "NOT_FOUND",
    profile === undefined
      ? `version "${version}" of model "${model}" has no reference`
      : `the reference of version "${version}" of model "${model}" was uploaded before its rows were kept`,
    {
      path: version,
      hint: `upload it${profile === undefined ? "" : " again"}: PUT /v1/models/${model}/versions/${version}/reference (CSV or NDJSON)`,
    },
  );
}
