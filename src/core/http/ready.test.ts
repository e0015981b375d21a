import { describe, expect, it } from 'vitest';
import { createMemoryModelStore } from '../../models/memory.js';
import { createMemoryStore } from '../../profiles/memory.js';
import { createNodeRewriter } from '../../runtimes/node/html-rewriter.js';
import { buildModel } from '../../train/build-model.js';
import { createEngine, type EnginePorts } from '../engine.js';

const catalog = [
  { id: 'a', title: 'A', category: 'x', brand: 'm', price: 1, tags: [], in_stock: true },
  { id: 'b', title: 'B', category: 'x', brand: 'm', price: 2, tags: [], in_stock: true },
];

function engineWith(ports: Partial<EnginePorts>) {
  const stores = createMemoryStore();
  return createEngine(
    {
      site: { name: 'ready test', segments: [], slots: {} },
      catalog,
      settings: { secret: 'ready-test-secret-0123456789abcdef-xyz' },
    },
    { profiles: stores.profiles, events: stores.events, rewriter: createNodeRewriter, ...ports },
  );
}

async function ready(engine: ReturnType<typeof engineWith>) {
  const res = await engine.fetch(new Request('http://shop.test/ready'));
  return { status: res.status, body: (await res.json()) as { ready: boolean; reasons?: string[] } };
}

describe('GET /ready', () => {
  it('answers 503 until the model is loaded, then 200', async () => {
    const engine = engineWith({ models: createMemoryModelStore() });
    expect(await ready(engine)).toEqual({
      status: 503,
      body: { ready: false, reasons: ['model not loaded'] },
    });
    const { artifact } = await buildModel({ catalog, events: [] });
    engine.models.swap(artifact);
    expect(await ready(engine)).toEqual({ status: 200, body: { ready: true } });
  });

  it('does not wait for a model when the node has no model store (attributes only)', async () => {
    expect((await ready(engineWith({}))).status).toBe(200);
  });

  it('answers 503 with the runtime reasons while its store is unreachable', async () => {
    let down = true;
    const engine = engineWith({ notReady: () => (down ? ['store down'] : []) });
    expect(await ready(engine)).toEqual({ status: 503, body: { ready: false, reasons: ['store down'] } });
    down = false;
    expect((await ready(engine)).status).toBe(200);
  });

  it('answers only GET and HEAD', async () => {
    const res = await engineWith({}).fetch(new Request('http://shop.test/ready', { method: 'POST' }));
    expect(res.status).toBe(405);
  });
});
