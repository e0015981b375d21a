import { describe, expect, it } from 'vitest';
import { applyEvent, emptyProfile } from '../core/profile/index.js';
import { createMemoryModelStore, createMemoryStore } from './memory.js';

const bytes = (...values: number[]) => new Uint8Array(values).buffer;

describe('memory model store', () => {
  it('has no artifact until one is put', async () => {
    expect(await createMemoryModelStore().get()).toBeUndefined();
  });

  it('returns the artifact that was put last', async () => {
    const models = createMemoryModelStore(bytes(1));
    await models.put(bytes(2, 3));
    expect(new Uint8Array((await models.get())!)).toEqual(new Uint8Array([2, 3]));
  });

  it('keeps its own copy, whatever the caller does with its buffer', async () => {
    const artifact = new Uint8Array([7, 8]);
    const models = createMemoryModelStore();
    await models.put(artifact.buffer);
    artifact[0] = 0;
    const got = new Uint8Array((await models.get())!);
    got[1] = 0;
    expect(new Uint8Array((await models.get())!)).toEqual(new Uint8Array([7, 8]));
  });
});

describe('memory profile store', () => {
  it('hands out profiles that do not share state with the store', async () => {
    const { profiles } = createMemoryStore();
    const now = 1_700_000_000_000;
    const delta = applyEvent(
      emptyProfile(now),
      { id: 'e1', type: 'view', ts: now, item: 'sku-1' },
      { node: 'n1', at: { p: now, l: 0, n: 'n1' }, halfLifeMs: 1000 },
    );
    await profiles.merge('v1', delta);
    const got = await profiles.get('v1');
    got!.recent.length = 0;
    delta.recent.length = 0;
    expect((await profiles.get('v1'))?.recent.map((r) => r.item)).toEqual(['sku-1']);
  });

  it('names itself as configured', () => {
    expect(createMemoryStore({ name: 'scratch' }).profiles.name).toBe('scratch');
  });
});
