/**
 * The test-only routes every runtime's test server adds in front of the
 * shop (test/workerd/shop-test-worker.ts has the same for workerd).
 * @module
 */
import type { Engine } from '../../src/core/engine.js';
import { TOMBSTONE_PREFIX } from '../../src/core/privacy/tombstones.js';
import { engineStores } from '../helpers/engine-ports.js';

/** Profiles the engine's store holds (through `ids()`), erasure tombstones left out. */
export async function countStoredProfiles(engine: Engine): Promise<number> {
  const store = engineStores(engine).profiles;
  if (!store.ids) throw new Error(`[test] the ${store.name} store cannot list its ids`);
  let n = 0;
  for await (const id of store.ids()) if (!id.startsWith(TOMBSTONE_PREFIX)) n++;
  return n;
}

export function testRoutes(engine: Engine, profiles: () => Promise<number>) {
  return async (req: Request): Promise<Response | undefined> => {
    const { pathname } = new URL(req.url);
    if (pathname === '/__test/events')
      return Response.json({ count: await engineStores(engine).events.count() });
    if (pathname === '/__test/profiles') {
      await engine.idle();
      await engine.flush();
      return Response.json({ count: await profiles() });
    }
    return undefined;
  };
}
