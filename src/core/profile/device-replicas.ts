/**
 * Cross-device profiles: what two browsers of one user (tied by `identify`)
 * know together, without counting anything twice.
 *
 * A device's profile keeps its components per node (`n1`, `n2`). Two devices
 * that both ran on `n1` would collide on `(key, n1)` if their profiles were
 * merged as they are: merge takes the max, so one device's count would hide
 * the other's. So before joining the user's profile, a device's profile is
 * re-keyed to per-device replicas: node `n` of device `d` becomes
 * `~<hash of d><hash of n>` (components, recent items, trait clocks). Two
 * devices then never share a replica, and the user's profile is an ordinary
 * CRDT join of device replicas: joining A, then B, then A again (or a newer A,
 * whose components only grew) changes nothing but what grew. A device's own
 * profile read beside it is re-keyed the same way, so it lands on its own
 * replicas (max) instead of adding to them.
 *
 * Consent stays per browser (it is not carried into the user's profile), and
 * `seen` is dropped: events are applied to each device's own profile only.
 * @module
 */
import type { Hlc, Profile } from '../types.js';
import type { Components } from './components.js';
import { emptyProfile } from './empty.js';
import { fnv1a32 } from './hash.js';
import { mergeProfiles } from './merge.js';
import { normalizeProfile } from './truncate.js';

/** Replica names start with this; node ids from settings never do (a re-keyed profile stays as it is). */
const REPLICA_MARK = '~';

/** The replica name of node `node` on device `device`: 16 characters, the node-name limit. */
export function deviceReplica(device: string, node: string): string {
  if (node.startsWith(REPLICA_MARK)) return node;
  return `${REPLICA_MARK}${deviceTag(device)}${fnv1a32(node)}`;
}

/** The 7-character prefix every replica of one device shares. */
export function deviceTag(device: string): string {
  return fnv1a32(`device:${device}`).slice(0, 7);
}

/** True when the replica named `node` came from `device`. */
export function isReplicaOf(node: string, device: string): boolean {
  return node.startsWith(`${REPLICA_MARK}${deviceTag(device)}`);
}

/** A device's profile with every node re-keyed to that device's replicas, ready to join a user's profile. */
export function asDeviceReplica(p: Profile, device: string): Profile {
  const at = (h: Hlc): Hlc => ({ ...h, n: deviceReplica(device, h.n) });
  const traits: Profile['traits'] = {};
  for (const key in p.traits) {
    const reg = p.traits[key]!;
    traits[key] = { v: reg.v, at: at(reg.at) };
  }
  const { consent: _consent, seen: _seen, ...rest } = p;
  return normalizeProfile({
    ...rest,
    affinities: rekey(p.affinities, device),
    counts: rekey(p.counts, device),
    exposures: rekey(p.exposures, device),
    recent: p.recent.map((r) => ({ ...r, at: at(r.at) })),
    traits,
    ...(p.userId !== undefined && { userId: { v: p.userId.v, at: at(p.userId.at) } }),
    seen: [],
  });
}

function rekey(c: Components, device: string): Components {
  const out: Components = {};
  for (const key in c) {
    const nodes: Record<string, number> = {};
    const from = c[key]!;
    for (const node in from) {
      const replica = deviceReplica(device, node);
      nodes[replica] = Math.max(nodes[replica] ?? Number.NEGATIVE_INFINITY, from[node]!);
    }
    out[key] = nodes;
  }
  return out;
}

/**
 * The profile a decision for `device` reads once it is linked to a user: the
 * device's own profile, re-keyed to its replicas, joined with the user's
 * profile (which holds every linked device's replicas, this one's included).
 * Consent is the device's own.
 */
export function linkedView(own: Profile, device: string, user: Profile): Profile {
  const joined = mergeProfiles(asDeviceReplica(own, device), user);
  if (joined.erasedAt !== undefined) return own;
  const { consent: _consent, ...rest } = joined;
  return { ...rest, ...(own.consent !== undefined && { consent: own.consent }) };
}

/** The user's profile built from its devices' own profiles: the join of their replicas. */
export function joinDevices(
  devices: ReadonlyArray<readonly [device: string, profile: Profile]>,
  now: number,
): Profile {
  let out: Profile | undefined;
  for (const [device, p] of devices) {
    const r = asDeviceReplica(p, device);
    out = out ? mergeProfiles(out, r) : r;
  }
  return out ?? emptyProfile(now);
}
