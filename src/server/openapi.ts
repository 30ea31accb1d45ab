/**
 * The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`. Kept beside the routes
 * (app.ts); a test checks that every route is described.
 */
export const openapi = {
  openapi: "3.1.0",
  info: { title: "TikTokToe monitoring API", version: "1" },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: {
      Error: {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: { type: "string", description: "stable code, see docs/errors.md" },
          message: { type: "string" },
          location: { type: "object" },
          hint: { type: "string" },
          problems: {
            type: "array",
            items: {
              type: "object",
              properties: {
                line: { type: "integer" },
                field: { type: "string" },
                code: { type: "string" },
                message: { type: "string" },
              },
            },
          },
        },
      },
      IngestResult: {
        type: "object",
        properties: {
          accepted: { type: "integer" },
          duplicates: { type: "integer" },
          unmatched: { type: "integer" },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    "/healthz": { get: { summary: "Liveness", responses: { "200": { description: "alive" } } } },
    "/readyz": {
      get: {
        summary: "Readiness (store open, log replayed)",
        responses: { "200": { description: "ready" } },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus exposition (scope read)",
        responses: { "200": { description: "text/plain; version=0.0.4" } },
      },
    },
    "/openapi.json": {
      get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } },
    },
    "/v1/models": {
      get: { summary: "List models (scope read)", responses: { "200": { description: "models" } } },
      post: {
        summary: "Register a model (scope admin): {name, task, features: [{name, type, role}], classes}",
        responses: {
          "201": { description: "created" },
          "400": { description: "REQUEST_INVALID" },
          "409": { description: "STORE_CONFLICT" },
        },
      },
    },
    "/v1/models/{model}": {
      get: {
        summary: "A model (scope read)",
        responses: { "200": { description: "model" }, "404": { description: "NOT_FOUND" } },
      },
    },
    "/v1/models/{model}/versions": {
      get: { summary: "Versions (scope read)", responses: { "200": { description: "versions" } } },
      post: {
        summary: "Register a version (scope admin): {version, meta, onnx (base64)}",
        responses: { "201": { description: "created" } },
      },
    },
    "/v1/models/{model}/versions/{version}/reference": {
      put: {
        summary:
          "Upload the reference data (scope admin): text/csv or application/x-ndjson with the schema's columns, optional prediction and target",
        responses: {
          "200": { description: "profile stored" },
          "415": { description: "UNSUPPORTED_MEDIA_TYPE" },
        },
      },
    },
    "/v1/models/{model}/events": {
      post: {
        summary:
          "Ingest prediction events (scope ingest): NDJSON or a JSON array; the whole batch is validated first",
        responses: {
          "200": { description: "IngestResult" },
          "400": { description: "INGEST_INVALID with problems" },
          "413": { description: "BODY_TOO_LARGE" },
        },
      },
    },
    "/v1/models/{model}/labels": {
      post: {
        summary: "Ingest labels (scope ingest): {id, value, time?}",
        responses: { "200": { description: "IngestResult" } },
      },
    },
    "/v1/models/{model}/clock": {
      post: {
        summary:
          'Advance the event clock without an event (scope admin; --clock event only): {"time": ISO or epoch ms}, at most monitor.max_clock_jump ahead; closes the windows it passes, so a replay\'s last window holds only its own events',
        responses: {
          "200": { description: "{clock, previous} (ISO 8601); an earlier time leaves the clock unchanged" },
          "400": {
            description: "REQUEST_INVALID: wall clock, no events yet, out of range or beyond the jump bound",
          },
        },
      },
    },
    "/v1/models/{model}/windows": {
      get: {
        summary: "Windows in [from, to) (ISO or epoch ms), optionally of one version (scope read)",
        responses: { "200": { description: "windows" } },
      },
    },
    "/v1/models/{model}/series": {
      get: {
        summary:
          "The dashboard's series: per version quality, latency p50/p95/p99, events, label coverage and the drift heat map, over from/to or last=24h|7d|30d, at most `points` points per version (default 1000; windows merged into buckets beyond it) (scope read)",
        responses: { "200": { description: "series" } },
      },
    },
    "/v1/resources": {
      get: {
        summary:
          "The machine's resources per window (cpu, memory, gpus, filesystems, disks, network, caches, probes; docs/resources.md) over from/to or last=24h|7d|30d (default 24h), oldest first, at most `points` points (default 1000; windows merged beyond it); with the newest snapshot, the rule thresholds and the resource alerts firing (scope read)",
        responses: { "200": { description: "ResourcesReport" }, "400": { description: "REQUEST_INVALID" } },
      },
    },
    "/v1/models/{model}/reports": {
      get: {
        summary:
          "Stored health reports (one per reporting.frequency, kept reporting.retention), newest first: id, period, status, reasons; from/to/limit (scope read)",
        responses: { "200": { description: "{reports}" } },
      },
    },
    "/v1/models/{model}/reports/{id}": {
      get: {
        summary:
          "One health report: status and reasons; per version quality, CBPE estimate, latency, drift, fairness with intervals, verdicts, per-window chart data (scope read)",
        responses: { "200": { description: "HealthReport" }, "404": { description: "NOT_FOUND" } },
      },
    },
    "/v1/overview": {
      get: {
        summary:
          "Every model with its health and reasons, newest quality, firing alerts and a sparkline (scope read)",
        responses: { "200": { description: "overview" } },
      },
    },
    "/v1/stream": {
      get: {
        summary:
          "Server-sent events: `window` (written or closed), `alert` (state changes), `reset` (reload: the gap since Last-Event-ID is too old) (scope read)",
        responses: { "200": { description: "text/event-stream" } },
      },
    },
    "/v1/alerts": {
      get: {
        summary:
          "Alerts with state, silencedBy, inhibitedBy, ack; filters state, severity, model (scope read)",
        responses: { "200": { description: "alerts" } },
      },
    },
    "/v1/alerts/{fingerprint}/ack": {
      post: {
        summary: "Acknowledge an alert: {by, comment} (scope admin)",
        responses: { "200": { description: "acknowledged" } },
      },
    },
    "/v1/silences": {
      get: {
        summary: "Silences with their state (scope read)",
        responses: { "200": { description: "silences" } },
      },
      post: {
        summary: "Create a silence: {matchers, startsAt, endsAt, createdBy, comment} (scope admin)",
        responses: { "201": { description: "{silenceID}" } },
      },
    },
    "/v1/silences/{id}": {
      delete: { summary: "Expire a silence (scope admin)", responses: { "200": { description: "expired" } } },
    },
    "/v1/models/{model}/windows/{start}/drift": {
      get: {
        summary: "A window's drift report, the `tiktoktoe drift` JSON shape (scope read)",
        responses: { "200": { description: "DriftReport" } },
      },
    },
    "/v1/models/{model}/windows/{start}/importance": {
      get: {
        summary:
          "Feature importance of a window of `version` (scope read): permutation importance from its labelled events through the version's ONNX model, or exact attributions of a version with meta.linear; with the reference's importance and the attribution drift (nDCG, Spearman); docs/explainability.md",
        responses: {
          "200": {
            description:
              "{method, scoring, baseline, rows, repeats, count, skipped, importances: [{feature, mean, std}], ranking, reference, attributionDrift, notes}",
          },
          "400": { description: "REQUEST_INVALID: no version, a bad start, a malformed meta.linear" },
          "404": {
            description:
              "NOT_FOUND: no such window, no ONNX artifact and no linear weights, or fewer than 30 labelled events",
          },
        },
      },
    },
  },
} as const;
