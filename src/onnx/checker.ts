import { TikTokToeError } from "../errors/index.js";
import { subgraphs } from "./node.js";
import type { GraphProto, OnnxModel } from "./types.js";

/**
 * One thing the checker found wrong, with where (`graph`, `graph/node[3]`, `…/If_0.then_branch`).
 *
 * @example
 * ```ts
 * const p: CheckProblem = { path: "graph/node[3]", message: 'input "x" is not a graph input, …' };
 * ```
 */
export interface CheckProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * A minimal structural checker for models the tool writes, so a broken edit is caught in our own
 * terms before onnxruntime reports it in its own. It checks what graph edits can break, not operator
 * schemas: a graph is present; ir_version is set; the default domain's opset is imported and every
 * node's domain has an opset; tensor names are defined once (SSA) and node names are unique; nodes
 * are in topological order; every input is a graph input, an initializer, an earlier node's output
 * or (in a subgraph) an outer tensor; every graph output is defined.
 *
 * @example
 * ```ts
 * const problems = checkModel(edited);
 * if (problems.length > 0) console.error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
 * ```
 */
export function checkModel(model: OnnxModel): CheckProblem[] {
  const problems: CheckProblem[] = [];
  if (model.irVersion === undefined) problems.push({ path: "model", message: "ir_version is not set" });
  const domains = new Map<string, number>();
  for (const o of model.opsetImport) {
    const domain = o.domain === "ai.onnx" ? "" : (o.domain ?? "");
    if (domains.has(domain))
      problems.push({ path: "model", message: `opset_import lists domain "${domain}" twice` });
    domains.set(domain, o.version ?? 0);
  }
  if (model.graph === undefined) {
    problems.push({ path: "model", message: "the model has no graph" });
    return problems;
  }
  const usesDefault = hasDefaultDomainNode(model.graph);
  if (!domains.has("") && (usesDefault || model.opsetImport.length === 0))
    problems.push({ path: "model", message: "opset_import has no entry for the default domain (ai.onnx)" });
  checkGraph(model.graph, "graph", new Set(), domains, problems);
  return problems;
}

/**
 * Throws ONNX_INVALID listing every problem {@link checkModel} finds; returns the model otherwise.
 *
 * @example
 * ```ts
 * writeFileSync(out, encodeModel(assertValidModel(edited)));
 * ```
 */
export function assertValidModel(model: OnnxModel): OnnxModel {
  const problems = checkModel(model);
  if (problems.length > 0)
    throw new TikTokToeError(
      "ONNX_INVALID",
      `the model fails the checker: ${problems
        .slice(0, 3)
        .map((p) => `${p.path}: ${p.message}`)
        .join("; ")}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ""}`,
      { problems },
    );
  return model;
}

function hasDefaultDomainNode(graph: GraphProto): boolean {
  return graph.node.some(
    (n) =>
      n.domain === undefined ||
      n.domain === "" ||
      n.domain === "ai.onnx" ||
      subgraphs(n).some(hasDefaultDomainNode),
  );
}

function checkGraph(
  graph: GraphProto,
  path: string,
  outer: ReadonlySet<string>,
  domains: ReadonlyMap<string, number>,
  problems: CheckProblem[],
): void {
  const defined = new Set<string>();
  const define = (name: string | undefined, what: string) => {
    if (name === undefined || name === "") {
      problems.push({ path, message: `${what} has no name` });
      return;
    }
    // An initializer listed again as a graph input is the IR < 4 convention, not a redefinition.
    if (defined.has(name) && what !== "initializer")
      problems.push({ path, message: `tensor "${name}" is defined more than once (${what})` });
    defined.add(name);
  };
  for (const v of graph.input) define(v.name, "graph input");
  for (const t of graph.initializer) define(t.name, "initializer");
  const nodeNames = new Set<string>();
  graph.node.forEach((node, i) => {
    const where = `${path}/node[${i}]${node.name ? ` "${node.name}"` : ""}`;
    if (node.opType === undefined || node.opType === "")
      problems.push({ path: where, message: "the node has no op_type" });
    if (node.name !== undefined && node.name !== "") {
      if (nodeNames.has(node.name))
        problems.push({ path: where, message: `node name "${node.name}" is used twice` });
      nodeNames.add(node.name);
    }
    const domain = node.domain === "ai.onnx" ? "" : (node.domain ?? "");
    if (!domains.has(domain))
      problems.push({ path: where, message: `domain "${domain}" has no opset_import entry` });
    for (const input of node.input)
      if (input !== "" && !defined.has(input) && !outer.has(input))
        problems.push({
          path: where,
          message: `input "${input}" is not a graph input, an initializer or the output of an earlier node`,
        });
    const visible = new Set([...outer, ...defined]);
    for (const a of node.attribute) {
      const graphs = a.g === undefined ? a.graphs : [a.g, ...a.graphs];
      graphs.forEach((g, k) => {
        const at = `${where}.${a.name ?? "?"}${graphs.length > 1 ? `[${k}]` : ""}`;
        checkGraph(g, at, visible, domains, problems);
      });
    }
    for (const output of node.output) if (output !== "") define(output, `output of node ${i}`);
  });
  for (const v of graph.output)
    if (v.name === undefined || (!defined.has(v.name) && !outer.has(v.name)))
      problems.push({ path, message: `graph output "${v.name ?? ""}" is not defined in the graph` });
}
