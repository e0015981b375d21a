/**
 * The ledger-store drivers through the shared suite: memory, SQLite (a file
 * that a second handle reopens) and Redis (the real server on 127.0.0.1:6379).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { openRedis } from '../../src/connections/redis.js';
import { createMemoryLedgerStore } from '../../src/ledgers/memory.js';
import { createRedisLedgerStore } from '../../src/ledgers/redis.js';
import { createSqliteLedgerStore } from '../../src/ledgers/sqlite.js';
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js';
import { testLedgerStore } from './ledger-store.js';

testLedgerStore('memory', async () => {
  const store = createMemoryLedgerStore();
  return { store, reopen: async () => ({ ...store, close: async () => {} }), cleanup: () => store.close() };
});

testLedgerStore('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ledger-'));
  const path = join(dir, 'tessera.db');
  const store = await createSqliteLedgerStore({ path });
  return {
    store,
    reopen: () => createSqliteLedgerStore({ path }),
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

beforeAll(async () => {
  await requireRedis();
});

testLedgerStore('redis', async () => {
  const prefix = `${uniquePrefix('ledger')}:`;
  const store = await createRedisLedgerStore({ url: REDIS_URL, prefix });
  return {
    store,
    reopen: () => createRedisLedgerStore({ url: REDIS_URL, prefix }),
    async cleanup() {
      await store.close();
      const admin = await openRedis({ url: REDIS_URL });
      const keys = (await admin.run('keys', (c) => c.call('KEYS', `${prefix}*`))) as string[];
      if (keys.length > 0) await admin.run('del', (c) => c.call('DEL', ...keys));
      await admin.close();
    },
  };
});
