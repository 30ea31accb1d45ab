import { api } from "../../contract/index.js";
import { mediaType } from "../http/body.js";
import type { BodyReader, Endpoint, JsonBody, Route } from "../http/endpoint.js";
import { parseTime } from "../http/query.js";
import { sendJson } from "../http/respond.js";
import type { MonitorService } from "../monitor-service.js";
import { validateOnnxUpload } from "../onnx-predict.js";
import {
  LABELLED_LIMIT,
  sendReferenceRows,
  sendVersionModel,
  streamLabelled,
  type VersionFilesService,
} from "../version-files-routes.js";

/** What the model routes read and write through: the monitor service's registry calls. */
export type ModelRouteService = Pick<
  MonitorService,
  "listModels" | "registerModel" | "model" | "listVersions" | "registerVersion" | "putReference"
> &
  VersionFilesService;

/** What the model routes need of the app: the service, its route wrapper and body readers. */
export interface ModelRouteDeps {
  readonly service: ModelRouteService;
  readonly endpoint: Endpoint;
  readonly jsonBody: JsonBody;
  readonly body: BodyReader;
}

/**
 * The model registry's routes of the contract: models and their versions, a version's reference
 * data, and the files a client takes from a version (its ONNX model, reference rows, labelled events).
 *
 * @example
 * ```ts
 * for (const route of modelRoutes(deps)) router.add(...route);
 * ```
 */
export function modelRoutes(deps: ModelRouteDeps): Route[] {
  const { service, endpoint, jsonBody, body } = deps;
  return [
    endpoint(api.listModels, ({ response }) => sendJson(response, 200, { models: service.listModels() })),
    endpoint(api.registerModel, async ({ request, response }) =>
      sendJson(response, 201, await service.registerModel(await jsonBody(request, api.registerModel))),
    ),
    endpoint(api.getModel, ({ response, params }) => sendJson(response, 200, service.model(params.model!))),
    endpoint(api.listVersions, async ({ response, params }) =>
      sendJson(response, 200, { versions: await service.listVersions(params.model!) }),
    ),
    endpoint(api.registerVersion, async ({ request, response, params }) => {
      const fields = await jsonBody(request, api.registerVersion);
      const record =
        typeof fields === "object" && fields !== null && !Array.isArray(fields)
          ? (fields as Record<string, unknown>)
          : {};
      const { onnx: encoded, ...rest } = record;
      // Checked before anything is stored: a model that does not load is refused now, not at the
      // reference upload or the first explanation.
      const onnx = encoded === undefined ? undefined : await validateOnnxUpload(encoded);
      sendJson(response, 201, await service.registerVersion(params.model!, rest, onnx));
    }),
    endpoint(api.putReference, async ({ request, response, params }) => {
      const bytes = await body(request);
      sendJson(
        response,
        200,
        await service.putReference(params.model!, params.version!, bytes, mediaType(request)),
      );
    }),
    endpoint(api.getVersionModel, ({ response, params }) =>
      sendVersionModel(response, service, params.model!, params.version!),
    ),
    endpoint(api.getReference, ({ response, params }) =>
      sendReferenceRows(response, service, params.model!, params.version!),
    ),
    endpoint(api.listLabelled, ({ response, params, query }) => {
      const version = query.get("version");
      const limit = query.get("limit");
      return streamLabelled(response, service, {
        model: params.model!,
        ...(version === null ? {} : { version }),
        fromMs: parseTime(query.get("from"), Number.NEGATIVE_INFINITY, "from"),
        toMs: parseTime(query.get("to"), Number.POSITIVE_INFINITY, "to"),
        limit: limit === null ? LABELLED_LIMIT.default : Number(limit),
      });
    }),
  ];
}
