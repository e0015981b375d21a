/**
 * The server a simulation drives when no `--url` is given: the Node runtime
 * on 127.0.0.1 with an in-memory store, serving a copy of the demo shop whose
 * experiment is switched on (and, for the A/A check, given the popular
 * recommender in both arms). Its clock is the simulation's and it mints
 * visitor ids from the seed, so a seeded run is reproducible; the secret and
 * the admin token stay random (neither changes a result).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogItem, ExperimentDef, SiteConfig } from '../core/config.js';
import { seededVisitorIds } from '../core/identity/index.js';
import { createNodeApp, type NodeApp, type NodeAppOptions, packageRoot } from '../runtimes/node/app.js';
import { consoleLogger } from '../runtimes/node/logger.js';

export interface SimServer {
  url: string;
  token: string;
  app: NodeApp;
  catalog: CatalogItem[];
  close(): Promise<void>;
}

/** A copy of the shop at `siteDir` with `experiment` running (and both arms popular when asked). */
export function prepareSite(siteDir: string, experiment: string, personalization: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sim-site-'));
  cpSync(siteDir, dir, { recursive: true });
  const site = JSON.parse(readFileSync(join(dir, 'site.json'), 'utf8')) as SiteConfig;
  const exp = site.experiments?.find((e) => e.key === experiment);
  if (!exp) throw new Error(`[tessera] [sim] the site has no experiment "${experiment}"`);
  const running: ExperimentDef = { ...exp, status: 'running' };
  delete running.promoted;
  if (!personalization) running.variants = exp.variants.map((v) => ({ ...v, strategy: 'popular' }));
  site.experiments = site.experiments!.map((e) => (e.key === experiment ? running : e));
  writeFileSync(join(dir, 'site.json'), JSON.stringify(site));
  return dir;
}

export async function startSimServer(o: {
  experiment: string;
  personalization: boolean;
  siteDir?: string;
  seed: number;
  now: () => number;
  /** The site's model lifecycle settings, changed (the rollout simulation's). */
  modelLifecycle?: NodeAppOptions['modelLifecycle'];
}): Promise<SimServer> {
  const siteDir = prepareSite(
    o.siteDir ?? join(packageRoot, 'examples/shop'),
    o.experiment,
    o.personalization,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-sim-data-'));
  const token = randomBytes(18).toString('base64url');
  const app = await createNodeApp({
    siteDir,
    dataDir,
    store: 'memory:',
    secret: randomBytes(32).toString('base64url'),
    retrainMs: 0,
    modelPollMs: 0,
    adminToken: token,
    now: o.now,
    visitorIds: seededVisitorIds(o.seed),
    logger: consoleLogger('error'),
    // Thousands of simulated shoppers share one loopback address: that is not a flood.
    limits: { perIp: { rate: 1e6, burst: 1e6 } },
    // Live updates refresh on a wall-clock timer: off, so a seeded run stays reproducible.
    modelLifecycle: (c) => {
      const live = { ...c, live: { ...c.live, enabled: false } };
      return o.modelLifecycle ? o.modelLifecycle(live) : live;
    },
  });
  const port = await app.listen(0, '127.0.0.1');
  const catalog = JSON.parse(readFileSync(join(siteDir, 'catalog.json'), 'utf8')) as CatalogItem[];
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    app,
    catalog,
    async close() {
      await app.close();
      rmSync(siteDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
