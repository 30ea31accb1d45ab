import type { IncomingMessage } from "node:http";
import type { RouteContract } from "../../contract/index.js";
import { TikTokToeError } from "../../errors/index.js";
import { mediaType } from "./body.js";
import { parseJsonBody } from "./json.js";
import type { Handler, RouteContext } from "./router.js";
import { queryObject, validateRequest } from "./validate.js";

/** A route for the router: method, path template and handler (`router.add(...route)`). */
export type Route = [string, string, Handler];

/** Turns a route of the contract and its handler into a {@link Route} that checks the request first. */
export type Endpoint = (route: RouteContract, handler: Handler) => Route;

/** Reads a request's JSON body and checks it against the route's schema in the contract. */
export type JsonBody = (request: IncomingMessage, route: RouteContract) => Promise<unknown>;

/** Reads a request's body, up to `max` bytes when given (else the server's limit). */
export type BodyReader = (request: IncomingMessage, max?: number) => Promise<Buffer>;

/** What {@link contractEndpoint} needs of the server's authentication. */
export interface ScopeCheck {
  /** Throws 401 or 403 when the request may not use a route of `scope`. */
  check(request: IncomingMessage, scope: NonNullable<RouteContract["scope"]>): void;
}

/**
 * A route of the contract (src/contract): its method and path, the token scope it needs, and its
 * path and query parameters checked against the contract's schemas before the handler runs.
 *
 * @example
 * ```ts
 * const endpoint = contractEndpoint(auth);
 * router.add(...endpoint(api.listModels, ({ response }) => sendJson(response, 200, { models: [] })));
 * ```
 */
export function contractEndpoint(auth: ScopeCheck): Endpoint {
  return (route, handler) => [
    route.method.toUpperCase(),
    route.path,
    (context: RouteContext) => {
      if (route.scope !== null) auth.check(context.request, route.scope);
      if (route.params !== undefined) validateRequest(route.params, context.params, "the path");
      if (route.query !== undefined)
        validateRequest(route.query, queryObject(Object.keys(route.query.shape), context.query), "the query");
      return handler(context);
    },
  ];
}

/**
 * A JSON body, checked against the route's schema in the contract.
 *
 * @example
 * ```ts
 * const jsonBody = jsonBodyReader(body);
 * const fields = await jsonBody(request, api.registerModel);
 * ```
 */
export function jsonBodyReader(body: BodyReader): JsonBody {
  return async (request, route) => {
    const type = mediaType(request);
    if (type !== "application/json")
      throw new TikTokToeError(
        "UNSUPPORTED_MEDIA_TYPE",
        `expected application/json, got "${type || "nothing"}"`,
      );
    const value = parseJsonBody((await body(request)).toString("utf8"));
    const media = route.body?.content["application/json"];
    if (media?.schema !== undefined && media.check?.(value) !== true) validateRequest(media.schema, value);
    return value;
  };
}
