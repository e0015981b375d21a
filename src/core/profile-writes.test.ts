/**
 * Write-behind spreads a crowd of due visitors over several event-loop turns
 * (a bounded number of store writes started per turn), so a store whose
 * writes are synchronous work (SQLite) never holds every request behind a
 * hundred profile writes at once; and still writes every one of them, once,
 * with a shutdown flush writing all of them at once.
 */
import { describe, expect, it } from 'vitest';
import { emptyProfile } from './profile/index.js';
import { ProfileWrites, WRITES_PER_TURN } from './profile-writes.js';
import type { Profile } from './types.js';

const VISITORS = WRITES_PER_TURN * 3 + 5;

/** Store writes grouped by the synchronous run (one event-loop turn's task) that started them. */
function recordingWrites() {
  const turns: string[][] = [];
  let open: string[] | undefined;
  const written: string[] = [];
  const writes = new ProfileWrites({
    delayMs: 0,
    write: async (visitor, profile) => {
      if (!open) {
        open = [];
        turns.push(open);
        // Still open for every write started by the same synchronous run; closed before the next turn.
        queueMicrotask(() => {
          open = undefined;
        });
      }
      open.push(visitor);
      return profile;
    },
    written: (visitor) => written.push(visitor),
    failed: () => {},
  });
  return { writes, turns, written };
}

const profiles = (n: number): Array<[string, Profile]> =>
  Array.from({ length: n }, (_, i) => [`v${i}`, emptyProfile(1_000 + i)]);

const settled = async (writes: ProfileWrites) => {
  for (let i = 0; i < 100 && writes.size > 0; i++) await new Promise((r) => setTimeout(r, 2));
};

describe('write-behind spread over turns', () => {
  it('starts at most WRITES_PER_TURN store writes per turn, oldest queued first, and writes every visitor once', async () => {
    const { writes, turns, written } = recordingWrites();
    for (const [v, p] of profiles(VISITORS)) writes.put(v, p);
    await settled(writes);
    expect(writes.size).toBe(0);
    expect(turns.length).toBeGreaterThanOrEqual(Math.ceil(VISITORS / WRITES_PER_TURN));
    for (const t of turns) expect(t.length).toBeLessThanOrEqual(WRITES_PER_TURN);
    // In the order they were queued: no visitor waits behind ones queued after it.
    expect(turns.flat()).toEqual(profiles(VISITORS).map(([v]) => v));
    expect([...written].sort()).toEqual(
      profiles(VISITORS)
        .map(([v]) => v)
        .sort(),
    );
  });

  it('lets other work run between the turns that write a crowd of visitors', async () => {
    const { writes, turns } = recordingWrites();
    for (const [v, p] of profiles(VISITORS)) writes.put(v, p);
    // A request arriving meanwhile: it runs before the last of the crowd is started.
    let startedBeforeOther = -1;
    setTimeout(() => {
      startedBeforeOther = turns.flat().length;
    }, 0);
    await settled(writes);
    expect(startedBeforeOther).toBeGreaterThan(0);
    expect(startedBeforeOther).toBeLessThan(VISITORS);
  });

  it('flushes every queued visitor at once on shutdown', async () => {
    const { writes, turns, written } = recordingWrites();
    for (const [v, p] of profiles(VISITORS)) writes.put(v, p);
    expect(await writes.flush()).toBe(0);
    expect(turns.flat()).toHaveLength(VISITORS);
    expect(written).toHaveLength(VISITORS);
  });
});
