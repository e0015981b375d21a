import { describe, expect, it } from 'vitest';
import { createMemoryModelStore } from './memory.js';
import { HISTORY_LIMIT, rollbackModel, updateAliases, versionOf, withAlias } from './model-registry.js';

const v = (n: number) => n.toString(16).padStart(16, '0');

describe('model aliases', () => {
  it('moves the old production into the history and clears a candidate that became production', () => {
    const next = withAlias(
      { production: v(1), candidate: v(2), history: [], revision: 3 },
      v(2),
      'production',
    );
    expect(next).toEqual({ production: v(2), history: [v(1)] });
  });

  it('leaves everything as it was when production is promoted again', () => {
    expect(withAlias({ production: v(1), history: [v(0)], revision: 1 }, v(1), 'production')).toEqual({
      production: v(1),
      history: [v(0)],
    });
  });

  it(`keeps the last ${HISTORY_LIMIT} production versions`, () => {
    let a = { history: [] as string[], revision: 0 };
    for (let i = 1; i <= HISTORY_LIMIT + 5; i++) a = { ...withAlias(a, v(i), 'production'), revision: i };
    expect(a.history).toHaveLength(HISTORY_LIMIT);
    expect(a.history.at(-1)).toBe(v(HISTORY_LIMIT + 4));
  });

  it('retries a change whose compare-and-set another writer won, on the aliases that writer left', async () => {
    const store = createMemoryModelStore();
    let raced = false;
    const racing = {
      ...store,
      async setAliases(next: Parameters<typeof store.setAliases>[0], expected: number) {
        if (!raced) {
          raced = true;
          await store.setAliases({ production: v(9), history: [] }, expected);
        }
        return store.setAliases(next, expected);
      },
    };
    const a = await updateAliases(racing, (cur) => withAlias(cur, v(1), 'production'));
    expect(a).toEqual({ production: v(1), history: [v(9)], revision: 2 });
    expect(await store.aliases()).toEqual(a);
  });

  it('rolls back step by step through the history', async () => {
    const store = createMemoryModelStore();
    for (const n of [1, 2, 3]) await store.put(new Uint8Array([n]).buffer);
    const [a, b] = [await versionOf(new Uint8Array([1]).buffer), await versionOf(new Uint8Array([2]).buffer)];
    expect((await rollbackModel(store)).production).toBe(b);
    expect(await rollbackModel(store)).toMatchObject({ production: a, history: [] });
  });
});
