/**
 * A Node app on the demo shop with a data directory the security tests can
 * look into (token file, audit log, the raw SQLite file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeApp, type NodeApp, type NodeAppOptions } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';

export interface SecurityTarget {
  app: NodeApp;
  dir: string;
  base: string;
  dbPath: string;
  close(): Promise<void>;
}

export async function startSecurityApp(
  o: {
    adminToken?: string;
    redis?: { url: string; prefix: string };
    sessionRanker?: NodeAppOptions['sessionRanker'];
    modelLifecycle?: NodeAppOptions['modelLifecycle'];
  } = {},
): Promise<SecurityTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-sec-'));
  const dbPath = join(dir, 'tessera.db');
  const app = await createNodeApp({
    dataDir: dir,
    store: o.redis ? o.redis.url : `sqlite:${dbPath}`,
    ...(o.redis ? { cluster: { log: o.redis.url, prefix: o.redis.prefix } } : {}),
    secret: 'security-suite-secret-security-suite-0',
    consentMode: 'opt-in',
    retrainMs: 0,
    modelPollMs: 0,
    logger: consoleLogger('error'),
    ...(o.adminToken !== undefined ? { adminToken: o.adminToken } : {}),
    ...(o.sessionRanker !== undefined ? { sessionRanker: o.sessionRanker } : {}),
    ...(o.modelLifecycle ? { modelLifecycle: o.modelLifecycle } : {}),
  });
  const port = await app.listen(0, '127.0.0.1');
  return {
    app,
    dir,
    dbPath,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
/** A visitor who accepted personalization, with their cookies in a jar. */
export async function consentingVisitor(base: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const res = await collect(base, jar, [
    { type: 'consent', props: { personalization: true, analytics: true } },
  ]);
  if (res.status !== 202) throw new Error(`consent answered ${res.status}`);
  return jar;
}

export function collect(
  base: string,
  jar: CookieJar,
  events: Array<Record<string, unknown>>,
): Promise<Response> {
  const now = Date.now();
  return jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: events.map((e) => ({ id: `sec-${seq++}`, ts: now, ...e })) }),
  });
}
