/**
 * Retention as a shop runs it: the Node app on its default embedded store
 * (SQLite). The app wraps its store and log for degraded mode (spool, replay);
 * the sweep must still reach the SQLite drivers, not report them skipped and
 * keep what is past retention.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';

const SECRET = 'retention-sweep-secret-retention-sweep-0';
// A retention of about 86 ms, so what is ingested now is past it a moment later.
const RETENTION_DAYS = 1e-6;

let app: NodeApp | undefined;
let dir: string | undefined;

afterEach(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = undefined;
  dir = undefined;
});

describe('retention sweep on the Node app (SQLite)', () => {
  it('deletes the profiles and events past retention, skipping no driver', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-retention-'));
    app = await createNodeApp({
      dataDir: dir,
      secret: SECRET,
      consentMode: 'opt-out',
      retentionDays: RETENTION_DAYS,
      retrainMs: 0,
      modelPollMs: 0,
      logger: consoleLogger('error'),
    });
    const items = [...app.engine.catalog.keys()].slice(0, 3);
    const events = items.map((item, i) => ({ id: `rs-${i}`, type: 'view', ts: Date.now(), item }));
    const { applied } = await app.engine.ingest('retention-visitor', events as never);
    expect(applied).toBe(3);
    await app.engine.idle(); // the write-behind profile write is on disk
    expect(await app.engine.profiles.export('retention-visitor')).toMatchObject({
      events: expect.any(Array),
    });

    await new Promise((r) => setTimeout(r, 250));
    const swept = await app.sweep();
    expect(swept.skipped).toEqual([]);
    expect(swept.profiles).toBe(1);
    expect(swept.events).toBe(3);
  });
});
