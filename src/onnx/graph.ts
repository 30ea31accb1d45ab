import { TikTokToeError } from "../errors/index.js";
import { makeValueInfo, subgraphs } from "./node.js";
import type { GraphProto, NodeProto, OnnxModel, TensorProto, ValueInfo } from "./types.js";

/**
 * Graph helpers. They never change their arguments: each returns a new graph (or model) that
 * shares the untouched nodes and tensors with the old one, so a caller can keep the original and
 * compare, and a failed edit leaves nothing half-done.
 */

/**
 * Where a tensor is made: the node, its position in `graph.node`, and which of its outputs.
 *
 * @example
 * ```ts
 * const { node, output } = indexGraph(graph).producers.get("logits")!;
 * ```
 */
export interface Producer {
  readonly node: NodeProto;
  readonly index: number;
  readonly output: number;
}

/**
 * Where a tensor is used: the node, its position, and which input (-1: inside a subgraph).
 *
 * @example
 * ```ts
 * for (const { node, input } of indexGraph(graph).consumers.get("x") ?? []) console.log(node.opType, input);
 * ```
 */
export interface Consumer {
  readonly node: NodeProto;
  readonly index: number;
  readonly input: number;
}

/**
 * Name lookups for one graph (not its subgraphs), built once by {@link indexGraph}.
 *
 * @example
 * ```ts
 * const index: GraphIndex = indexGraph(graph);
 * index.initializers.get("0.weight")?.dims; // [512, 64]
 * ```
 */
export interface GraphIndex {
  readonly nodesByName: ReadonlyMap<string, NodeProto>;
  readonly producers: ReadonlyMap<string, Producer>;
  readonly consumers: ReadonlyMap<string, readonly Consumer[]>;
  readonly initializers: ReadonlyMap<string, TensorProto>;
  readonly inputs: ReadonlyMap<string, ValueInfo>;
  readonly outputs: ReadonlyMap<string, ValueInfo>;
}

/**
 * Indexes a graph by name: nodes, each tensor's producer and consumers, initializers, inputs and
 * outputs. A node whose subgraph reads an outer tensor counts as its consumer (input -1), so no
 * edit mistakes such a tensor for unused.
 *
 * @example
 * ```ts
 * const index = indexGraph(model.graph!);
 * index.consumers.get("/0/Gemm_output_0")?.map((c) => c.node.opType); // ["Relu"]
 * ```
 */
export function indexGraph(graph: GraphProto): GraphIndex {
  const nodesByName = new Map<string, NodeProto>();
  const producers = new Map<string, Producer>();
  const consumers = new Map<string, Consumer[]>();
  const use = (name: string, c: Consumer) => {
    const list = consumers.get(name);
    if (list === undefined) consumers.set(name, [c]);
    else list.push(c);
  };
  graph.node.forEach((node, index) => {
    if (node.name !== undefined && node.name !== "") nodesByName.set(node.name, node);
    node.output.forEach((name, output) => {
      if (name !== "") producers.set(name, { node, index, output });
    });
    node.input.forEach((name, input) => {
      if (name !== "") use(name, { node, index, input });
    });
    for (const name of outerNames(node)) use(name, { node, index, input: -1 });
  });
  return {
    nodesByName,
    producers,
    consumers,
    initializers: new Map(graph.initializer.map((t) => [t.name ?? "", t])),
    inputs: new Map(graph.input.map((v) => [v.name ?? "", v])),
    outputs: new Map(graph.output.map((v) => [v.name ?? "", v])),
  };
}

/**
 * The outer-scope tensors a node's subgraphs read: names used inside that no subgraph defines.
 *
 * @example
 * ```ts
 * outerNames(ifNode); // Set { "threshold" }
 * ```
 */
export function outerNames(node: NodeProto): Set<string> {
  const used = new Set<string>();
  const defined = new Set<string>();
  const visit = (g: GraphProto) => {
    for (const v of g.input) defined.add(v.name ?? "");
    for (const t of g.initializer) defined.add(t.name ?? "");
    for (const n of g.node) {
      for (const o of n.output) defined.add(o);
      for (const i of n.input) if (i !== "") used.add(i);
      for (const s of subgraphs(n)) visit(s);
    }
    for (const v of g.output) used.add(v.name ?? "");
  };
  for (const g of subgraphs(node)) visit(g);
  for (const d of defined) used.delete(d);
  return used;
}

