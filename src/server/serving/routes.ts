import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { api, type RouteContract, type VerificationDeclaration } from "../../contract/index.js";
import type { Stage } from "../../deploy/index.js";
import { TikTokToeError } from "../../errors/index.js";
import { mediaType } from "../http/body.js";
import { sendJson } from "../http/respond.js";
import type { Handler } from "../http/router.js";
import type { DeploymentService } from "./deployments.js";

/** What the deployment routes need of the app: its route wrapper and body readers. */
export interface DeploymentRouteDeps {
  readonly deployments: DeploymentService | undefined;
  readonly endpoint: (route: RouteContract, handler: Handler) => [string, string, Handler];
  readonly jsonBody: (request: IncomingMessage, route: RouteContract) => Promise<unknown>;
  /** Reads a body up to `max` bytes (through the app's upload gate). */
  readonly body: (request: IncomingMessage, max: number) => Promise<Buffer>;
  /** Largest ONNX upload, bytes. */
  readonly maxModelBytes: number;
}

/**
 * Who made a change, for the history: the body's `by`, else the bearer token's fingerprint (its
 * SHA-256, 8 hex digits: tokens have no names, and the token itself must never be stored), else
 * "dashboard" for a browser session, else "anonymous" (a server without tokens).
 *
 * @example
 * ```ts
 * actorOf(request, { by: "cli" }); // "cli"
 * ```
 */
export function actorOf(request: IncomingMessage, body: unknown): string {
  const by = (body as { by?: unknown } | null)?.by;
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  const who =
    match !== null
      ? `token:${createHash("sha256").update(match[1]!).digest("hex").slice(0, 8)}`
      : request.headers.cookie?.includes("tiktoktoe_session=")
        ? "dashboard"
        : "anonymous";
  return typeof by === "string" ? `${by} (${who})` : who;
}

/**
 * The deployment routes of the contract (predict, model upload, stages, rollouts, analyses,
 * history), for the app's router.
 *
 * @example
 * ```ts
 * for (const route of deploymentRoutes(deps)) router.add(...route);
 * ```
 */
export function deploymentRoutes(deps: DeploymentRouteDeps): Array<[string, string, Handler]> {
  const { endpoint, jsonBody } = deps;
  const service = (): DeploymentService => {
    if (deps.deployments === undefined)
      throw new TikTokToeError("NOT_FOUND", "deployment is not enabled on this server");
    return deps.deployments;
  };
  return [
    endpoint(api.predict, async ({ request, response, params }) => {
      const body = (await jsonBody(request, api.predict)) as Parameters<DeploymentService["predict"]>[1];
      const header = request.headers["x-tiktoktoe-key"];
      const key = typeof header === "string" && header.length > 0 ? header.slice(0, 256) : undefined;
      sendJson(response, 200, await service().predict(params.model!, body, key));
    }),
    endpoint(api.putModel, async ({ request, response, params }) => {
      const type = mediaType(request);
      if (type !== "application/octet-stream")
        throw new TikTokToeError(
          "UNSUPPORTED_MEDIA_TYPE",
          `expected application/octet-stream, got "${type || "nothing"}"`,
          {
            hint: "curl --data-binary @model.onnx -H 'content-type: application/octet-stream'",
          },
        );
      const deployments = service();
      const bytes = await deps.body(request, deps.maxModelBytes);
      sendJson(
        response,
        200,
        await deployments.uploadModel(
          params.model!,
          params.version!,
          new Uint8Array(bytes),
          actorOf(request, null),
        ),
      );
    }),
    endpoint(api.getDeployment, async ({ response, params }) =>
      sendJson(response, 200, await service().view(params.model!)),
    ),
    endpoint(api.setStage, async ({ request, response, params }) => {
      const body = (await jsonBody(request, api.setStage)) as {
        version: string;
        stage: Stage;
        reason?: string;
      };
      sendJson(response, 200, await service().setStage(params.model!, body, actorOf(request, body)));
    }),
    endpoint(api.startRollout, async ({ request, response, params }) => {
      const body = (await jsonBody(request, api.startRollout)) as Parameters<
        DeploymentService["startRollout"]
      >[1];
      sendJson(response, 201, await service().startRollout(params.model!, body, actorOf(request, body)));
    }),
    endpoint(api.listRollouts, async ({ response, params }) =>
      sendJson(response, 200, { rollouts: await service().listRollouts(params.model!) }),
    ),
    endpoint(api.rolloutCommand, async ({ request, response, params }) => {
      const body = (await jsonBody(request, api.rolloutCommand)) as { reason?: string };
      const command = params.command as "pause" | "resume" | "abort" | "promote";
      sendJson(
        response,
        200,
        await service().command(params.model!, command, body.reason, actorOf(request, body)),
      );
    }),
    endpoint(api.rollback, async ({ request, response, params }) => {
      const body = (await jsonBody(request, api.rollback)) as { reason?: string };
      sendJson(response, 200, await service().rollback(params.model!, body.reason, actorOf(request, body)));
    }),
    endpoint(api.listAnalyses, async ({ response, params }) =>
      sendJson(response, 200, { analyses: await service().analyses(params.model!, params.id!) }),
    ),
    endpoint(api.putVerification, async ({ request, response, params }) => {
      const body = (await jsonBody(request, api.putVerification)) as VerificationDeclaration;
      sendJson(
        response,
        200,
        await service().declareVerification(params.model!, body, actorOf(request, body)),
      );
    }),
    endpoint(api.getVerification, async ({ response, params }) =>
      sendJson(response, 200, await service().verificationDeclaration(params.model!)),
    ),
    endpoint(api.verifyVersion, async ({ request, response, params }) => {
      const body = (await jsonBody(request, api.verifyVersion)) as { by?: string };
      sendJson(
        response,
        200,
        await service().verifyVersion(params.model!, params.version!, actorOf(request, body)),
      );
    }),
    endpoint(api.listVerifications, async ({ response, params }) =>
      sendJson(response, 200, { verifications: await service().verifications(params.model!) }),
    ),
    endpoint(api.deploymentHistory, async ({ response, params }) =>
      sendJson(response, 200, { history: await service().history(params.model!) }),
    ),
  ];
}
