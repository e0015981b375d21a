/**
 * The model registry across three `tessera serve` processes on the real
 * Redis (store and model registry) and NATS (bus and event log): two
 * versions are imported, production is promoted to the second and rolled
 * back to the first with `tessera model`, and every node must serve the new
 * production version within 5 s of the command, each time.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/runtimes/node/app.js';
import { writeTwoModels } from '../helpers/model-artifacts.js';
import { NATS_SERVERS, REDIS_URL } from '../helpers/services.js';
import { clusterDeployment } from './deployment.js';
import { CLUSTER_ADMIN_TOKEN, waitFor } from './launcher.js';

/** The model version a node serves, from its /health. */
async function servedModel(base: string): Promise<string | null> {
  const res = await fetch(`${base}/health`, {
    headers: { authorization: `Bearer ${CLUSTER_ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(3000),
  });
  return ((await res.json()) as { model: string | null }).model;
}

describe('model promotion and rollback across three nodes', () => {
  const cluster = clusterDeployment('mr');
  const { dir, prefix, nodes } = cluster;
  let v1: string;
  let v2: string;

  /** `tessera model …` (the built CLI) against the nodes' Redis, NATS and prefix. */
  const model = (...args: string[]) =>
    new Promise<unknown>((resolve, reject) => {
      const flags = ['--store', REDIS_URL, '--bus', `nats://${NATS_SERVERS}`, '--prefix', prefix];
      const dataDir = ['--data-dir', join(dir, 'cli')];
      execFile(
        process.execPath,
        [join(packageRoot, 'dist/cli/main.js'), 'model', ...args, ...flags, ...dataDir, '--json'],
        { cwd: packageRoot },
        (e, stdout, stderr) =>
          e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });

  /** Runs the command, then waits until every node serves `version`: ms from the command's start. */
  async function rollOut(version: string, ...args: string[]): Promise<number> {
    const t0 = performance.now();
    await model(...args);
    const commandMs = performance.now() - t0;
    await waitFor(
      `every node to serve ${version}`,
      async () =>
        (await Promise.all(nodes.map((n) => servedModel(n.url)))).every((m) => m === version)
          ? true
          : undefined,
      10_000,
    );
    const ms = performance.now() - t0;
    console.log(
      `[cluster] model ${args.join(' ')}: three nodes serve ${version} ${ms.toFixed(0)} ms after the command started (the command took ${commandMs.toFixed(0)} ms)`,
    );
    return ms;
  }

  beforeAll(async () => {
    [{ version: v1 }, { version: v2 }] = (await writeTwoModels(dir)) as [
      { version: string; file: string },
      { version: string; file: string },
    ];
    await cluster.start(['node-a', 'node-b', 'node-c']);
    await model('import', join(dir, 'model-1.tsra'));
    await model('import', join(dir, 'model-2.tsra'));
  }, 90_000);

  afterAll(async () => {
    await cluster.stop();
  }, 30_000);

  it('serves a promoted version on every node within 5 s, and the previous one again after a rollback', async () => {
    expect(await rollOut(v1, 'promote', v1)).toBeLessThan(5000);
    expect(await rollOut(v2, 'promote', v2)).toBeLessThan(5000);
    const listed = (await model('list')) as { aliases: { production: string; history: string[] } };
    expect(listed.aliases.production).toBe(v2);
    expect(listed.aliases.history.at(-1)).toBe(v1);
    expect(await rollOut(v1, 'rollback')).toBeLessThan(5000);
    // And the same move again: forward to v2, back to v1.
    expect(await rollOut(v2, 'promote', v2)).toBeLessThan(5000);
    expect(await rollOut(v1, 'rollback')).toBeLessThan(5000);
  }, 60_000);
});