/**
 * The first node (by position) that reads a tensor before it is made, or undefined when the nodes
 * are in topological order. Graph inputs, initializers and `outer` names count as made up front.
 *
 * @example
 * ```ts
 * if (firstOutOfOrder(graph) !== undefined) graph = sortTopologically(graph);
 * ```
 */
export function firstOutOfOrder(
  graph: GraphProto,
  outer: ReadonlySet<string> = new Set(),
): { node: NodeProto; index: number; input: string } | undefined {
  const available = new Set<string>(outer);
  for (const v of graph.input) available.add(v.name ?? "");
  for (const t of graph.initializer) available.add(t.name ?? "");
  for (let index = 0; index < graph.node.length; index++) {
    const node = graph.node[index]!;
    for (const input of [...node.input, ...outerNames(node)])
      if (input !== "" && !available.has(input)) return { node, index, input };
    for (const o of node.output) available.add(o);
  }
  return undefined;
}

/**
 * The graph with its nodes in a topological order, keeping the original order wherever it already
 * is one (a stable Kahn sort), so a sorted graph comes back node for node. Inputs no node makes
 * (graph inputs, initializers, outer names, typos) do not block. A cycle is ONNX_INVALID.
 *
 * @example
 * ```ts
 * const sorted = sortTopologically(insertNodes(graph, 0, [lateNode]));
 * ```
 */
export function sortTopologically(graph: GraphProto): GraphProto {
  const producedBy = new Map<string, number>();
  graph.node.forEach((n, i) => {
    for (const o of n.output) if (o !== "") producedBy.set(o, i);
  });
  const waitingOn = graph.node.map(() => 0);
  const dependents: number[][] = graph.node.map(() => []);
  graph.node.forEach((n, i) => {
    const deps = new Set<number>();
    for (const input of [...n.input, ...outerNames(n)]) {
      const p = producedBy.get(input);
      if (p !== undefined && p !== i) deps.add(p);
    }
    waitingOn[i] = deps.size;
    for (const p of deps) dependents[p]!.push(i);
  });
  // Always taking the lowest ready position keeps the original order wherever it is valid.
  const ready = new MinHeap();
  waitingOn.forEach((w, i) => {
    if (w === 0) ready.push(i);
  });
  const order: NodeProto[] = [];
  while (ready.size > 0) {
    const next = ready.pop();
    order.push(graph.node[next]!);
    for (const d of dependents[next]!) {
      waitingOn[d]! -= 1;
      if (waitingOn[d] === 0) ready.push(d);
    }
  }
  if (order.length !== graph.node.length)
    throw new TikTokToeError(
      "ONNX_INVALID",
      `the graph has a cycle: ${graph.node.length - order.length} nodes depend on each other`,
    );
  return { ...graph, node: order };
}

/** A binary min-heap of node positions. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= a[i]!) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The model with more graph outputs (names already outputs are skipped). They carry no type: ORT
 * accepts that, which is what calibration needs to fetch intermediate tensors.
 *
 * @example
 * ```ts
 * const augmented = addGraphOutputs(model, ["/0/Gemm_output_0", "/1/Relu_output_0"]);
 * ```
 */
export function addGraphOutputs(model: OnnxModel, names: readonly string[]): OnnxModel {
  const graph = requireGraph(model);
  const have = new Set(graph.output.map((v) => v.name));
  const extra = [...new Set(names)].filter((n) => !have.has(n)).map(makeValueInfo);
  return { ...model, graph: { ...graph, output: [...graph.output, ...extra] } };
}

/**
 * The graph with one node replaced by zero or more nodes, at the same position.
 *
 * @example
 * ```ts
 * const next = replaceNode(graph, gemm, [matmul, add]);
 * ```
 */
export function replaceNode(
  graph: GraphProto,
  target: NodeProto | string,
  replacements: readonly NodeProto[],
): GraphProto {
  const at = graph.node.findIndex((n) => (typeof target === "string" ? n.name === target : n === target));
  if (at < 0)
    throw new TikTokToeError(
      "ONNX_INVALID",
      `node ${typeof target === "string" ? `"${target}"` : `"${target.name ?? target.opType}"`} is not in the graph`,
    );
  return { ...graph, node: [...graph.node.slice(0, at), ...replacements, ...graph.node.slice(at + 1)] };
}

/**
 * The graph with nodes inserted before position `at` (0 = first, `graph.node.length` = last).
 *
 * @example
 * ```ts
 * const next = insertNodes(graph, producerIndex + 1, [quantize, dequantize]);
 * ```
 */
