import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { artifactVersion } from '../../core/recommend/index.js';
import { createFileModelStore } from '../../models/file.js';
import { buildModel } from '../../train/index.js';
import { createNodeApp, type NodeApp } from './app.js';
import { consoleLogger } from './logger.js';

let dir: string;
let app: NodeApp;
let base: string;
/** The model version is on /health for operators only. */
const ADMIN = 'hot-swap-admin-token-hot-swap-admin-token';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-swap-'));
  app = await createNodeApp({
    dataDir: dir,
    store: `sqlite:${join(dir, 'tessera.db')}`,
    secret: 'hot-swap-secret-hot-swap-secret-000000',
    retrainMs: 0,
    modelPollMs: 50,
    logger: consoleLogger('error'),
    adminToken: ADMIN,
  });
  base = `http://127.0.0.1:${await app.listen(0)}`;
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function servedVersion(): Promise<string> {
  const r = await fetch(`${base}/health`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return ((await r.json()) as { model: string }).model;
}

/** What `tessera train` in another process does: a new artifact into the same file store. */
async function publish(k: number): Promise<string> {
  const catalog = [...app.engine.catalog.values()];
  const { artifact } = await buildModel({ catalog, events: [], k, now: Date.now() });
  await createFileModelStore({ path: join(dir, 'model.tsra') }).put(artifact);
  return artifactVersion(artifact);
}

describe('model hot swap', () => {
  it('serves the new version after the store gets a new artifact, without a restart', async () => {
    const before = await servedVersion();
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    const next = await publish(7);
    expect(next).not.toBe(before);
    await vi.waitFor(async () => expect(await servedVersion()).toBe(next), { timeout: 5000, interval: 25 });
  });

  it('answers every request while a swap happens', async () => {
    const next = await publish(9);
    const pages = Array.from({ length: 30 }, () => fetch(`${base}/`).then((r) => r.status));
    const swapped = app.models!.check();
    const statuses = await Promise.all(pages);
    await swapped;
    expect(statuses).toEqual(statuses.map(() => 200));
    expect(await servedVersion()).toBe(next);
    expect(await app.models!.check()).toBeUndefined(); // nothing new: no reload
  });
});
