/**
 * Profiles across nodes over the bus. After every change this node makes it
 * publishes the visitor's whole merged profile (a delta in envelope terms:
 * state, not an operation, so a repeated, lost-then-resent or reordered
 * message changes nothing once merged with the CRDT merge). Erasures travel
 * as tombstones; a new model version as a notice that makes nodes reload.
 *
 * The bus is at-most-once: a node that was cut off missed messages. When its
 * bus comes back it (1) drops its cache if the store is shared, so the next
 * read comes from the store, which has everything, (2) re-publishes the
 * profiles changed since the cut, and (3) asks the others to re-publish what
 * they changed since the cut (topic `sync`, the time in its payload), which is
 * what makes nodes with a store of their own (SQLite) converge.
 *
 * Anti-entropy has no age limit: with a store that pages its changes
 * (`ProfileStore.changedSince`), a node re-publishes every profile its store
 * changed since the cut, however long ago, in batches of `resyncBatch` that
 * wait for the bus, so a large store neither floods the bus nor stalls the
 * node. Without it (or a sync request with no time) it falls back to the
 * profiles it remembers changing (`recentLimit`) within `resyncWindowMs`.
 *
 * Experiment ledgers travel the same way: after every count or status change
 * this node publishes the part of its ledger that changed (a CRDT state:
 * its own G-counter components, a status register), and on start and on a
 * `sync` request its whole ledger; receivers merge with max per (counter,
 * node) and the later register, so every node shows the same totals however
 * often or in whatever order the messages arrive.
 *
 * Topics: `profiles` (delta, tombstone), `models` (model), `ledger` (delta), `sync`.
 * @module
 */
import { type Envelope, encodeEnvelope } from '../bus/codec.js';
import { subscribeEnvelopes } from '../bus/envelopes.js';
import type { ConnectionState } from '../connections/status.js';
import type { Engine } from '../core/engine.js';
import { decodeLedger, encodeLedger, type LedgerState } from '../core/experiments/index.js';
import type { Bus, Logger, ProfileStore } from '../core/ports.js';
import { decodeProfile, encodeProfile, isErased } from '../core/profile/index.js';
import type { Profile } from '../core/types.js';

export interface ClusterSyncOptions {
  bus: Bus & Partial<ConnectionState>;
  nodeId: string;
  engine: Engine;
  /** The store is this node's own (SQLite, memory): received deltas go into it too. */
  localStore: boolean;
  logger: Logger;
  /**
   * This node's own store (SQLite, memory), paged on a resync for every profile changed since
   * the cut. Leave it out for a shared store: the others read what this node wrote from it.
   */
  store?: Pick<ProfileStore, 'changedSince'>;
  /** Visitors remembered as changed here, for re-publishing (default 10,000). */
  recentLimit?: number;
  /** How far back a resync reaches when the time of the cut is unknown (default 5 min). */
  resyncWindowMs?: number;
  /** Profiles read and published per batch of a store resync (default 200). */
  resyncBatch?: number;
  /** Subtracted from the time of a cut, for clocks apart between nodes (default 60 s). */
  clockSkewMs?: number;
  now?: () => number;
}

export interface ClusterSyncStats {
  published: number;
  received: number;
  /** Publishes that failed (bus down); their visitors are re-published on reconnect. */
  unsent: number;
  resyncs: number;
}

export interface ClusterSync {
  publishProfile(visitor: string, profile: Profile): void;
  announceModel(version: string): void;
  /** Re-publish recent changes and ask the others to do the same. */
  resync(): Promise<void>;
  stats(): ClusterSyncStats;
  close(): Promise<void>;
}

