import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../profiles/memory.js';
import type { Stores } from '../../profiles/port.js';
import { createSqliteStore } from '../../profiles/sqlite.js';
import type { EventLog, ProfileStore } from '../ports.js';
import { emptyProfile } from '../profile/index.js';
import type { LoggedEvent } from '../types.js';
import { eventsOf } from './export.js';
import { retentionCutoff, sweepRetention } from './retention.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const dir = mkdtempSync(join(tmpdir(), 'tessera-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (visitor: string, received: number): LoggedEvent => ({
  id: `e-${visitor}`,
  type: 'view',
  ts: received,
  item: 'p-0001',
  visitor,
  node: 'n1',
  received,
});

type Factory = (clock: { t: number }) => Promise<Stores>;
const drivers: Array<[string, Factory]> = [
  ['memory', async (clock) => createMemoryStore({ now: () => clock.t })],
  [
    'sqlite',
    async (clock) =>
      createSqliteStore({ path: join(dir, `r-${Math.random()}.db`), clock: { now: () => clock.t } }),
  ],
];

describe.each(drivers)('retention sweep on %s', (_name, open) => {
  it('deletes profiles, links and events older than the cutoff and keeps newer ones', async () => {
    const clock = { t: NOW - 400 * DAY };
    const s = await open(clock);
    const profiles: ProfileStore = s.profiles;
    const log: EventLog = s.events;
    await profiles.merge('old-visitor', emptyProfile(clock.t));
    await profiles.link('old-visitor', 'user-old');
    await log.append([event('old-visitor', clock.t)]);
    clock.t = NOW - 10 * DAY;
    await profiles.merge('new-visitor', emptyProfile(clock.t));
    await profiles.link('new-visitor', 'user-new');
    await log.append([event('new-visitor', clock.t)]);

    const r = await sweepRetention(profiles, log, retentionCutoff(NOW, 365));
    expect(r).toMatchObject({ profiles: 1, events: 1, skipped: [] });
    expect(await profiles.get('old-visitor')).toBeUndefined();
    expect(await profiles.resolve('old-visitor')).toBeUndefined();
    expect(await eventsOf(log, 'old-visitor')).toEqual([]);
    expect(await profiles.get('new-visitor')).toBeDefined();
    expect(await profiles.resolve('new-visitor')).toBe('user-new');
    expect(await eventsOf(log, 'new-visitor')).toHaveLength(1);
    await s.close();
  });
});

describe('retention sweep without driver support', () => {
  it('reports the drivers it skipped and deletes nothing', async () => {
    const s = createMemoryStore();
    const { sweep: _p, ...profiles } = s.profiles;
    const { sweep: _e, ...events } = s.events;
    const r = await sweepRetention(profiles as ProfileStore, events as EventLog, NOW);
    expect(r).toEqual({ before: NOW, profiles: 0, events: 0, skipped: ['profiles:memory', 'events:memory'] });
  });

  it('rejects a retention period that is not positive', () => {
    expect(() => retentionCutoff(NOW, 0)).toThrow(/retentionDays must be > 0/);
    expect(retentionCutoff(NOW, 365)).toBe(NOW - 365 * DAY);
  });
});
