/**
 * The visitor-isolation suite against the Node runtime (SQLite store), with
 * a model that has a cold-start list for visitors referred by news.example;
 * plus what only Node exposes in-process: the decision trace says `gpc`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { engineStores } from '../helpers/engine-ports.js';
import type { Target } from '../helpers/node-target.js';
import { referrerEvents, visitorIsolationSuite } from './visitor-isolation.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{ id: string; category: string; in_stock: boolean }>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);
const hiking = catalog.filter((p) => p.category === 'hiking' && p.in_stock).map((p) => p.id);

async function startNode(mode: 'opt-in' | 'opt-out'): Promise<Target & { app: NodeApp }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-isolation-'));
  const app = await createNodeApp({
    dataDir: dir,
    store: `sqlite:${join(dir, 'tessera.db')}`,
    secret: 'isolation-suite-secret-isolation-suite-0',
    consentMode: mode,
    retrainMs: 0,
    trainIfEmpty: false,
    modelPollMs: 0,
    logger: consoleLogger('error'),
  });
  app.engine.models.swap(await trainShopModel(undefined, referrerEvents(hiking)));
  const port = await app.listen(0);
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    profileCount: async () => 0,
    eventCount: () => engineStores(app.engine).events.count(),
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

visitorIsolationSuite('Node, SQLite store', startNode, { running });

describe('decision trace under GPC', () => {
  it('says the consent came from GPC even when the consent cookie says yes', async () => {
    const t = await startNode('opt-in');
    try {
      const d = await t.app.engine.decide(
        new Request(`${t.baseUrl}/`, { headers: { cookie: 'tsr_consent=p1.a1', 'sec-gpc': '1' } }),
      );
      expect(d.visitor.id).toBeUndefined();
      expect(d.visitor.consent.source).toBe('gpc');
      expect(d.decision.trace[0]).toEqual({
        step: 'profile',
        detail: 'not used: no personalization consent (gpc); request context only',
      });
    } finally {
      await t.close();
    }
  });
});
