/**
 * A node whose event log (NATS JetStream) is down at start and that has no
 * model file: it starts on the model the catalog alone gives, says so on
 * `/health`, and trains on the log once the log is back (the retrain timer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { type ServiceProcess, startNatsServer } from './launcher.js';

const ADMIN = 'log-down-admin-token-log-down-admin-token';

interface Detail {
  status: string;
  degraded: string[];
  model: string | null;
  modelSource?: { source: string; reason: string };
}

describe('a node started with its event log down and no model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-log-down-'));
  let nats: ServiceProcess;
  let app: NodeApp;
  let base: string;
  // What the node said (retrain failures are warnings): printed if the log never comes back for it.
  const lines: string[] = [];
  const detail = async (): Promise<Detail> =>
    (await (
      await fetch(`${base}/health`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as Detail;

  beforeAll(async () => {
    // A port of our own with nothing listening on it until the server is started again below.
    nats = await startNatsServer(join(dir, 'nats'));
    await nats.stop();
    app = await createNodeApp({
      dataDir: join(dir, 'node'),
      store: 'memory:',
      secret: 'log-down-secret-log-down-secret-0000000',
      adminToken: ADMIN,
      retrainMs: 200,
      modelPollMs: 0,
      logger: consoleLogger('info', { write: (line) => lines.push(line) }),
      cluster: { log: `nats://127.0.0.1:${nats.port}`, prefix: 'logdown' },
    });
    base = `http://127.0.0.1:${await app.listen(0)}`;
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves pages on the attribute-only model and says so on /health', async () => {
    const page = await fetch(`${base}/product/${[...app.engine.catalog.keys()][0]}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-tessera-item');
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'degraded' });
    const h = await detail();
    expect(h.status).toBe('degraded');
    expect(h.degraded).toEqual(expect.arrayContaining(['model', 'nats']));
    expect(h.model).toBeTypeOf('string');
    expect(h.modelSource).toEqual({ source: 'attributes-only', reason: 'log unavailable' });
  });

  it('trains on the log once the log is back and is no longer degraded', async () => {
    await nats.start();
    try {
      await vi.waitFor(
        async () => {
          const h = await detail();
          expect(h.modelSource).toBeUndefined();
          expect(h.degraded).toEqual([]);
          expect(h.status).toBe('ok');
        },
        // Training waits its turn on a loaded machine (the full suite runs files in parallel).
        { timeout: 60_000, interval: 200 },
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\nwhat the node logged:\n${lines.slice(-40).join('\n')}`, {
        cause: e,
      });
    }
    expect((await detail()).model).toBeTypeOf('string');
  }, 90_000);
});
