/**
 * The dashboard's view of the HTTP API. Its types come from the contract (src/contract), the zod
 * schemas the server validates with and generates /openapi.json from: type imports only, erased at
 * compile time, so the UI still talks HTTP alone and loads no server code and no zod
 * (src/architecture.test.ts keeps it that way).
 */

export type {
  Alert,
  AttributeFairness,
  Comparison,
  DriftColumn,
  DriftMatrix,
  DriftReport,
  Estimate,
  FairnessReport,
  Health,
  HealthReason,
  HealthReport,
  Histogram,
  Interval,
  ModelRecord,
  Overview,
  OverviewModel,
  RateEstimate,
  ReportSummary,
  Series,
  Severity,
  Silence,
  VersionSeries,
} from "../contract/index.js";

/** An API error as the server words it (code, message, where, what to do). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  if (response.status === 401) {
    // The session ended: log in again and come back here.
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, "UNAUTHORIZED", "the session has ended");
  }
  const body = (await response.json()) as T;
  if (!response.ok) {
    const error = body as { code?: string; message?: string; hint?: string };
    throw new ApiError(
      response.status,
      error.code ?? "HTTP",
      error.message ?? response.statusText,
      error.hint,
    );
  }
  return body;
}

/** GET a JSON resource of the API. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(
    await fetch(path, {
      headers: { accept: "application/json" },
      credentials: "same-origin",
      ...(signal ? { signal } : {}),
    }),
  );
}

/** POST (or DELETE) JSON; the header marks the request as the dashboard's own (the CSRF check). */
export async function sendJson<T>(method: "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json", "x-tiktoktoe-csrf": "1" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}
