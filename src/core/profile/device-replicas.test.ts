import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Profile, TesseraEvent } from '../types.js';
import { listComponents } from './components.js';
import { decayedValue } from './decay.js';
import { asDeviceReplica, deviceReplica, isReplicaOf, joinDevices, linkedView } from './device-replicas.js';
import { emptyProfile } from './empty.js';
import { PROFILE_LIMITS } from './limits.js';
import { mergeProfiles } from './merge.js';
import { eventCount } from './read.js';
import { applyAll, arbEvent, canonical, event, HALF_LIFE, NODES, T0 } from './test-helpers.js';

// Few events within a few half-lives, so sums are exact while no profile reaches a limit. Two
// devices' event types can pass the cap on counts (14 components) between them: the sums are
// only compared where they do not (`fc.pre(withinCountsCap(…))`), or truncation drops one.
const arbEvents = fc.array(arbEvent(4 * HALF_LIFE, 400), { maxLength: 8 });
const arbDevice = fc.record({ node: fc.constantFrom(...NODES), events: arbEvents });
const build = (d: { node: string; events: TesseraEvent[] }): Profile =>
  applyAll(emptyProfile(T0), d.events, d.node);
const views = (p: Profile, at: number) => eventCount(p, 'view', at, HALF_LIFE);
const AT = T0 + 5 * HALF_LIFE;
/** The devices' count components (each device on its own replicas) fit the cap together. */
const withinCountsCap = (...ps: Profile[]): boolean =>
  ps.reduce((n, p) => n + listComponents(p.counts).length, 0) <= PROFILE_LIMITS.counts;

describe('device replicas', () => {
  it('names a replica per (device, node), within the node-name limit, and keeps a replica name', () => {
    const a = deviceReplica('visitor-a', 'n1');
    expect(a).toHaveLength(16);
    expect(deviceReplica('visitor-b', 'n1')).not.toBe(a);
    expect(deviceReplica('visitor-a', 'n2')).not.toBe(a);
    expect(deviceReplica('visitor-b', a)).toBe(a);
    expect(isReplicaOf(a, 'visitor-a')).toBe(true);
    expect(isReplicaOf(a, 'visitor-b')).toBe(false);
  });

  it("never lets two devices' counts collide, even on the same node", () => {
    fc.assert(
      fc.property(arbDevice, arbDevice, (da, db) => {
        const a = build(da);
        const b = build(db);
        fc.pre(withinCountsCap(a, b));
        const user = joinDevices(
          [
            ['A', a],
            ['B', b],
          ],
          T0,
        );
        expect(views(user, AT)).toBeCloseTo(views(a, AT) + views(b, AT), 6);
        const replicas = new Set(listComponents(user.counts).map(([, node]) => node));
        for (const node of replicas) expect(isReplicaOf(node, 'A') || isReplicaOf(node, 'B')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('joins devices commutatively and idempotently: replaying a device changes nothing', () => {
    fc.assert(
      fc.property(arbDevice, arbDevice, (da, db) => {
        const ra = asDeviceReplica(build(da), 'A');
        const rb = asDeviceReplica(build(db), 'B');
        const ab = mergeProfiles(ra, rb);
        expect(canonical(mergeProfiles(rb, ra))).toBe(canonical(ab));
        expect(canonical(mergeProfiles(mergeProfiles(ab, ra), rb))).toBe(canonical(ab));
        expect(canonical(asDeviceReplica(ra, 'B'))).toBe(canonical(ra));
      }),
      { numRuns: 200 },
    );
  });

  it("a device's later events count once: its own profile lands on its replicas in the user's profile", () => {
    fc.assert(
      fc.property(arbDevice, arbDevice, arbEvents, (da, db, later) => {
        const a0 = build(da);
        const b = build(db);
        // The user's profile took A's copy at identify; A went on browsing since.
        const user = joinDevices(
          [
            ['A', a0],
            ['B', b],
          ],
          T0,
        );
        const a1 = applyAll(a0, later, da.node);
        fc.pre(withinCountsCap(a1, b));
        const view = linkedView(a1, 'A', user);
        expect(views(view, AT)).toBeCloseTo(views(a1, AT) + views(b, AT), 6);
        // Reading the view again through the user's profile (a replay) adds nothing.
        expect(canonical(linkedView(a1, 'A', mergeProfiles(user, asDeviceReplica(a1, 'A'))))).toBe(
          canonical(view),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('unlinking a device removes everything that came from it', () => {
    fc.assert(
      fc.property(arbDevice, arbDevice, (da, db) => {
        const a = build(da);
        const b = build(db);
        fc.pre(withinCountsCap(a, b));
        const withB = joinDevices(
          [
            ['A', a],
            ['B', b],
          ],
          T0,
        );
        expect(views(linkedView(a, 'A', withB), AT)).toBeCloseTo(views(a, AT) + views(b, AT), 6);
        // Unlinking B rebuilds the user's profile from the devices still linked.
        const without = joinDevices([['A', a]], T0);
        const view = linkedView(a, 'A', without);
        // What is left of the user's profile is exactly what it held from A.
        const read = (p: Profile, v: number) => decayedValue(v, p.landmark, AT, HALF_LIFE);
        for (const [key, node, v] of listComponents(without.counts))
          expect(read(withB, withB.counts[key]?.[node] ?? 0)).toBeCloseTo(read(without, v), 9);
        expect(views(view, AT)).toBeCloseTo(views(a, AT), 6);
        const nodes = [
          ...listComponents(view.affinities),
          ...listComponents(view.counts),
          ...listComponents(view.exposures),
        ].map(([, node]) => node);
        for (const node of nodes) expect(isReplicaOf(node, 'B')).toBe(false);
        for (const r of view.recent) expect(isReplicaOf(r.at.n, 'B')).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps each browser's own consent", () => {
    const consent = (p: boolean) => event('consent', `c${p}`, T0 + 1, undefined, { personalization: p });
    const a = applyAll(emptyProfile(T0), [consent(true)], 'n1');
    const b = applyAll(emptyProfile(T0), [consent(false), event('view', 'v', T0 + 2, 'a')], 'n1');
    const view = linkedView(
      a,
      'A',
      joinDevices(
        [
          ['A', a],
          ['B', b],
        ],
        T0,
      ),
    );
    expect(view.consent?.v.personalization).toBe(true);
    expect(views(view, T0 + 3)).toBeGreaterThan(0);
  });
});
