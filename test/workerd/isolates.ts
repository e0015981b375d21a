/**
 * One Worker bundle run as several isolates in one workerd (Miniflare's
 * `workers`, each with its own direct socket) over the same KV namespace:
 * what the edge does when a visitor's requests reach different isolates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare, type MiniflareOptions } from 'miniflare';
// @ts-expect-error plain .mjs build script without types
import { buildWorker } from '../../scripts/build-worker.mjs';
import type { KVNamespaceLike } from '../../src/connections/cloudflare-bindings.js';
import type { WorkerOptions } from './miniflare.js';

export interface RunningIsolates {
  /** Each isolate's own URL. */
  baseUrls: string[];
  kv(name: string): Promise<KVNamespaceLike>;
  /** The workerd behind them (for other bindings, e.g. `getDurableObjectNamespace`). */
  mf: Miniflare;
  close(): Promise<void>;
}

/** `options` as for `startWorker`; `kvNamespaces` must name the namespace id, so the isolates share it. */
export async function startIsolates(
  entry: string,
  count: number,
  options: WorkerOptions = {},
): Promise<RunningIsolates> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-workerd-'));
  const outfile = join(dir, 'worker.js');
  await (buildWorker as (o: { entry: string; outfile: string; minify: boolean }) => Promise<unknown>)({
    entry,
    outfile,
    minify: false,
  });
  const names = Array.from({ length: count }, (_, i) => `isolate-${i}`);
  // A queue has one consumer: the first isolate (all of them send to it).
  const { queueConsumers, ...shared } = options;
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    workers: names.map((name, i) => ({
      name,
      compatibilityDate: '2024-09-23',
      ...shared,
      ...(i === 0 && queueConsumers !== undefined ? { queueConsumers } : {}),
      modules: true,
      scriptPath: outfile,
      modulesRoot: dir,
      unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    })),
  } as MiniflareOptions);
  await mf.ready;
  const baseUrls: string[] = [];
  for (const name of names) baseUrls.push((await mf.unsafeGetDirectURL(name)).href.replace(/\/$/, ''));
  return {
    baseUrls,
    mf,
    kv: async (name) => (await mf.getKVNamespace(name, names[0])) as unknown as KVNamespaceLike,
    async close() {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
