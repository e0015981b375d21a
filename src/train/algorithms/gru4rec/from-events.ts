/**
 * GRU4Rec inside `tessera train --algorithm gru4rec`: the sessions of the
 * event log (item ids) on the catalog's item indices, trained with the
 * defaults, exported to ONNX for the artifact's `sessionOnnx` section (the
 * candidates form: the engine scores its neighbour-based candidates).
 * Progress goes to `log` every tenth of the run.
 * @module
 */
import { exportGru4RecOnnx } from './onnx-export.js';
import { GRU4REC_DEFAULTS, trainGru4Rec } from './train.js';

export function gru4recFromSessions(
  sessions: string[][],
  itemIds: string[],
  index: Map<string, number>,
  log: (line: string) => void,
): { onnx: Uint8Array; params: Record<string, number> } {
  const data = {
    itemIds,
    sessions: sessions.map((s, n) => {
      const items = Int32Array.from(s.map((id) => index.get(id) ?? -1).filter((i) => i >= 0));
      return { id: String(n), items, ts: new Float64Array(items.length) };
    }),
  };
  let shown = -1;
  const weights = trainGru4Rec(data, GRU4REC_DEFAULTS, (done, total, loss) => {
    const tenth = Math.floor((10 * done) / total);
    if (tenth === shown) return;
    shown = tenth;
    log(`gru4rec: ${done}/${total} mini-batches, loss ${loss.toFixed(3)}`);
  });
  return { onnx: exportGru4RecOnnx(weights, { candidates: true }), params: { ...GRU4REC_DEFAULTS } };
}
