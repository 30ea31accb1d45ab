import { z } from "zod";

/**
 * The schemas that become named components of the OpenAPI document (`#/components/schemas/<id>`):
 * every schema a route answers or accepts, and the shared parts worth a name.
 *
 * @example
 * ```ts
 * const Thing = named("Thing", z.object({ id: z.string() }), "A thing.");
 * ```
 */
export const components = z.registry<{ id: string; description?: string }>();

/**
 * Registers `schema` under `id` (a component name) and returns it unchanged.
 *
 * @example
 * ```ts
 * export const ModelList = named("ModelList", z.object({ models: z.array(ModelRecord) }));
 * ```
 */
export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  components.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}
