/**
 * Reads GRU4Rec's weights back out of an ONNX graph, so the pure TypeScript
 * forward pass (train/algorithms/gru4rec/forward.ts) runs a model that came
 * as an ONNX file (`tessera model import --onnx`, or a trained artifact's
 * ONNX section) where wasm is not wanted.
 *
 * The TypeScript pass computes one graph only, so the graph must be that
 * graph, whatever its tensors are called: the click embeddings gathered from
 * an initializer by `items` (and transposed to [n, 1, H]), one forward `GRU`
 * with `linear_before_reset = 1`, the default activations and no initial
 * state, its final hidden state reshaped to [1, H], and `Gemm(h, out, bias)`
 * with `transB = 1` giving `scores`, where `out` and `bias` are initializers
 * or their rows gathered by `candidates`. Anything else (another operator, a
 * wiring, a weight kept outside the file) is refused with a
 * `[tessera] [onnx] …` error that names what the graph lacks.
 * @module
 */
import onnxProto from 'onnx-proto';
import type { GruWeights } from '../../train/algorithms/gru4rec/weights.js';
import { onnxError } from './contract.js';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

/** The operators of the exported GRU4Rec graph (onnx-export.ts) and the shape-only ones around them. */
const UNDERSTOOD = new Set(['Gather', 'Transpose', 'Cast', 'GRU', 'Reshape', 'Squeeze', 'Flatten', 'Gemm']);
/** Operators that only change a tensor's shape, followed through when tracing a value. */
const SHAPE_ONLY = new Set(['Reshape', 'Squeeze', 'Flatten']);

const refuse = (what: string) =>
  onnxError(`the TypeScript path cannot run this graph: ${what} (it runs the GRU4Rec graph of docs/onnx.md)`);

function attr(node: Node, name: string): onnxProto.onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

function intAttr(node: Node, name: string, fallback: number): number {
  const a = attr(node, name);
  return a?.i != null ? Number(a.i) : fallback;
}

/** A float initializer's values, checked against `dims` (undefined in `dims`: any size). */
function floats(t: Tensor, dims: Array<number | undefined>, role: string): Float32Array {
  const { FLOAT } = onnx.TensorProto.DataType;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
    throw refuse(`${role} "${t.name}" is stored outside the file (external data)`);
  if (t.dataType !== FLOAT) throw refuse(`${role} "${t.name}" is not a float tensor`);
  const shape = (t.dims ?? []).map(Number);
  if (shape.length !== dims.length || dims.some((d, i) => d !== undefined && d !== shape[i]))
    throw refuse(
      `${role} "${t.name}" has shape [${shape.join(', ')}], expected [${dims.map((d) => d ?? '?').join(', ')}]`,
    );
  const n = shape.reduce((a, b) => a * b, 1);
  let out: Float32Array;
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== n * 4) throw refuse(`${role} "${t.name}" has ${t.rawData.length} bytes of data`);
    // Copied: the protobuf's bytes need not be 4-byte aligned. ONNX raw data is little-endian, as are our hosts.
    out = new Float32Array(n);
    new Uint8Array(out.buffer).set(t.rawData);
  } else {
    out = Float32Array.from(t.floatData ?? []);
    if (out.length !== n) throw refuse(`${role} "${t.name}" has ${out.length} values, expected ${n}`);
  }
  return out;
}

class Graph {
  readonly producer = new Map<string, Node>();
  readonly weights = new Map<string, Tensor>();
  readonly inputs: Set<string>;

  constructor(graph: onnxProto.onnx.IGraphProto) {
    for (const t of graph.initializer ?? []) this.weights.set(t.name ?? '', t);
    this.inputs = new Set((graph.input ?? []).map((v) => v.name ?? '').filter((n) => !this.weights.has(n)));
    for (const node of graph.node ?? []) {
      const op = node.opType ?? '';
      if (node.domain) throw refuse(`operator ${node.domain}.${op} is not in the default domain`);
      if (!UNDERSTOOD.has(op))
        throw refuse(`operator ${op} is not one it runs (${[...UNDERSTOOD].join(', ')})`);
      for (const o of node.output ?? []) if (o) this.producer.set(o, node);
    }
  }

  /** The node that makes `value`, past shape-only operators. */
  source(value: string): Node | undefined {
    let node = this.producer.get(value);
    while (node && SHAPE_ONLY.has(node.opType ?? '')) node = this.producer.get(node.input?.[0] ?? '');
    return node;
  }

  weight(value: string | undefined, role: string): Tensor {
    const t = value ? this.weights.get(value) : undefined;
    if (!t) throw refuse(`${role} is not a weight of the file (an initializer)`);
    return t;
  }

  /** A table of rows: an initializer itself, or its rows gathered (axis 0) by the graph input `by`. */
  table(value: string | undefined, by: string, role: string): Tensor {
    if (value && this.weights.has(value)) return this.weights.get(value)!;
    const node = value ? this.producer.get(value) : undefined;
    if (node?.opType !== 'Gather' || intAttr(node, 'axis', 0) !== 0 || node.input?.[1] !== by)
      throw refuse(`${role} is neither a weight nor a weight's rows gathered by "${by}"`);
    return this.weight(node.input?.[0], role);
  }
}

