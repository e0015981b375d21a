/**
 * The ModelStore conformance suite: the registry (versions by content hash,
 * metadata, aliases with compare-and-set, rollback history) and the
 * single-model API on top of it, the same on every driver.
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelStore } from '../../src/core/ports.js';
import { promoteModel, registerModel, rollbackModel, versionOf } from '../../src/models/model-registry.js';

export interface ModelStoreHarness {
  models: ModelStore;
  /** A second store over the same backend (another process, another node). */
  another(): Promise<ModelStore>;
  cleanup(): Promise<void>;
}

const bytes = (...values: number[]) => new Uint8Array(values).buffer;

export function testModelStore(name: string, make: () => Promise<ModelStoreHarness>): void {
  describe(`ModelStore conformance: ${name}`, () => {
    let harness: ModelStoreHarness;
    let store: ModelStore;
    beforeEach(async () => {
      harness = await make();
      store = harness.models;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('is empty at first: no artifact, no versions, no aliases', async () => {
      expect(await store.get()).toBeUndefined();
      expect(await store.list()).toEqual([]);
      expect(await store.aliases()).toEqual({ history: [], revision: 0 });
    });

    it('registers a version by content hash with its metadata, and reads back its bytes', async () => {
      const meta = await registerModel(store, bytes(1, 2, 3), {
        algorithm: 'ease',
        params: { lambda: 100 },
        data: { count: 3, first: 1000, last: 2000 },
        created: 5,
      });
      expect(meta.version).toBe(await versionOf(bytes(1, 2, 3)));
      expect(meta.version).toMatch(/^[0-9a-f]{16}$/);
      expect(await store.list()).toEqual([
        {
          version: meta.version,
          algorithm: 'ease',
          params: { lambda: 100 },
          data: { count: 3, first: 1000, last: 2000 },
          created: 5,
          bytes: 3,
        },
      ]);
      expect(new Uint8Array((await store.getVersion(meta.version))!)).toEqual(new Uint8Array([1, 2, 3]));
      expect(await store.getVersion('0000000000000000')).toBeUndefined();
      // Registered is not served.
      expect(await store.get()).toBeUndefined();
    });

    it('lists versions oldest first', async () => {
      const b = await registerModel(store, bytes(2), { created: 20 });
      const a = await registerModel(store, bytes(1), { created: 10 });
      expect((await store.list()).map((m) => m.version)).toEqual([a.version, b.version]);
    });

    it('put registers the artifact and makes it production', async () => {
      await store.put(bytes(7, 8), { algorithm: 'blend' });
      const v = await versionOf(bytes(7, 8));
      expect(new Uint8Array((await store.get())!)).toEqual(new Uint8Array([7, 8]));
      expect((await store.aliases()).production).toBe(v);
      expect((await store.list())[0]).toMatchObject({ version: v, algorithm: 'blend', bytes: 2 });
    });

    it('writes the aliases only over the revision it was given', async () => {
      expect(await store.setAliases({ history: [], candidate: 'aaaaaaaaaaaaaaaa' }, 0)).toBe(true);
      expect(await store.setAliases({ history: [], candidate: 'bbbbbbbbbbbbbbbb' }, 0)).toBe(false);
      expect(await store.aliases()).toEqual({ history: [], candidate: 'aaaaaaaaaaaaaaaa', revision: 1 });
      expect(await store.setAliases({ history: [], candidate: 'cccccccccccccccc' }, 1)).toBe(true);
      expect((await store.aliases()).revision).toBe(2);
    });

    it('promotes to production, keeps the previous one in the history, and rolls back to it', async () => {
      const v1 = (await registerModel(store, bytes(1))).version;
      const v2 = (await registerModel(store, bytes(2))).version;
      await promoteModel(store, v1);
      await promoteModel(store, v2, 'candidate');
      expect(await store.aliases()).toMatchObject({ production: v1, candidate: v2, history: [] });
      await promoteModel(store, v2);
      expect(await store.aliases()).toMatchObject({ production: v2, history: [v1] });
      expect((await store.aliases()).candidate).toBeUndefined();
      expect(new Uint8Array((await store.get())!)).toEqual(new Uint8Array([2]));
      await rollbackModel(store);
      expect(await store.aliases()).toMatchObject({ production: v1, history: [] });
      expect(new Uint8Array((await store.get())!)).toEqual(new Uint8Array([1]));
      await expect(rollbackModel(store)).rejects.toThrow(/^\[tessera\] \[models\] no earlier production/);
    });

    it('refuses to promote a version it does not hold', async () => {
      await expect(promoteModel(store, 'abcdefabcdefabcd')).rejects.toThrow(
        /^\[tessera\] \[models\] no model version/,
      );
      await expect(promoteModel(store, '../../etc/passwd')).rejects.toThrow(/is not a model version/);
    });

    it('lands every one of concurrent promotions from two stores on the same backend', async () => {
      const other = await harness.another();
      const versions = [];
      for (let i = 0; i < 6; i++) versions.push((await registerModel(store, bytes(i))).version);
      await Promise.all(versions.map((v, i) => promoteModel(i % 2 ? other : store, v)));
      const a = await store.aliases();
      // Each promotion moved the previous production into the history: none was lost.
      expect(a.revision).toBe(6);
      expect(new Set([...a.history, a.production])).toEqual(new Set(versions));
      expect(await other.aliases()).toEqual(a);
    });
  });
}
