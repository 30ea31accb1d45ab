/**
 * Every stable error code TikTokToe emits, with its HTTP status and whether it is an expected
 * (user-caused) failure. Codes are never reused or renamed; `docs/errors.md` documents each one and a
 * test keeps the two in step.
 */
export const errorCodes = {
  USAGE: { status: 400, expected: true, summary: "A command-line option or argument is missing or invalid." },
  INPUT_NOT_FOUND: {
    status: 404,
    expected: true,
    summary: "An input file does not exist or cannot be read.",
  },
  INPUT_EMPTY: { status: 400, expected: true, summary: "An input file has no header or no data rows." },
  INPUT_FORMAT: {
    status: 415,
    expected: true,
    summary: "An input's format is not supported or not what its name says.",
  },
  INPUT_BAD_GZIP: { status: 400, expected: true, summary: "A `.gz` input is not valid gzip data." },
  INPUT_RAGGED_ROW: {
    status: 400,
    expected: true,
    summary: "A CSV row has a different number of fields than the header.",
  },
  INPUT_BAD_JSON: { status: 400, expected: true, summary: "An NDJSON line is not a JSON object." },
  INPUT_NOT_NUMERIC: {
    status: 400,
    expected: true,
    summary: "A value in a column declared numeric is not a finite number.",
  },
  INPUT_COLUMN_MISSING: {
    status: 400,
    expected: true,
    summary: "A selected column is absent from an input, or present in only one of two inputs.",
  },
  INPUT_NO_VALUES: {
    status: 400,
    expected: true,
    summary: "A column has no values left after removing missing ones.",
  },
  STORE_CONFLICT: {
    status: 409,
    expected: true,
    summary: "A record with that key already exists (a model, a version).",
  },
  STORE_NOT_FOUND: {
    status: 404,
    expected: true,
    summary: "A record the operation needs does not exist (an unknown model or version).",
  },
  CONFIG_INVALID: {
    status: 400,
    expected: true,
    summary:
      "A configuration file or object is invalid; the message lists every problem with its path and line.",
  },
  REQUEST_INVALID: {
    status: 400,
    expected: true,
    summary: "A request body or parameter is malformed or fails validation; the answer names the field.",
  },
  INGEST_INVALID: {
    status: 400,
    expected: true,
    summary:
      "An ingest batch has bad records; `problems` lists each with its line, field and code; nothing was stored.",
  },
  BODY_TOO_LARGE: { status: 413, expected: true, summary: "A request body is over the server's size limit." },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    expected: true,
    summary: "A request body's Content-Type is not one the endpoint accepts.",
  },
  UNAUTHORIZED: { status: 401, expected: true, summary: "The request carries no valid bearer token." },
  FORBIDDEN: { status: 403, expected: true, summary: "The token lacks the scope the endpoint needs." },
  NOT_FOUND: { status: 404, expected: true, summary: "No such endpoint, model, version or window." },
  METHOD_NOT_ALLOWED: {
    status: 405,
    expected: true,
    summary: "The endpoint does not accept this HTTP method.",
  },
  STORE_UNAVAILABLE: {
    status: 503,
    expected: true,
    summary:
      "The store cannot write (its disk is full, or it is locked); nothing was stored. Retry after Retry-After.",
  },
  ONNX_INVALID: {
    status: 400,
    expected: true,
    summary:
      "An ONNX model is not base64 (uploads), is empty, truncated or not ONNX protobuf, fails the checker, or does not load in onnxruntime.",
  },
  ONNX_UNSUPPORTED: {
    status: 422,
    expected: true,
    summary:
      "A valid ONNX model uses something the tool does not handle yet (external data files, an element type an operation needs).",
  },
  ONNX_RUN_FAILED: {
    status: 422,
    expected: true,
    summary:
      "onnxruntime refused to run a model on the given inputs (a missing input, a wrong type or shape).",
  },
  HOST_NOT_ALLOWED: {
    status: 403,
    expected: true,
    summary:
      "A server without tokens answers only requests addressed to a loopback host name (DNS rebinding guard).",
  },
  TOO_MANY_REQUESTS: {
    status: 429,
    expected: true,
    summary: "Too many failed logins or token checks from this client; wait for the Retry-After seconds.",
  },
  SERVER_BUSY: {
    status: 503,
    expected: true,
    summary: "The server is at its limit of concurrent uploads or live streams; retry after Retry-After.",
  },
  REQUEST_ABORTED: {
    status: 400,
    expected: true,
    summary: "The client closed the connection or stopped sending before the body was complete.",
  },
  DEPLOY_CONFLICT: {
    status: 409,
    expected: true,
    summary:
      "A deployment command does not fit the model's state: a stage move that is not allowed, a second rollout, resuming one that is not paused.",
  },
  VERIFICATION_FAILED: {
    status: 422,
    expected: true,
    summary:
      "A candidate version failed a verification test before its rollout (schema, golden pairs, invariance, latency budget, agreement with production): no traffic was routed to it.",
  },
  NOT_SERVING: {
    status: 409,
    expected: true,
    summary: "A model has no production version with an ONNX model to serve predictions with.",
  },
  INTERNAL: {
    status: 500,
    expected: false,
    summary: "A bug in TikTokToe; please report it with the stack trace.",
  },
  QUEUE_UNAVAILABLE: {
    status: 503,
    expected: true,
    summary:
      "The ingest log (NATS JetStream) did not acknowledge a batch: it is unreachable or its stream is full; nothing was acknowledged. Retry after Retry-After.",
  },
  INPUT_BAD_LABEL: {
    status: 400,
    expected: true,
    summary:
      "A label value does not fit the learning task (an unknown class, a third class for binary, text for regression, a missing label).",
  },
  IMPORTANCE_WEIGHTS_REFUSED: {
    status: 422,
    expected: true,
    summary:
      "Importance weights would leave too small an effective sample size: the shift is too large to correct by reweighting.",
  },
  LEARNING_UNSUPPORTED: {
    status: 422,
    expected: true,
    summary:
      "The learning declaration does not fit the model: a linear learner for a binary model or categorical inputs, an mlp learner without a production ONNX model.",
  },
} as const satisfies Record<string, { status: number; expected: boolean; summary: string }>;

/** A stable error code; see `docs/errors.md`. */
export type ErrorCode = keyof typeof errorCodes;