/** GRU4Rec's weights from an ONNX model's bytes; throws `[tessera] [onnx] …` for any other graph. */
export function readGru4RecOnnx(bytes: Uint8Array): GruWeights {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw onnxError('not an ONNX model (the protobuf does not decode)', cause);
  }
  if (!model.graph?.node?.length) throw onnxError('not an ONNX model (no graph)');
  const g = new Graph(model.graph);

  const grus = model.graph.node.filter((n) => n.opType === 'GRU');
  if (grus.length !== 1) throw refuse(`it has ${grus.length} GRU nodes, not one`);
  const gru = grus[0]!;
  if (intAttr(gru, 'linear_before_reset', 0) !== 1) throw refuse('the GRU lacks linear_before_reset = 1');
  const direction = attr(gru, 'direction')?.s;
  if (direction && new TextDecoder().decode(direction) !== 'forward')
    throw refuse('the GRU is not a forward one (direction)');
  const activations = (attr(gru, 'activations')?.strings ?? []).map((s) => new TextDecoder().decode(s));
  if (activations.length > 0 && activations.join(',') !== 'Sigmoid,Tanh')
    throw refuse(`the GRU's activations are ${activations.join(', ')}, not Sigmoid, Tanh`);
  if (attr(gru, 'clip')) throw refuse('the GRU clips its cell (clip)');
  if (intAttr(gru, 'layout', 0) !== 0) throw refuse('the GRU has layout = 1 (batch first)');
  const [x, wName, rName, bName, , initialH] = gru.input ?? [];
  if (initialH) throw refuse('the GRU starts from a given state (initial_h), not from zero');

  const w = g.weight(wName, 'the GRU input weights W');
  const wShape = (w.dims ?? []).map(Number);
  const H = intAttr(gru, 'hidden_size', wShape[1] !== undefined ? wShape[1] / 3 : 0);
  if (wShape[2] !== H) throw refuse(`the GRU's input size ${wShape[2]} differs from its hidden size ${H}`);

  // The GRU's input: the embeddings of the clicks, gathered by `items` (then transposed to [n, 1, H]).
  let xNode = x ? g.producer.get(x) : undefined;
  if (xNode?.opType === 'Transpose') {
    const perm = (attr(xNode, 'perm')?.ints ?? []).map(Number).join(',');
    if (perm !== '1,0,2') throw refuse(`the clicks are transposed by [${perm}], not [1, 0, 2]`);
    xNode = g.producer.get(xNode.input?.[0] ?? '');
  }
  if (xNode?.opType !== 'Gather' || xNode.input?.[1] !== 'items' || intAttr(xNode, 'axis', 0) !== 0)
    throw refuse('the GRU input is not the item embeddings gathered by "items"');
  const embedT = g.weight(xNode.input?.[0], 'the item embeddings');
  const items = Number(embedT.dims?.[0] ?? 0);

  // `scores` = Gemm(final hidden state, output embeddings, bias), transB = 1.
  const gemm = g.source('scores');
  if (gemm?.opType !== 'Gemm') throw refuse('"scores" is not made by a Gemm');
  if (intAttr(gemm, 'transA', 0) !== 0 || intAttr(gemm, 'transB', 0) !== 1)
    throw refuse('the Gemm is not h · outᵀ (transA = 0, transB = 1)');
  for (const name of ['alpha', 'beta'])
    if ((attr(gemm, name)?.f ?? 1) !== 1) throw refuse(`the Gemm scales by ${name} ≠ 1`);
  const [hName, outName, biasName] = gemm.input ?? [];
  if (!hName || !gru.output?.[1] || !traces(g, hName, gru.output[1]))
    throw refuse("the Gemm's first input is not the GRU's final hidden state (Y_h, reshaped to [1, H])");
  const outT = g.table(outName, 'candidates', 'the output item embeddings');
  const outBias = biasName
    ? floats(g.table(biasName, 'candidates', 'the item bias'), [items], 'the item bias')
    : new Float32Array(items);

  const b = bName
    ? floats(g.weight(bName, 'the GRU biases B'), [1, 6 * H], 'the GRU biases B')
    : new Float32Array(6 * H);
  return {
    items,
    hidden: H,
    embed: floats(embedT, [items, H], 'the item embeddings'),
    w: floats(w, [1, 3 * H, H], 'the GRU input weights W'),
    r: floats(g.weight(rName, 'the GRU recurrent weights R'), [1, 3 * H, H], 'the GRU recurrent weights R'),
    b,
    out: floats(outT, [items, H], 'the output item embeddings'),
    outBias,
  };
}

/** Whether `value` is `target` past shape-only operators. */
function traces(g: Graph, value: string, target: string): boolean {
  let v = value;
  for (;;) {
    if (v === target) return true;
    const node = g.producer.get(v);
    if (!node || !SHAPE_ONLY.has(node.opType ?? '')) return false;
    v = node.input?.[0] ?? '';
  }
}
