/**
 * Test-only routes (`--test-endpoints`), so cluster tests can compare what
 * each node holds. They expose profiles by visitor id: never enable them on
 * a node the public can reach.
 *
 * - `GET /_tessera/profile?visitor=ID`: the profile as this node sees it
 *   (cache, else store) as canonical JSON (keys sorted), or `null`; the
 *   `x-tessera-profile-source` header says which.
 * - `GET /_tessera/cluster`: the bus counters of this node.
 * @module
 */
import type { Engine } from '../../core/engine.js';
import { pathOf } from '../../core/http/path.js';
import { jsonReply } from '../../core/http/reply.js';

/** JSON with object keys sorted at every level: equal profiles give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

export function withTestRoutes(engine: Engine, stats?: () => unknown): Engine {
  const handle: Engine['handle'] = async (req) => {
    const path = pathOf(req.url);
    if (path === '/_tessera/profile' && req.method === 'GET') {
      const visitor = new URL(req.url, 'http://node').searchParams.get('visitor') ?? '';
      const cached = engine.profiles.held(visitor);
      const profile = cached ?? (await engine.profiles.get(visitor)) ?? null;
      return {
        status: 200,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          'x-tessera-profile-source': cached ? 'cache' : 'store',
        },
        cookies: [],
        body: canonicalJson({ visitor, profile }),
      };
    }
    if (path === '/_tessera/cluster' && req.method === 'GET') {
      return jsonReply(200, { stats: stats?.() ?? null });
    }
    return engine.handle(req);
  };
  return { ...engine, handle, fetch: engine.fetch };
}
