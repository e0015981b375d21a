/**
 * A test Worker for the ONNX ranker in workerd: POST /load with an .onnx
 * body creates the session; POST /score { clicks, candidates, repeat } runs
 * the model `repeat` times and returns the last scores (the benchmark times
 * batches from outside: workerd's clock only moves on I/O).
 */

import { checkOnnxContract, type OnnxContract } from '../../src/models/onnx/contract.js';
import { createOnnxScorer, type SessionScorer } from '../../src/models/onnx/scorer.js';
import { loadOrtWorker } from '../../src/runtimes/cloudflare/onnx-runtime.js';
import wasm from './ort-wasm-simd-threaded.wasm';

let scorer: SessionScorer | undefined;
let contract: OnnxContract | undefined;

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    try {
      if (url.pathname === '/load') {
        const bytes = new Uint8Array(await req.arrayBuffer());
        const items = Number(url.searchParams.get('items'));
        contract = checkOnnxContract(bytes, items);
        scorer = await createOnnxScorer(await loadOrtWorker(wasm), bytes, contract, items);
        return Response.json(contract);
      }
      if (url.pathname === '/score' && scorer) {
        const q = (await req.json()) as { clicks: number[]; candidates: number[]; repeat?: number };
        let out: Float32Array = new Float32Array(0);
        for (let i = 0; i < (q.repeat ?? 1); i++) out = await scorer.score(q.clicks, q.candidates);
        return Response.json(Array.from(out));
      }
      return new Response('not found', { status: 404 });
    } catch (e) {
      return new Response(String(e instanceof Error ? e.stack : e), { status: 500 });
    }
  },
};