/** Caps a Map to `limit` entries, oldest insertion first out. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as K);
}

export async function startClusterSync(o: ClusterSyncOptions): Promise<ClusterSync> {
  const { bus, engine, logger } = o;
  const profiles = engine.profiles;
  const now = o.now ?? Date.now;
  const limit = o.recentLimit ?? 10_000;
  const windowMs = o.resyncWindowMs ?? 5 * 60_000;
  const batch = Math.max(1, o.resyncBatch ?? 200);
  const skewMs = o.clockSkewMs ?? 60_000;
  /** Visitors this node changed → when. */
  const changed = new Map<string, number>();
  /** Visitors erased lately: a late delta must not bring them back into a local store. */
  const erased = new Map<string, number>();
  const stats: ClusterSyncStats = { published: 0, received: 0, unsent: 0, resyncs: 0 };
  let downSince: number | undefined;

  /** Resolves once the bus took the message or refused it (never rejects). */
  const send = (topic: string, e: Omit<Envelope, 'node'>): Promise<void> => {
    let bytes: Uint8Array;
    try {
      bytes = encodeEnvelope({ ...e, node: o.nodeId });
    } catch (err) {
      logger.warn('[tessera] [cluster] cannot encode', { error: String(err) });
      return Promise.resolve();
    }
    return bus.publish(topic, bytes).then(
      () => void stats.published++,
      (err) => {
        stats.unsent++;
        downSince ??= now();
        logger.debug('[tessera] [cluster] publish failed', { error: String(err) });
      },
    );
  };

  const publishProfile = (visitor: string, profile: Profile) =>
    send('profiles', { kind: 'delta', visitor, payload: encodeProfile(profile) });

  const current = (visitor: string): Promise<Profile | undefined> => profiles.get(visitor);

  /** Publishes the visitors' current profiles; resolves once the bus took them. */
  const publishCurrent = async (visitors: Iterable<string>): Promise<number> => {
    const sent: Promise<void>[] = [];
    for (const visitor of visitors) {
      const p = await current(visitor).catch(() => undefined);
      if (p && !isErased(p)) sent.push(publishProfile(visitor, p));
    }
    await Promise.all(sent);
    return sent.length;
  };

  /** The profiles changed since `since`: those remembered here, then (no age limit) the store's. */
  const republish = async (since: number): Promise<number> => {
    // Remembered ones first: a profile written behind may not be in the store yet.
    const remembered = [...changed].filter(([, at]) => at >= since).map(([visitor]) => visitor);
    let n = await publishCurrent(remembered);
    const store = o.store;
    if (!store?.changedSince) return n;
    const done = new Set(remembered);
    let cursor: string | undefined;
    do {
      const page = await store.changedSince(since, cursor, batch);
      n += await publishCurrent(page.ids.filter((id) => !done.has(id)));
      cursor = page.cursor;
      // One batch at a time, each waiting for the bus: requests keep being served meanwhile.
      await new Promise((r) => setTimeout(r, 0));
    } while (cursor !== undefined);
    return n;
  };

  const republishLogged = (since: number) =>
    republish(since).catch((err) =>
      logger.warn('[tessera] [cluster] re-publishing after a cut failed', { error: String(err) }),
    );

  const onProfile = async (e: Envelope) => {
    const visitor = e.visitor;
    if (visitor === undefined) return;
    stats.received++;
    if (e.kind === 'tombstone') {
      remember(erased, visitor, now(), limit);
      changed.delete(visitor);
      // The one erasure path, under the visitor's lock: an ingest here in flight finishes first,
      // so its write cannot land after the delete (in this node's store or a shared one).
      await profiles.erase(visitor, { remote: true });
      return;
    }
    if (e.kind !== 'delta' || erased.has(visitor)) return;
    const profile = decodeProfile(e.payload);
    if (isErased(profile)) {
      profiles.forget(visitor);
      return;
    }
    await profiles.merge(visitor, profile, { intoStore: o.localStore });
  };

  const publishLedger = (state: LedgerState) =>
    send('ledger', { kind: 'delta', payload: encodeLedger(state) });

  const handlers: Record<string, (e: Envelope) => void> = {
    ledger: (e) => {
      stats.received++;
      try {
        engine.experiments.mergeLedger(decodeLedger(e.payload), { intoStore: o.localStore });
      } catch (err) {
        logger.warn('[tessera] [cluster] cannot apply a received ledger', { error: String(err) });
      }
    },
    profiles: (e) => {
      onProfile(e).catch((err) =>
        logger.warn('[tessera] [cluster] cannot apply a received profile', { error: String(err) }),
      );
    },
    models: () => {
      stats.received++;
      engine.models
        .reload()
        .then((v) => logger.info(`[tessera] [cluster] model ${v ?? 'none'} loaded after a notice`))
        .catch((err) => logger.warn('[tessera] [cluster] model reload failed', { error: String(err) }));
    },
    sync: (e) => {
      stats.received++;
      // The time the asking node was cut off, on its clock; none from an older node.
      const asked = Number(new TextDecoder().decode(e.payload));
      const since = e.payload.length > 0 && Number.isFinite(asked) ? asked - skewMs : now() - windowMs;
      void republishLogged(since);
      publishLedger(engine.experiments.ledger());
    },
  };
  const unsubscribe = new Map<string, () => void>();
  /** Subscribes what is not subscribed yet; a bus that is down at start is retried when it comes up. */
  const subscribeAll = async (): Promise<boolean> => {
    for (const [topic, handler] of Object.entries(handlers)) {
      if (unsubscribe.has(topic)) continue;
      try {
        unsubscribe.set(topic, await subscribeEnvelopes(bus, topic, o.nodeId, handler));
      } catch (err) {
        logger.warn(`[tessera] [cluster] cannot subscribe to ${topic} yet`, { error: String(err) });
        downSince ??= now();
        return false;
      }
    }
    return true;
  };
  await subscribeAll();
  const offLedger = engine.experiments.onLedgerChange(publishLedger);
  // What this node counted before it (re)started, for nodes that keep their own store; and theirs back.
  publishLedger(engine.experiments.ledger());
  send('sync', { kind: 'delta', payload: new Uint8Array(0) });

  const offChange = profiles.onChange((c) => {
    if ('erased' in c) {
      changed.delete(c.visitor);
      remember(erased, c.visitor, now(), limit);
      // Erased here on another node's tombstone: that node sent it already.
      if (!c.remote) send('profiles', { kind: 'tombstone', visitor: c.visitor, payload: new Uint8Array(0) });
    } else {
      erased.delete(c.visitor);
      remember(changed, c.visitor, now(), limit);
      publishProfile(c.visitor, c.profile);
    }
  });

  const resync = async () => {
    stats.resyncs++;
    const since = downSince ?? now() - windowMs;
    downSince = undefined;
    // A shared store has what this node missed; a cache would hide it.
    if (!o.localStore) profiles.dropCache();
    publishLedger(engine.experiments.ledger());
    await send('sync', { kind: 'delta', payload: new TextEncoder().encode(String(since)) });
    await republishLogged(since - skewMs);
  };

  const offStatus = bus.onStatus?.((s) => {
    if (s !== 'ready') downSince ??= now();
    else
      subscribeAll()
        .then((ok) => (ok ? resync() : undefined))
        .catch((err) => logger.warn('[tessera] [cluster] resync failed', { error: String(err) }));
  });

  return {
    publishProfile,
    announceModel: (version) => send('models', { kind: 'model', payload: new TextEncoder().encode(version) }),
    resync,
    stats: () => ({ ...stats }),
    async close() {
      offStatus?.();
      offChange();
      offLedger();
      for (const u of unsubscribe.values()) u();
      unsubscribe.clear();
    },
  };
}
