/**
 * The model-store drivers through the ModelStore conformance suite: memory,
 * file, and the real Redis on 127.0.0.1:6379.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { openRedis } from '../../src/connections/redis.js';
import { createFileModelStore } from '../../src/models/file.js';
import { createMemoryModelStore } from '../../src/models/memory.js';
import { createRedisModelStore } from '../../src/models/redis.js';
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js';
import { testModelStore } from './model-store.js';

testModelStore('memory', async () => {
  const models = createMemoryModelStore();
  return { models, another: async () => models, cleanup: async () => {} };
});

testModelStore('file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-models-'));
  const path = join(dir, 'model.tsra');
  return {
    models: createFileModelStore({ path }),
    another: async () => createFileModelStore({ path }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

beforeAll(async () => {
  await requireRedis();
});

testModelStore('redis', async () => {
  const prefix = uniquePrefix(':');
  const opened = [await createRedisModelStore({ url: REDIS_URL, prefix })];
  return {
    models: opened[0]!,
    async another() {
      const s = await createRedisModelStore({ url: REDIS_URL, prefix });
      opened.push(s);
      return s;
    },
    async cleanup() {
      for (const s of opened) await s.close();
      const admin = await openRedis({ url: REDIS_URL });
      const keys = (await admin.run('keys', (c) => c.call('KEYS', `${prefix}models:*`))) as string[];
      if (keys.length) await admin.run('del', (c) => c.call('DEL', ...keys));
      await admin.close();
    },
  };
});
