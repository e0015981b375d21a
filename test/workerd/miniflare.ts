/**
 * Bundles a Worker entry with scripts/build-worker.mjs (the same build as
 * deploys: platform neutral, workerd conditions) into a temp folder and runs
 * it in workerd through Miniflare 3.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare, type MiniflareOptions } from 'miniflare';
// @ts-expect-error plain .mjs build script without types
import { buildWorker } from '../../scripts/build-worker.mjs';
import type { KVNamespaceLike } from '../../src/connections/cloudflare-bindings.js';

/** Miniflare's binding options (kvNamespaces, durableObjects, queueProducers, bindings, ...). */
export type WorkerOptions = Record<string, unknown>;

export interface RunningWorker {
  mf: Miniflare;
  /** A KV namespace of the running Worker, typed as the drivers see KV. */
  kv(name: string): Promise<KVNamespaceLike>;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startWorker(entry: string, options: WorkerOptions = {}): Promise<RunningWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-workerd-'));
  const outfile = join(dir, 'worker.js');
  await (buildWorker as (o: { entry: string; outfile: string; minify: boolean }) => Promise<unknown>)({
    entry,
    outfile,
    minify: false,
  });
  const mf = new Miniflare({
    compatibilityDate: '2024-09-23',
    host: '127.0.0.1',
    port: 0,
    ...options,
    modules: true,
    scriptPath: outfile,
    modulesRoot: dir,
  } as MiniflareOptions);
  const url = await mf.ready;
  return {
    mf,
    kv: async (name) => (await mf.getKVNamespace(name)) as unknown as KVNamespaceLike,
    baseUrl: url.href.replace(/\/$/, ''),
    async close() {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
