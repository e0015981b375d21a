/**
 * The contract an ONNX session model must meet to be served (docs/onnx.md),
 * checked on the decoded graph before anything runs it:
 *
 *   inputs   items       int64 [1, n]      recent item indices, oldest first (required)
 *            length      int64 [1]         how many of them count (required)
 *            candidates  int64 [c]         items to score (optional)
 *            context     float [1, f]      context features (optional)
 *   output   scores      float [1, items]  or [1, c] when the model takes candidates
 *
 * Shapes may use symbolic dimensions where the table has a letter; fixed
 * ones must match. Opsets 7–21 of the default domain are accepted.
 * @module
 */
import onnxProto from 'onnx-proto';
import { TesseraError } from '../../core/errors.js';

const { onnx } = onnxProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;

export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

export interface OnnxContract {
  opset: number;
  /** True when the model takes `candidates` and scores only them. */
  candidates: boolean;
  /** Context features the model takes (0: no `context` input). */
  contextFeatures: number;
  /** Names of the graph's weights, so inputs that are initializers are not asked for. */
  producer: string;
}

export function onnxError(message: string, cause?: unknown): TesseraError {
  return new TesseraError(400, `[tessera] [onnx] ${message}`, cause === undefined ? {} : { cause });
}

/** Each dimension: a number when fixed, a name when symbolic, undefined when unknown. */
function shapeOf(v: ValueInfo): Array<number | string | undefined> {
  const dims = v.type?.tensorType?.shape?.dim;
  if (!dims) throw onnxError(`${v.name}: no tensor shape`);
  return dims.map((d) =>
    d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : (d.dimParam ?? undefined),
  );
}

function expectTensor(
  v: ValueInfo,
  elem: number,
  elemName: string,
  rank: number,
  fixed: Record<number, number>,
): void {
  const t = v.type?.tensorType;
  if (!t || t.elemType !== elem) throw onnxError(`${v.name} must be a ${elemName} tensor`);
  const shape = shapeOf(v);
  const want = Array.from({ length: rank }, (_, i) => fixed[i] ?? '?').join(', ');
  if (shape.length !== rank)
    throw onnxError(`${v.name} must have shape [${want}], has [${shape.join(', ')}]`);
  for (const [i, n] of Object.entries(fixed)) {
    const d = shape[Number(i)];
    if (typeof d === 'number' && d !== n)
      throw onnxError(`${v.name} must have shape [${want}], has [${shape.join(', ')}]`);
  }
}

/** Decodes and checks the graph's opset, inputs and output against the contract for `items` items. */
export function checkOnnxContract(bytes: Uint8Array, items: number): OnnxContract {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw onnxError('not an ONNX model (the protobuf does not decode)', cause);
  }
  const graph = model.graph;
  if (!graph?.node || graph.node.length === 0) throw onnxError('not an ONNX model (no graph)');
  const opset = Number((model.opsetImport ?? []).find((o) => !o.domain)?.version ?? 0);
  if (opset < MIN_OPSET || opset > MAX_OPSET)
    throw onnxError(`opset ${opset} is not supported (${MIN_OPSET}–${MAX_OPSET})`);
  const weights = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = new Map(
    (graph.input ?? []).filter((v) => !weights.has(v.name)).map((v) => [v.name ?? '', v]),
  );
  const { INT64, FLOAT } = onnx.TensorProto.DataType;
  const items_ = inputs.get('items');
  const length = inputs.get('length');
  if (!items_ || !length)
    throw onnxError(`inputs must include "items" and "length"; has ${[...inputs.keys()].join(', ')}`);
  expectTensor(items_, INT64, 'int64', 2, { 0: 1 });
  expectTensor(length, INT64, 'int64', 1, { 0: 1 });
  const cand = inputs.get('candidates');
  if (cand) expectTensor(cand, INT64, 'int64', 1, {});
  const context = inputs.get('context');
  let contextFeatures = 0;
  if (context) {
    expectTensor(context, FLOAT, 'float', 2, { 0: 1 });
    const f = shapeOf(context)[1];
    if (typeof f !== 'number') throw onnxError('context must have a fixed feature count [1, f]');
    contextFeatures = f;
  }
  const extra = [...inputs.keys()].filter((n) => !['items', 'length', 'candidates', 'context'].includes(n));
  if (extra.length > 0) throw onnxError(`unknown inputs ${extra.join(', ')} (see docs/onnx.md)`);
  const outputs = graph.output ?? [];
  const scores = outputs.find((v) => v.name === 'scores');
  if (!scores) throw onnxError(`output must be "scores"; has ${outputs.map((v) => v.name).join(', ')}`);
  expectTensor(scores, FLOAT, 'float', 2, cand ? { 0: 1 } : { 0: 1, 1: items });
  return {
    opset,
    candidates: cand !== undefined,
    contextFeatures,
    producer: model.producerName || 'unknown',
  };
}
