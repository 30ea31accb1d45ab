import { z } from "zod";
import { type ErrorCode, errorCodes } from "../errors/index.js";
import { errorOf } from "./errors.js";
import { components } from "./registry.js";
import { api, errorsOf, type Media, type RouteContract } from "./routes.js";

type Json = Record<string, unknown>;

/** Tags, in the order the document lists them. */
const tags = [
  { name: "ingest", description: "Prediction events, labels and the event clock" },
  { name: "models", description: "Models, versions and their reference data" },
  { name: "monitoring", description: "Windows, their drift and their feature importance" },
  { name: "reports", description: "Stored health reports" },
  { name: "alerts", description: "Alerts, acknowledgements and silences" },
  { name: "dashboard", description: "The dashboard's aggregated views and live updates" },
  { name: "resources", description: "The machine the server runs on" },
  { name: "operations", description: "Health checks, metrics and this document" },
  { name: "deployment", description: "Serving predictions, stages, rollouts, analyses and rollbacks" },
  {
    name: "learning",
    description:
      "The continuous-learning loop: declarations, runs, candidates through shadow, gate and canary",
  },
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** The component name of a registered schema (every body and answer schema has one). */
function idOf(schema: z.ZodType): string {
  const id = components.get(schema)?.id;
  if (id === undefined) throw new Error("a route's body or answer schema must be registered with named()");
  return id;
}

/** A JSON Schema of a small unnamed schema (a parameter), without the `$schema` key. */
function inline(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  return rest;
}

function mediaObject(media: Media): Json {
  if (media.schema !== undefined) return { schema: ref(idOf(media.schema)) };
  return {
    schema: { type: "string", description: media.text },
    // An item schema no JSON body uses is written inline: a named component only referenced from an
    // extension would be reported as unused.
    ...(media.items === undefined
      ? {}
      : {
          "x-itemSchema":
            components.get(media.items) === undefined ? inline(media.items) : ref(idOf(media.items)),
        }),
  };
}

function content(map: Readonly<Record<string, Media>>): Json {
  return Object.fromEntries(Object.entries(map).map(([type, media]) => [type, mediaObject(media)]));
}

function parameters(route: RouteContract): Json[] {
  const list: Json[] = [];
  for (const [where, object] of [
    ["path", route.params],
    ["query", route.query],
  ] as const) {
    if (object === undefined) continue;
    for (const [name, schema] of Object.entries(object.shape) as Array<[string, z.ZodType]>) {
      const optional = schema.safeParse(undefined).success;
      const json = inline(schema);
      const { description, ...rest } = json;
      list.push({
        name,
        in: where,
        required: where === "path" || !optional,
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
      });
    }
  }
  return list;
}

const RETRY_AFTER = { "Retry-After": { $ref: "#/components/headers/RetryAfter" } };

/** The error answers of a route, one per status, each naming its codes and their schemas. */
function errorAnswers(route: RouteContract): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorsOf(route)) {
    const status = errorCodes[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const answers: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const refs = codes.map((code) => ref(idOf(errorOf(code))));
    answers[String(status)] = {
      description: codes.map((code) => `${code}: ${errorCodes[code].summary}`).join(" "),
      ...(status === 405 ? { headers: { Allow: { $ref: "#/components/headers/Allow" } } } : {}),
      ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      content: { "application/json": { schema: refs.length === 1 ? refs[0] : { oneOf: refs } } },
    };
  }
  return answers;
}

function operation(route: RouteContract): Json {
  const answers: Record<string, Json> = errorAnswers(route);
  for (const [status, answer] of Object.entries(route.answers)) {
    const errors = answers[status];
    const own: Json = {
      description: answer.description,
      ...(answer.content === undefined ? {} : { content: content(answer.content) }),
    };
    // A status with both an answer of its own and error codes (readyz's 503): either schema.
    if (errors !== undefined && answer.content !== undefined) {
      const errorSchema = (errors.content as Json)["application/json"] as Json;
      const ownSchema = (own.content as Json)["application/json"] as Json;
      own.content = { "application/json": { schema: { oneOf: [ownSchema.schema, errorSchema.schema] } } };
      own.description = `${answer.description}; ${errors.description as string}`;
      if (errors.headers !== undefined) own.headers = errors.headers;
    }
    answers[status] = own;
  }
  const ordered = Object.fromEntries(Object.entries(answers).sort(([a], [b]) => Number(a) - Number(b)));
  const params = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [route.tag],
    security: route.scope === null ? [] : [{ bearer: [] }],
    ...(route.scope === null ? {} : { "x-scope": route.scope }),
    ...(params.length === 0 ? {} : { parameters: params }),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            description: route.body.description,
            content: content(route.body.content),
          },
        }),
    responses: ordered,
  };
}

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  /** Where the API is reached; default: a URL template on the default port. */
  readonly servers?: ReadonlyArray<{ readonly url: string; readonly description: string }>;
  readonly version?: string;
}

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the contract ({@link api} and the zod
 * schemas): paths with their parameters, bodies and every answer, and each schema once under
 * `components.schemas`.
 *
 * @example
 * ```ts
 * const doc = openApiDocument();
 * doc.paths["/v1/models"].get.operationId; // "listModels"
 * ```
 */
export function openApiDocument(options: OpenApiOptions = {}) {
  const routes: readonly RouteContract[] = Object.values(api);
  // Registers the error schemas of every code an operation answers before the components are built.
  for (const route of routes) for (const code of errorsOf(route)) errorOf(code);
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method] = operation(route);
  }
  const generated = z.toJSONSchema(components, {
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, Json>;
  const schemas = Object.fromEntries(
    Object.entries(generated)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "TikTokToe monitoring API",
      version: options.version ?? "1",
      description:
        "The HTTP API of `tiktoktoe serve`. Errors carry a stable code (docs/errors.md). Generated from the zod contract in src/contract.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: options.servers ?? [
      {
        url: "{scheme}://{host}",
        description: "a tiktoktoe serve instance: host and port as --host and --port give them",
        variables: {
          scheme: { default: "http", enum: ["http", "https"] },
          host: { default: "127.0.0.1:8080" },
        },
      },
    ],
    tags,
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "A token of --tokens with the route's scope (x-scope: ingest, read or admin). Without --tokens the server is open to loopback clients only.",
        },
      },
      headers: {
        RetryAfter: {
          description: "seconds to wait before retrying",
          schema: { type: "integer", minimum: 0 },
        },
        Allow: { description: "the methods the path accepts", schema: { type: "string" } },
      },
      schemas,
    },
  };
}
