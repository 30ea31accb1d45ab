/**
 * The HTTP contract of `tiktoktoe serve`: every request and answer declared once, as zod schemas.
 * The server validates requests with them and generates `/openapi.json` from them; the dashboard and
 * the client SDK take their TypeScript types from them with `import type` (no zod at run time).
 */
export * from "./alerts.js";
export * from "./deploy.js";
export * from "./errors.js";
export * from "./explanations.js";
export * from "./ingest.js";
export * from "./labelled.js";
export * from "./learning.js";
export * from "./models.js";
export * from "./monitoring.js";
export { type OpenApiOptions, openApiDocument } from "./openapi.js";
export { components, named } from "./registry.js";
export * from "./resources.js";
export {
  type Answer,
  api,
  errorsOf,
  type Media,
  type OperationId,
  type RouteContract,
  type Scope,
} from "./routes.js";
export * from "./system.js";