export function insertNodes(graph: GraphProto, at: number, nodes: readonly NodeProto[]): GraphProto {
  const position = Math.max(0, Math.min(at, graph.node.length));
  return { ...graph, node: [...graph.node.slice(0, position), ...nodes, ...graph.node.slice(position)] };
}

/**
 * The graph without initializers that nothing reads (no node input, subgraph or graph output). An
 * unused initializer that is also listed as a graph input (old exporters, IR < 4) loses that input
 * too, since keeping it would make a caller feed a tensor nothing reads.
 *
 * @example
 * ```ts
 * const lean = removeUnusedInitializers(replaceNode(graph, gemm, [fused]));
 * ```
 */
export function removeUnusedInitializers(graph: GraphProto): GraphProto {
  const used = new Set<string>(graph.output.map((v) => v.name ?? ""));
  for (const n of graph.node) {
    for (const i of n.input) used.add(i);
    for (const o of outerNames(n)) used.add(o);
  }
  const unused = new Set(graph.initializer.map((t) => t.name ?? "").filter((n) => !used.has(n)));
  if (unused.size === 0) return graph;
  return {
    ...graph,
    initializer: graph.initializer.filter((t) => !unused.has(t.name ?? "")),
    input: graph.input.filter((v) => !unused.has(v.name ?? "")),
  };
}

/**
 * The graph with a tensor renamed everywhere it appears: node inputs and outputs, initializers,
 * graph inputs, outputs and value_info, and inside subgraphs that read it from outside (a subgraph
 * that defines its own tensor of that name keeps it). Renaming to a name in use is ONNX_INVALID.
 *
 * @example
 * ```ts
 * const next = renameTensor(graph, "input", "pixels");
 * ```
 */
export function renameTensor(graph: GraphProto, from: string, to: string): GraphProto {
  if (from === to) return graph;
  if (namesIn(graph).has(to))
    throw new TikTokToeError("ONNX_INVALID", `cannot rename "${from}" to "${to}": that name is already used`);
  return renameIn(graph, from, to);
}

function renameIn(graph: GraphProto, from: string, to: string): GraphProto {
  const swap = (n: string) => (n === from ? to : n);
  const info = (v: ValueInfo) => (v.name === from ? { ...v, name: to } : v);
  return {
    ...graph,
    node: graph.node.map((n) => {
      const touched = n.input.includes(from) || n.output.includes(from) || outerNames(n).has(from);
      if (!touched) return n;
      return {
        ...n,
        input: n.input.map(swap),
        output: n.output.map(swap),
        attribute: n.attribute.map((a) =>
          a.g === undefined && a.graphs.length === 0
            ? a
            : {
                ...a,
                ...(a.g === undefined ? {} : { g: renameInner(a.g, from, to) }),
                graphs: a.graphs.map((g) => renameInner(g, from, to)),
              },
        ),
      };
    }),
    initializer: graph.initializer.map((t) => (t.name === from ? { ...t, name: to } : t)),
    input: graph.input.map(info),
    output: graph.output.map(info),
    valueInfo: graph.valueInfo.map(info),
  };
}

/** Inside a subgraph the outer name is renamed only where the subgraph does not shadow it. */
function renameInner(g: GraphProto, from: string, to: string): GraphProto {
  const shadows =
    g.input.some((v) => v.name === from) ||
    g.initializer.some((t) => t.name === from) ||
    g.node.some((n) => n.output.includes(from));
  return shadows ? g : renameIn(g, from, to);
}

/** Every tensor name a graph defines or reads. */
function namesIn(graph: GraphProto): Set<string> {
  const names = new Set<string>();
  for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) names.add(v.name ?? "");
  for (const t of graph.initializer) names.add(t.name ?? "");
  for (const n of graph.node) for (const x of [...n.input, ...n.output]) names.add(x);
  names.delete("");
  return names;
}

/**
 * The model's graph, or ONNX_INVALID for a model without one.
 *
 * @example
 * ```ts
 * const graph = requireGraph(model);
 * ```
 */
export function requireGraph(model: OnnxModel): GraphProto {
  if (model.graph === undefined) throw new TikTokToeError("ONNX_INVALID", "the model has no graph");
  return model.graph;
}

/**
 * The model with its graph replaced (the other fields shared).
 *
 * @example
 * ```ts
 * const next = withGraph(model, removeUnusedInitializers(requireGraph(model)));
 * ```
 */
export function withGraph(model: OnnxModel, graph: GraphProto): OnnxModel {
  return { ...model, graph };
}
