import { openApiDocument } from "../contract/index.js";

/**
 * The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`: generated from the contract
 * (src/contract), the same zod schemas the routes validate requests with.
 */
export const openapi = openApiDocument();
