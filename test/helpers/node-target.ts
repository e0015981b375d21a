/**
 * Starts the Node runtime on the demo shop for a test, on a free port, with
 * its own data directory. The HTTP behaviour suite runs against this target;
 * other runtimes provide the same shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllEvents } from '../../src/core/read-log.js';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { engineStores } from './engine-ports.js';

export interface Target {
  baseUrl: string;
  /** Count the profiles the store holds (to prove nothing was written). */
  profileCount(): Promise<number>;
  /** The events the log holds. */
  eventCount(): Promise<number>;
  close(): Promise<void>;
}

export async function startNodeTarget(
  opts: { store?: 'sqlite' | 'memory'; consentMode?: 'opt-in' | 'opt-out' } = {},
): Promise<Target & { app: NodeApp }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-http-'));
  const app = await createNodeApp({
    dataDir: dir,
    store: opts.store === 'memory' ? 'memory:' : `sqlite:${join(dir, 'tessera.db')}`,
    secret: 'http-suite-secret-http-suite-secret-00',
    consentMode: opts.consentMode ?? 'opt-in',
    retrainMs: 0,
    logger: consoleLogger('error'),
  });
  const port = await app.listen(0);
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    async profileCount() {
      let n = 0;
      const events = engineStores(app.engine).events;
      const seen = new Set<string>();
      for await (const e of readAllEvents(events)) seen.add(e.visitor);
      for (const v of seen) if (await app.engine.profiles.get(v)) n++;
      return n;
    },
    eventCount: () => engineStores(app.engine).events.count(),
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
