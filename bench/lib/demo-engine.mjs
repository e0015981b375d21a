// An in-process engine on the demo shop with the memory store and a trained
// model, plus visitors with a history: what the decision benchmarks run on.
import { join } from 'node:path';
import { createKeyRing, newVisitorId, signId } from '../../dist/core/identity/index.js';
import { createEngine } from '../../dist/core/index.js';
import { parseSiteConfig } from '../../dist/core/segments/index.js';
import { createMemoryStore } from '../../dist/profiles/memory.js';
import { loadSite, packageRoot } from '../../dist/runtimes/node/app.js';
import { createNodeRewriter } from '../../dist/runtimes/node/html-rewriter.js';
import { buildModel } from '../../dist/train/index.js';

export const SECRET = 'bench-secret-bench-secret-bench-secret';

export async function demoEngine({ visitors = 200, views = 3, ports = {} } = {}) {
  const shop = await loadSite(join(packageRoot, 'examples/shop'));
  const site = parseSiteConfig(shop.site);
  const store = createMemoryStore();
  const engine = createEngine(
    { site, catalog: shop.catalog, settings: { secret: SECRET, nodeId: 'bench', consentMode: 'opt-in' } },
    {
      profiles: store.profiles,
      events: store.events,
      rewriter: createNodeRewriter,
      origin: { render: (p) => shop.render(p) },
      assets: {},
      ...ports,
    },
  );
  const { artifact } = await buildModel({ catalog: shop.catalog, events: [] });
  engine.models.swap(artifact);
  const ring = createKeyRing(SECRET);
  const byCat = new Map();
  for (const p of shop.catalog) {
    if (!byCat.has(p.category)) byCat.set(p.category, []);
    byCat.get(p.category).push(p.id);
  }
  const cats = [...byCat.keys()];
  const people = [];
  const now = Date.now();
  for (let v = 0; v < visitors; v++) {
    const id = newVisitorId();
    const items = byCat.get(cats[v % cats.length]);
    const events = [];
    for (let i = 0; i < views; i++) {
      events.push({
        id: `e${v}-${i}`,
        type: 'view',
        ts: now - (views - i) * 1000,
        item: items[(v * 7 + i * 3) % items.length],
      });
    }
    await engine.ingest(id, events);
    const cookie = `tsr_id=${await signId(ring, id)}; tsr_consent=p1.a1`;
    people.push({ id, cookie, category: cats[v % cats.length] });
  }
  return { engine, shop, site, people };
}

/** A RequestLike as the Node runtime builds it: headers read from a plain object. */
export function requestFor(path, cookie) {
  const h = {
    host: 'shop.test',
    cookie,
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36',
    'accept-language': 'en-GB,en;q=0.8',
    'cf-ipcountry': 'GB',
  };
  return {
    method: 'GET',
    url: `http://shop.test${path}`,
    headers: { get: (n) => h[n] ?? null },
    text: async () => '',
  };
}
