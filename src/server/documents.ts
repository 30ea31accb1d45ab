import type { ServerResponse } from "node:http";
import type {
  DeploymentChange,
  HealthReport,
  ModelRecord,
  ReportSummary,
  VersionRecord,
  WindowSummary,
} from "../contract/index.js";
import {
  buildHealthDoc,
  buildModelCard,
  type CardSource,
  type DocumentFormat,
  documentMediaTypes,
  gatherHealth,
  gatherModelCard,
  type HealthSource,
  type ReportDocument,
  renderDocument,
  versionEventsFromDeployment,
} from "../report/index.js";
import type { MonitorService } from "./monitor-service.js";

/** Where a card reads a version's stage moves and rollouts from (the server's deployment service). */
export interface DeploymentHistorySource {
  history(model: string): Promise<readonly DeploymentChange[]>;
}

/**
 * The card's inputs read from the service directly: the same values `GET /v1/models/…` answers
 * (the CLI reads them over HTTP), so a card served here and one written by the CLI agree.
 */
export function serviceCardSource(
  service: MonitorService,
  deployments?: DeploymentHistorySource,
): CardSource {
  return {
    ...(deployments === undefined
      ? {}
      : {
          history: async (model: string, version: string) =>
            versionEventsFromDeployment(model, version, await deployments.history(model)),
        }),
    model: async (model) => service.model(model) as ModelRecord,
    versions: async (model) => (await service.listVersions(model)) as VersionRecord[],
    windows: async (model, version) =>
      (await service.windows(
        model,
        Number.NEGATIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        version,
      )) as WindowSummary[],
    rules: async (model, version) => {
      const series = await service.series(
        model,
        { fromMs: Number.NEGATIVE_INFINITY, toMs: Number.POSITIVE_INFINITY },
        version,
        2,
      );
      return { quality: series.quality, latency: series.latency };
    },
    drift: (model, startMs, version) => service.windowDriftReport(model, startMs, version),
  };
}

/** The stored health reports, read from the service (`GET /v1/models/{m}/reports[/{id}]`). */
export function serviceHealthSource(service: MonitorService): HealthSource {
  return {
    list: async (model, fromMs, toMs) =>
      (await service.listReports(model, fromMs, toMs, 10_000)) as ReportSummary[],
    // The service's report is the contract's HealthReport (its JSON answer); only the CBPE type is
    // declared more precisely there.
    get: async (model, id) => (await service.getReport(model, id)) as unknown as HealthReport,
  };
}

/**
 * A version's model card, built now from the service's answers.
 *
 * @example
 * ```ts
 * const card = await modelCard(service, "bike", "2011", Date.now());
 * ```
 */
export async function modelCard(
  service: MonitorService,
  model: string,
  version: string,
  nowMs: number,
  deployments?: DeploymentHistorySource,
): Promise<ReportDocument> {
  return buildModelCard(
    await gatherModelCard(serviceCardSource(service, deployments), model, version),
    nowMs,
  );
}

/**
 * The health document of a model over [fromMs, toMs), from its stored reports.
 *
 * @example
 * ```ts
 * const doc = await healthDocument(service, "bike", from, to, Date.now());
 * ```
 */
export async function healthDocument(
  service: MonitorService,
  model: string,
  fromMs: number,
  toMs: number,
  nowMs: number,
): Promise<ReportDocument> {
  return buildHealthDoc(await gatherHealth(serviceHealthSource(service), model, fromMs, toMs), nowMs);
}

/** Sends a document in `format` with its media type. */
export function sendDocument(
  response: ServerResponse,
  document: ReportDocument,
  format: DocumentFormat,
): void {
  const body = renderDocument(document, format);
  response.writeHead(200, {
    "content-type": documentMediaTypes[format],
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}
