import { z } from "zod";
import { type ErrorCode, errorCodes } from "../errors/index.js";
import { VerificationTest } from "./deploy.js";
import { named } from "./registry.js";

/**
 * One bad record of an ingest batch (`problems` of `INGEST_INVALID`, docs/errors.md).
 *
 * @example
 * ```ts
 * const problem: IngestProblem = { line: 3, field: "features.temp", code: "wrong_type", message: "not a number" };
 * ```
 */
export const IngestProblem = named(
  "IngestProblem",
  z.object({
    line: z.int().describe("1-based line of an NDJSON body, or position in a JSON array"),
    field: z.string().describe("JSON path inside the record"),
    code: z.string().describe("record problem code, docs/errors.md"),
    message: z.string(),
    id: z.string().optional(),
  }),
);
export type IngestProblem = z.infer<typeof IngestProblem>;

/**
 * One problem of a request body (a model definition lists every one).
 *
 * @example
 * ```ts
 * const problem: FieldProblem = { path: "features[0].type", message: 'one of "numeric", "categorical"' };
 * ```
 */
export const FieldProblem = named(
  "FieldProblem",
  z.object({ path: z.string().describe("JSON path of the field"), message: z.string() }),
);
export type FieldProblem = z.infer<typeof FieldProblem>;

/** Every code an HTTP answer can carry (the CLI's own codes never reach HTTP but are listed too). */
const codes = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];

/**
 * The body of every error answer: a stable code, what was wrong, where, and what to do.
 *
 * @example
 * ```ts
 * const body: ErrorBody = { code: "NOT_FOUND", message: 'no model "bike"', location: {} };
 * ```
 */
export const ErrorBody = z
  .object({
    code: z.enum(codes).describe("stable code, docs/errors.md"),
    message: z.string(),
    location: z.object({
      file: z.string().optional(),
      line: z.int().optional(),
      column: z.string().optional(),
      path: z.string().optional().describe("JSON path, parameter or option name"),
    }),
    hint: z.string().optional().describe("what to do about it"),
    problems: z
      .array(z.union([IngestProblem, FieldProblem, VerificationTest, z.string()]))
      .optional()
      .describe("every problem: bad records of a batch, fields of a body, failed verification tests"),
    problems_truncated: z.literal(true).optional().describe("only the first problems are listed"),
  })
  .describe("An error answer (docs/errors.md).");
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * The error body of one code, with `code` pinned: what an operation's error answer declares.
 *
 * @example
 * ```ts
 * errorOf("NOT_FOUND").parse(await response.json());
 * ```
 */
export function errorOf(code: ErrorCode): z.ZodType<ErrorBody> {
  let schema = byCode.get(code);
  if (schema === undefined) {
    schema = named(
      `${pascal(code)}Error`,
      ErrorBody.extend({ code: z.literal(code) }),
      `${code} (HTTP ${errorCodes[code].status}): ${errorCodes[code].summary}`,
    );
    byCode.set(code, schema);
  }
  return schema;
}
const byCode = new Map<ErrorCode, z.ZodType<ErrorBody>>();

function pascal(code: string): string {
  return code
    .toLowerCase()
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

/** The HTTP status of a code. */
export function statusOf(code: ErrorCode): number {
  return errorCodes[code].status;
}
