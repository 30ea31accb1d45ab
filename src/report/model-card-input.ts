/**
 * What a model card is built from (the API's answers, as {@link ModelCardInput}) and how it is read:
 * the {@link CardSource} port that the CLI (over HTTP) and the server (from its service) implement,
 * and {@link gatherModelCard}, the one place that awaits it. Everything after this is pure.
 */
import type { DeploymentChange, ModelRecord, VersionRecord, WindowSummary } from "../contract/index.js";
import type { DriftReport } from "../drift/index.js";
import { TikTokToeError } from "../errors/index.js";
import type { Source } from "./document.js";

/**
 * One entry of a version's history: registered, promoted to a stage, rolled back, retired. Only the
 * registration is recorded today; deployment stages and rollouts (src/deploy) fill the rest later
 * through {@link CardSource.history}, each entry naming the record it came from.
 *
 * @example
 * ```ts
 * const e: VersionEvent = { timeMs: 0, action: "promoted", stage: "production", actor: "ana", reason: "canary passed", source: { ref: "GET /v1/models/bike/deployments" } };
 * ```
 */
export interface VersionEvent {
  readonly timeMs: number;
  /** e.g. `registered`, `promoted`, `rolled back`, `retired`. */
  readonly action: string;
  readonly stage?: string;
  readonly actor?: string;
  readonly reason?: string;
  readonly source: Source;
}

/**
 * The entries of a model's deployment history (`GET /v1/models/{model}/deployment/history`) that
 * concern `version`, as a card's history: each stage move, rollout step, rollback or promotion with who
 * asked and why. Entries about other versions (the production a rollout replaced, say) stay out.
 *
 * @example
 * ```ts
 * const events = versionEventsFromDeployment("cancer", "2", (await history("cancer")).history);
 * ```
 */
export function versionEventsFromDeployment(
  model: string,
  version: string,
  changes: readonly DeploymentChange[],
): VersionEvent[] {
  const ref = `GET /v1/models/${model}/deployment/history`;
  return changes
    .filter((c) => c.version === version)
    .map((c) => ({
      timeMs: c.atMs,
      action: c.action,
      ...(c.to === null ? {} : { stage: c.to }),
      actor: c.by,
      reason: c.reason,
      source: { ref, ...(c.rollout === null ? {} : { detail: `rollout ${c.rollout}` }) },
    }));
}

/** The quality rule of the model's configuration (`metrics.quality`), as `/series` answers it. */
export interface QualitySpec {
  readonly metric: string;
  readonly threshold: number;
  readonly direction: string;
}

/**
 * Everything a model card is built from: the API's answers, read by {@link gatherModelCard}.
 *
 * @example
 * ```ts
 * const doc = buildModelCard(await gatherModelCard(source, "bike"), Date.now());
 * ```
 */
export interface ModelCardInput {
  readonly model: ModelRecord;
  readonly version: VersionRecord;
  /** The version's windows, oldest first. */
  readonly windows: readonly WindowSummary[];
  readonly quality: QualitySpec;
  readonly latency: { readonly percentile: number; readonly thresholdMs: number };
  /** The full drift report of the newest window with drift, and that window's start; null without. */
  readonly drift: { readonly startMs: number; readonly report: DriftReport } | null;
  /** Entries beyond the registration (promotions, rollbacks), oldest first; empty today. */
  readonly history: readonly VersionEvent[];
}

/**
 * What a card is read from: the API's answers. The CLI reads them over HTTP, the server from its own
 * service; both pass the same values, so a card says what `GET /v1/…` says.
 *
 * @example
 * ```ts
 * const source: CardSource = { model: (m) => get(`/v1/models/${m}`), … };
 * ```
 */
export interface CardSource {
  model(model: string): Promise<ModelRecord>;
  versions(model: string): Promise<readonly VersionRecord[]>;
  windows(model: string, version: string): Promise<readonly WindowSummary[]>;
  /** The configured quality and latency rules (`GET /v1/models/{m}/series`). */
  rules(
    model: string,
    version: string,
  ): Promise<{ quality: QualitySpec; latency: { percentile: number; thresholdMs: number } }>;
  drift(model: string, startMs: number, version: string): Promise<DriftReport>;
  /** Stage changes and rollbacks (src/deploy); absent until they exist. */
  history?(model: string, version: string): Promise<readonly VersionEvent[]>;
}

/**
 * Reads a card's input through `source`: the version (default the newest registered), its windows,
 * the rules and the newest drift report. Throws what the source throws (an unknown model or version
 * is the source's NOT_FOUND).
 *
 * @example
 * ```ts
 * const input = await gatherModelCard(source, "bike", "2011");
 * ```
 */
export async function gatherModelCard(
  source: CardSource,
  modelName: string,
  versionName?: string,
): Promise<ModelCardInput> {
  const model = await source.model(modelName);
  const versions = await source.versions(modelName);
  const version =
    versionName === undefined
      ? [...versions].sort((a, b) => b.createdMs - a.createdMs)[0]
      : versions.find((v) => v.version === versionName);
  if (version === undefined)
    throw new TikTokToeError(
      "NOT_FOUND",
      versionName === undefined
        ? `model "${modelName}" has no version yet`
        : `model "${modelName}" has no version "${versionName}"`,
      { path: versionName ?? modelName, hint: `GET /v1/models/${modelName}/versions lists them` },
    );
  const windows = await source.windows(modelName, version.version);
  const rules = await source.rules(modelName, version.version);
  const withDrift = [...windows].reverse().find((w) => w.drift !== null && w.drift !== undefined);
  const drift =
    withDrift === undefined
      ? null
      : {
          startMs: withDrift.startMs,
          report: await source.drift(modelName, withDrift.startMs, version.version),
        };
  const history = (await source.history?.(modelName, version.version)) ?? [];
  return { model, version, windows, ...rules, drift, history };
}
