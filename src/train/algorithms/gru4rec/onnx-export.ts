/**
 * GRU4Rec weights → an ONNX model (opset 14) with the contract of
 * docs/onnx.md:
 *
 *   inputs   items       int64 [1, n]   the session's item indices, oldest first
 *            length      int64 [1]      how many of them count (n, or fewer with padding)
 *            candidates  int64 [c]      items to score (only with `candidates: true`)
 *   output   scores      float [1, c]   or [1, items] without candidates
 *
 * Graph: Gather(embed, items) → Transpose to [n, 1, H] → GRU (ONNX's own
 * operator, linear_before_reset = 1, the weights as they are) → Y_h reshaped
 * to [1, H] → Gemm with the (gathered) output embeddings and biases.
 * @module
 */
import onnxProto from 'onnx-proto';
import type { GruWeights } from './weights.js';

const { onnx } = onnxProto;
type Tensor = InstanceType<typeof onnx.TensorProto>;

export const ONNX_OPSET = 14;

function floats(name: string, dims: number[], data: Float32Array): Tensor {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
}

function int64s(name: string, values: number[]): Tensor {
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  return onnx.TensorProto.create({
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(data.buffer),
  });
}

function input(name: string, elem: number, dims: Array<number | string>) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: elem,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

const intAttr = (name: string, i: number) => ({ name, i, type: onnx.AttributeProto.AttributeType.INT });
const intsAttr = (name: string, ints: number[]) => ({
  name,
  ints,
  type: onnx.AttributeProto.AttributeType.INTS,
});

export function exportGru4RecOnnx(wt: GruWeights, o: { candidates: boolean }): Uint8Array<ArrayBuffer> {
  const { items, hidden: H } = wt;
  const { FLOAT, INT64 } = onnx.TensorProto.DataType;
  const node = (opType: string, inputs: string[], outputs: string[], attribute: object[] = []) =>
    onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: outputs[0] ?? opType, attribute });
  const nodes = [
    node('Gather', ['embed', 'items'], ['x_bn'], [intAttr('axis', 0)]),
    node('Transpose', ['x_bn'], ['x'], [intsAttr('perm', [1, 0, 2])]),
    node('Cast', ['length'], ['seq_lens'], [intAttr('to', onnx.TensorProto.DataType.INT32)]),
    node(
      'GRU',
      ['x', 'W', 'R', 'B', 'seq_lens'],
      ['y', 'y_h'],
      [intAttr('hidden_size', H), intAttr('linear_before_reset', 1)],
    ),
    node('Reshape', ['y_h', 'h_shape'], ['h']),
  ];
  if (o.candidates) {
    nodes.push(
      node('Gather', ['out', 'candidates'], ['out_c'], [intAttr('axis', 0)]),
      node('Gather', ['out_bias', 'candidates'], ['bias_c'], [intAttr('axis', 0)]),
      node('Gemm', ['h', 'out_c', 'bias_c'], ['scores'], [intAttr('transB', 1)]),
    );
  } else {
    nodes.push(node('Gemm', ['h', 'out', 'out_bias'], ['scores'], [intAttr('transB', 1)]));
  }
  const graph = onnx.GraphProto.create({
    name: 'gru4rec',
    node: nodes,
    initializer: [
      floats('embed', [items, H], wt.embed),
      floats('W', [1, 3 * H, H], wt.w),
      floats('R', [1, 3 * H, H], wt.r),
      floats('B', [1, 6 * H], wt.b),
      floats('out', [items, H], wt.out),
      floats('out_bias', [items], wt.outBias),
      int64s('h_shape', [1, H]),
    ],
    input: [
      input('items', INT64, [1, 'n']),
      input('length', INT64, [1]),
      ...(o.candidates ? [input('candidates', INT64, ['c'])] : []),
    ],
    output: [input('scores', FLOAT, [1, o.candidates ? 'c' : items])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'tessera',
    producerVersion: 'gru4rec/1',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph,
  });
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
