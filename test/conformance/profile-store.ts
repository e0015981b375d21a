/**
 * The ProfileStore conformance suite: every driver (memory, SQLite, Redis,
 * Cloudflare KV, ...) runs these same cases against its real backend.
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileStore } from '../../src/core/ports.js';
import { eraseProfile, mergeProfiles } from '../../src/core/profile/index.js';
import { canonical, delta, ODD_IDS, recentItems, T0 } from './fixtures.js';

export interface ProfileStoreHarness {
  profiles: ProfileStore;
  cleanup(): Promise<void>;
}

export function testProfileStore(name: string, make: () => Promise<ProfileStoreHarness>): void {
  describe(`ProfileStore conformance: ${name}`, () => {
    let harness: ProfileStoreHarness;
    let store: ProfileStore;
    beforeEach(async () => {
      harness = await make();
      store = harness.profiles;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('returns undefined for an id it never saw', async () => {
      expect(await store.get('nobody')).toBeUndefined();
    });

    it('stores the delta itself when merging into nothing', async () => {
      const d = delta('node-a', 'sku-1');
      expect(canonical(await store.merge('v1', d))).toEqual(canonical(d));
      expect(canonical(await store.get('v1'))).toEqual(canonical(d));
    });

    it('merges instead of overwriting: deltas from two nodes both survive', async () => {
      const a = delta('node-a', 'sku-a');
      const b = delta('node-b', 'sku-b', 1000);
      await store.merge('v1', a);
      const returned = await store.merge('v1', b);
      const stored = await store.get('v1');
      expect(recentItems(stored)).toEqual(['sku-a', 'sku-b']);
      expect(canonical(stored)).toEqual(canonical(mergeProfiles(a, b)));
      expect(canonical(returned)).toEqual(canonical(stored));
    });

    it('changes nothing when the same delta is merged twice', async () => {
      const d = delta('node-a', 'sku-1');
      await store.merge('v1', delta('node-b', 'sku-2', 500));
      await store.merge('v1', d);
      const once = canonical(await store.get('v1'));
      await store.merge('v1', d);
      expect(canonical(await store.get('v1'))).toEqual(once);
    });

    it('loses nothing under 50 concurrent merges to one id', async () => {
      const deltas = Array.from({ length: 50 }, (_, i) => delta(`node-${i}`, `sku-${i}`, i * 10));
      await Promise.all(deltas.map((d) => store.merge('hot', d)));
      const expected = deltas.reduce((acc, d) => mergeProfiles(acc, d));
      expect(canonical(await store.get('hot'))).toEqual(canonical(expected));
    });

    it('keeps profiles of different ids apart', async () => {
      await store.merge('v1', delta('node-a', 'sku-1'));
      await store.merge('v2', delta('node-a', 'sku-2'));
      expect(recentItems(await store.get('v1'))).toEqual(['sku-1']);
      expect(recentItems(await store.get('v2'))).toEqual(['sku-2']);
    });

    it('forgets a deleted profile, and a later merge starts from nothing', async () => {
      await store.merge('v1', delta('node-a', 'sku-1'));
      await store.merge('v2', delta('node-a', 'sku-2'));
      await store.delete('v1');
      expect(await store.get('v1')).toBeUndefined();
      expect(await store.get('v2')).toBeDefined();
      const fresh = delta('node-b', 'sku-3');
      await store.merge('v1', fresh);
      expect(canonical(await store.get('v1'))).toEqual(canonical(fresh));
    });

    it('deleting an id it never saw is not an error', async () => {
      await expect(store.delete('nobody')).resolves.toBeUndefined();
    });

    it('lets an erasure tombstone win over data merged before and after it', async () => {
      const before = delta('node-a', 'sku-1');
      const tombstone = eraseProfile(T0 + 5000);
      const after = delta('node-b', 'sku-2', 10_000);
      await store.merge('v1', before);
      await store.merge('v1', tombstone);
      await store.merge('v1', after);
      const stored = await store.get('v1');
      expect(stored?.erasedAt).toBe(T0 + 5000);
      expect(recentItems(stored)).toEqual([]);
      expect(canonical(stored)).toEqual(canonical(mergeProfiles(mergeProfiles(before, tombstone), after)));
    });

    it('links aliases to a canonical id and resolves them', async () => {
      await store.link('anon-1', 'user-1');
      await store.link('anon-2', 'user-1');
      await store.link('anon-3', 'user-2');
      expect(await store.resolve('anon-1')).toBe('user-1');
      expect(await store.resolve('anon-3')).toBe('user-2');
      expect(await store.resolve('anon-9')).toBeUndefined();
      expect((await store.aliases('user-1')).sort()).toEqual(['anon-1', 'anon-2']);
      expect(await store.aliases('user-9')).toEqual([]);
    });

    it('moves an alias when it is linked again to another canonical id', async () => {
      await store.link('anon-1', 'user-1');
      await store.link('anon-1', 'user-2');
      expect(await store.resolve('anon-1')).toBe('user-2');
      expect(await store.aliases('user-1')).toEqual([]);
      expect(await store.aliases('user-2')).toEqual(['anon-1']);
    });

    it('linking the same pair twice keeps one link', async () => {
      await store.link('anon-1', 'user-1');
      await store.link('anon-1', 'user-1');
      expect(await store.aliases('user-1')).toEqual(['anon-1']);
    });

    it('unlinks an alias, or every alias of a canonical id', async () => {
      await store.link('anon-1', 'user-1');
      await store.link('anon-2', 'user-1');
      await store.link('anon-3', 'user-2');
      await store.unlink('anon-1');
      expect(await store.resolve('anon-1')).toBeUndefined();
      expect(await store.aliases('user-1')).toEqual(['anon-2']);
      await store.unlink('user-1');
      expect(await store.resolve('anon-2')).toBeUndefined();
      expect(await store.aliases('user-1')).toEqual([]);
      expect(await store.resolve('anon-3')).toBe('user-2');
    });

    it('leaves links alone when a profile is deleted', async () => {
      await store.merge('user-1', delta('node-a', 'sku-1'));
      await store.link('anon-1', 'user-1');
      await store.delete('user-1');
      expect(await store.resolve('anon-1')).toBe('user-1');
    });

    it('round-trips ids with unicode, quotes, long and odd characters', async () => {
      for (const [i, id] of ODD_IDS.entries()) await store.merge(id, delta('node-a', `sku-${i}`));
      for (const [i, id] of ODD_IDS.entries()) {
        expect(recentItems(await store.get(id))).toEqual([`sku-${i}`]);
        await store.link(`alias-${id}`, id);
        expect(await store.resolve(`alias-${id}`)).toBe(id);
        expect(await store.aliases(id)).toEqual([`alias-${id}`]);
      }
      await store.delete(ODD_IDS[0]!);
      expect(await store.get(ODD_IDS[0]!)).toBeUndefined();
      expect(await store.get(ODD_IDS[1]!)).toBeDefined();
    });

    it('pages through the profiles changed since a time, each once, deleted ones left out', async () => {
      if (!store.changedSince) return; // optional port method: KV and Durable Objects lack it
      const before = Date.now() - 1;
      const ids = Array.from({ length: 7 }, (_, i) => `changed-${i}`);
      for (const id of ids) await store.merge(id, delta('node-a', `sku-${id}`));
      await store.delete('changed-3');
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.changedSince(before, cursor, 2);
        expect(page.ids.length).toBeLessThanOrEqual(20); // about `limit`, never the whole store at once
        seen.push(...page.ids);
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined && pages < 1000);
      expect(cursor).toBeUndefined();
      expect([...new Set(seen)].sort()).toEqual(ids.filter((id) => id !== 'changed-3'));
      expect(seen.length).toBe(6);
    });

    it('leaves out profiles last changed before the time asked for', async () => {
      if (!store.changedSince) return;
      await store.merge('old', delta('node-a', 'sku-old'));
      const later = Date.now() + 60_000;
      const all: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.changedSince(later, cursor, 100);
        all.push(...page.ids);
        cursor = page.cursor;
      } while (cursor !== undefined);
      expect(all).toEqual([]);
    });
  });
}
