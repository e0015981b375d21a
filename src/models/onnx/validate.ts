/**
 * What `tessera model import --onnx` checks before it registers anything: the
 * contract (contract.ts), then one inference on a one-click session, whose
 * scores must have the promised length and be finite. Any failure throws, and
 * the caller has not touched the registry yet.
 * @module
 */
import { checkOnnxContract, type OnnxContract, onnxError } from './contract.js';
import { createOnnxScorer, type OrtLike } from './scorer.js';

export async function validateOnnxModel(
  ort: OrtLike,
  bytes: Uint8Array,
  items: number,
): Promise<OnnxContract> {
  const contract = checkOnnxContract(bytes, items);
  let scores: Float32Array;
  try {
    const scorer = await createOnnxScorer(ort, bytes, contract, items);
    const candidates = contract.candidates
      ? Int32Array.from({ length: Math.min(items, 8) }, (_, i) => i)
      : undefined;
    scores = await scorer.score([0], candidates);
    const want = candidates ? candidates.length : items;
    if (scores.length !== want) throw onnxError(`scores has ${scores.length} values, expected ${want}`);
  } catch (cause) {
    if (cause instanceof Error && cause.message.startsWith('[tessera] [onnx]')) throw cause;
    throw onnxError(
      `the test inference failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    );
  }
  if (!scores.every(Number.isFinite)) throw onnxError('the test inference returned non-finite scores');
  return contract;
}
