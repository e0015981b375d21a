/**
 * A crowd behind one address: the Node app at the defaults `tessera dev`
 * runs with (resolved the way the command resolves them), and 200 shoppers
 * on 127.0.0.1, each with their own signed id (minted by their consent post),
 * sending a batch every half second for 4 s, as the browser collector does.
 * None may get a 429: per-IP limits are for floods, not for a NAT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_DEFAULTS, nodeAppOptions, resolveCommandConfig } from '../../src/cli/commands/serve.js';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';

const SHOPPERS = 200;
const SECONDS = 4;
const PERIOD_MS = 500;

let dir: string;
let app: NodeApp;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-crowd-'));
  const config = resolveCommandConfig({ dataDir: dir }, {}, DEV_DEFAULTS);
  // Training and the retrain timer are not what this is about; the limits are dev's own.
  app = await createNodeApp({
    ...nodeAppOptions(config),
    retrainMs: 0,
    trainIfEmpty: false,
    logger: consoleLogger('error'),
  });
  base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
}, 30_000);

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const event = (type: string, extra: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(),
  type,
  ts: Date.now(),
  ...extra,
});

async function post(events: unknown[], cookie?: string): Promise<Response> {
  const res = await fetch(`${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ events }),
  });
  await res.arrayBuffer();
  return res;
}

/** Accepts the consent banner: the answer sets the shopper's signed id. */
async function arrive(): Promise<string> {
  const res = await post([event('consent', { props: { personalization: true, analytics: true } })]);
  expect(res.status).toBe(202);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  const id = cookies.find((c) => c.startsWith('tsr_id='));
  if (!id) throw new Error(`no tsr_id after consent (status ${res.status})`);
  return cookies.join('; ');
}

async function browse(cookie: string, items: string[], statuses: number[]): Promise<void> {
  const start = performance.now() + Math.random() * PERIOD_MS;
  for (let k = 0; k < (SECONDS * 1000) / PERIOD_MS; k++) {
    const wait = start + k * PERIOD_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const item = items[Math.floor(Math.random() * items.length)];
    const res = await post([event('view', { item }), event('scroll', { props: { depth: 50 } })], cookie);
    statuses.push(res.status);
  }
}

describe('a crowd behind one IP at the defaults of tessera dev', () => {
  it(`lets ${SHOPPERS} shoppers on one address send a batch every ${PERIOD_MS} ms without a 429`, async () => {
    const items = [...app.engine.catalog.keys()];
    const cookies = await Promise.all(Array.from({ length: SHOPPERS }, arrive));
    expect(new Set(cookies).size).toBe(SHOPPERS);
    const statuses: number[] = [];
    await Promise.all(cookies.map((c) => browse(c, items, statuses)));
    const counts: Record<number, number> = {};
    for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
    expect(statuses).toHaveLength((SHOPPERS * SECONDS * 1000) / PERIOD_MS);
    expect(counts).toEqual({ 202: statuses.length });
  }, 25_000);
});
