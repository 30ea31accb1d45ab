import { qualityValue, type ReferenceQuality } from "../monitor/index.js";
import type { Store } from "../store/index.js";

/** The reference's quality metric of one version, as the series and versions answers give it. */
export interface ReferenceQualityAnswer {
  readonly version: string;
  /** The configured metric (`metrics.quality.metric`). */
  readonly metric: string;
  /** Its value on the reference, null when the reference lacks it (e.g. ROC AUC without scores). */
  readonly value: number | null;
  /** Reference rows with both a prediction and a target. */
  readonly labelled: number;
}

/**
 * The reference's quality per version, kept as the `reference-quality` artifact beside the profile
 * (written at the reference upload) and cached here: a version's reference changes only by a new
 * upload, which goes through {@link ReferenceQualities.put}.
 *
 * @example
 * ```ts
 * const qualities = new ReferenceQualities(store);
 * await qualities.put("bike", "2011", { labelled: 8645, quality: { mae: 23.6 } });
 * await qualities.answer("bike", "2011", "mae"); // { version: "2011", metric: "mae", value: 23.6, labelled: 8645 }
 * ```
 */
export class ReferenceQualities {
  private readonly cache = new Map<string, ReferenceQuality | null>();

  constructor(private readonly store: Pick<Store, "putArtifact" | "getArtifact">) {}

  /** Stores a version's reference quality (null: the upload had no prediction/target pair). */
  async put(model: string, version: string, quality: ReferenceQuality | null): Promise<void> {
    await this.store.putArtifact(
      model,
      version,
      "reference-quality",
      Buffer.from(JSON.stringify({ version: 1, reference: quality })),
    );
    this.cache.set(key(model, version), quality);
  }

  /** Drops a version's cached quality (another replica uploaded its reference). */
  forget(model: string, version: string): void {
    this.cache.delete(key(model, version));
  }

  /** A version's reference quality, or null without one. */
  async get(model: string, version: string): Promise<ReferenceQuality | null> {
    const k = key(model, version);
    if (this.cache.has(k)) return this.cache.get(k) ?? null;
    const bytes = await this.store.getArtifact(model, version, "reference-quality");
    let quality: ReferenceQuality | null = null;
    if (bytes !== undefined) {
      const json = JSON.parse(Buffer.from(bytes).toString("utf8")) as { reference?: ReferenceQuality | null };
      quality = json.reference ?? null;
    }
    this.cache.set(k, quality);
    return quality;
  }

  /** The configured metric on a version's reference, or null when the reference has no quality. */
  async answer(model: string, version: string, metric: string): Promise<ReferenceQualityAnswer | null> {
    const quality = await this.get(model, version);
    if (quality === null) return null;
    return { version, metric, value: qualityValue(quality.quality, metric), labelled: quality.labelled };
  }
}

const key = (model: string, version: string) => `${model}\u0000${version}`;
