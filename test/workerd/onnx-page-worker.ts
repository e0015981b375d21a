/**
 * The demo shop's rules and catalog behind the generic fetch handler, with
 * the ONNX session ranker of the bundle's wasm (CompiledWasm): the page path
 * in workerd. Test routes: `POST /__test/model?budget=MS` swaps the artifact
 * in the body in and answers once its ranker is ready; every page request
 * may have its debug trace (the test has no admin tokens).
 */
import catalog from '../../examples/shop/catalog.json' with { type: 'json' };
import site from '../../examples/shop/site.json' with { type: 'json' };
import type { CatalogItem } from '../../src/core/config.js';
import { parseSiteConfig } from '../../src/core/segments/index.js';
import { createFetchHandler, type FetchHandler } from '../../src/runtimes/cloudflare/handler.js';
import { onnxWorkerRankers } from '../../src/runtimes/cloudflare/onnx-runtime.js';
import wasm from './ort-wasm-simd-threaded.wasm';

const PAGE =
  '<!doctype html><html><body><main><section data-tessera-slot="recommended"></section></main></body></html>';

let handler: FetchHandler | undefined;

function handlerWith(budgetMs: number): FetchHandler {
  return createFetchHandler({
    site: parseSiteConfig(site),
    catalog: catalog as unknown as CatalogItem[],
    settings: { secret: 'workerd-onnx-page-secret-0123456789', secureCookies: false },
    ports: {
      origin: { render: () => ({ status: 200, html: PAGE }) },
      canDebug: async () => true,
      sessionRanker: onnxWorkerRankers(wasm, { budgetMs }),
    },
  });
}

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    try {
      if (url.pathname === '/__test/model') {
        handler = handlerWith(Number(url.searchParams.get('budget') ?? 2));
        const engine = await handler.engine();
        engine.models.swap(await req.arrayBuffer());
        return Response.json({ ranker: (await engine.models.rankerReady()) ?? null });
      }
      if (!handler) return new Response('no model yet', { status: 503 });
      return await handler(req);
    } catch (e) {
      return new Response(String(e instanceof Error ? e.stack : e), { status: 500 });
    }
  },
};
