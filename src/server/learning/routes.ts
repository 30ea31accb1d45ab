import type { IncomingMessage } from "node:http";
import { api, type LearningDeclaration, type RouteContract } from "../../contract/index.js";
import { TikTokToeError } from "../../errors/index.js";
import { sendJson } from "../http/respond.js";
import type { Handler } from "../http/router.js";
import { actorOf } from "../serving/index.js";
import type { LearningLoop } from "./learning-loop.js";

/** What the learning routes need of the app: the loop, its route wrapper and JSON body reader. */
export interface LearningRouteDeps {
  readonly learning: LearningLoop | undefined;
  readonly endpoint: (route: RouteContract, handler: Handler) => [string, string, Handler];
  readonly jsonBody: (request: IncomingMessage, route: RouteContract) => Promise<unknown>;
}

/**
 * The learning routes of the contract: the declaration (`PUT`, validated by the contract's strict
 * schema, so a bad field is 400 with its path), the state and the runs.
 *
 * @example
 * ```ts
 * for (const route of learningRoutes(deps)) router.add(...route);
 * ```
 */
export function learningRoutes(deps: LearningRouteDeps): Array<[string, string, Handler]> {
  const { endpoint, jsonBody } = deps;
  const loop = (): LearningLoop => {
    if (deps.learning === undefined)
      throw new TikTokToeError("NOT_FOUND", "the learning loop is not enabled on this server", {
        hint: "it needs serving: start the server without --monitor-only",
      });
    return deps.learning;
  };
  return [
    endpoint(api.putLearning, async ({ request, response, params }) => {
      const body = (await jsonBody(request, api.putLearning)) as LearningDeclaration;
      sendJson(response, 200, await loop().declare(params.model!, body, actorOf(request, null)));
    }),
    endpoint(api.getLearning, async ({ response, params }) =>
      sendJson(response, 200, await loop().view(params.model!)),
    ),
    endpoint(api.learningRuns, async ({ response, params }) =>
      sendJson(response, 200, await loop().runs(params.model!)),
    ),
  ];
}
