/**
 * Degraded mode for writes: the event log, the profile store and ingest
 * wrapped so that a write failing because its dependency is down goes to the
 * local durable spool instead of failing the request.
 *
 * Order: while a target has spooled entries, every new write to it is
 * spooled too (behind them), so replay applies writes in the order the node
 * made them; an erasure can never be overtaken by an older write.
 *
 * A spooled `append` reports every event as new: the caller applies them to
 * the profile now (applying an event twice changes nothing, the profile
 * remembers event ids), and when the log takes them later it skips the ones
 * it already had. That also covers a batch the log acknowledged in part.
 * @module
 */

import { isDependencyDown } from '../connections/status.js';
import type { LossAccounting } from '../core/loss-accounting.js';
import type { EventLog, ProfileStore } from '../core/ports.js';
import type { IngestFallback } from '../core/profile-service.js';
import type { LoggedEvent } from '../core/types.js';
import type { Spool, SpoolEntry } from './spool.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs `write`; when the dependency is down (or older writes wait), spools instead. */
async function orSpool<T>(
  spool: Spool,
  target: 'log' | 'store',
  spoolIt: () => T,
  write: () => Promise<T>,
): Promise<T> {
  if (spool.pending(target) > 0) return spoolIt();
  try {
    return await write();
  } catch (e) {
    if (!isDependencyDown(e)) throw e;
    return spoolIt();
  }
}

async function orNothing<T>(read: () => Promise<T>, nothing: T): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (isDependencyDown(e)) return nothing;
    throw e;
  }
}

/** `accounting`: counts the events spooled (loss-accounting.ts). */
export function resilientLog(log: EventLog, spool: Spool, accounting?: LossAccounting): EventLog {
  const wrapped: EventLog = {
    name: log.name,
    append: (events) =>
      orSpool(
        spool,
        'log',
        () => {
          if (events.length > 0) {
            spool.append('log', 'append', events[0]!.visitor, encoder.encode(JSON.stringify(events)));
            accounting?.count('spooled', events.length);
          }
          return events;
        },
        () => log.append(events),
      ),
    read: (after, limit) => log.read(after, limit),
    deleteVisitor: (visitor) =>
      orSpool(
        spool,
        'log',
        () => {
          spool.append('log', 'deleteVisitor', visitor);
          return 0;
        },
        () => log.deleteVisitor(visitor),
      ),
    count: () => log.count(),
    close: () => log.close(),
  };
  // Retention passes through (a sweep the log cannot take now fails and is tried at the next one).
  if (log.sweep) wrapped.sweep = (before) => log.sweep!(before);
  return wrapped;
}

/** Applies a spooled log entry to the real log; `accounting` counts the events it took. */
export async function replayLog(
  log: EventLog,
  entry: SpoolEntry,
  accounting?: LossAccounting,
): Promise<void> {
  if (entry.kind === 'append') {
    const events = JSON.parse(decoder.decode(entry.body)) as LoggedEvent[];
    await log.append(events);
    // The log may have had some already (a batch acknowledged in part before the cut): all are in it now.
    accounting?.count('replayed', events.length);
  } else if (entry.kind === 'deleteVisitor') {
    await log.deleteVisitor(entry.visitor);
  } else {
    throw new Error(`[tessera] [spool] unknown log entry kind ${JSON.stringify(entry.kind)}`);
  }
}

/**
 * The profile store with erasure and identity writes spooled while it is
 * down. Merges pass through: ingest defers events instead (see
 * `IngestFallback`), and reads fail for the core to handle (a page decides
 * without the profile, ingest defers).
 */
export function resilientStore(store: ProfileStore, spool: Spool): ProfileStore {
  const spoolOp = (kind: string, id: string, body?: Uint8Array) => () => {
    spool.append('store', kind, id, body);
  };
  const wrapped: ProfileStore = {
    name: store.name,
    get: (id) => store.get(id),
    merge: (id, delta, opts) => store.merge(id, delta, opts),
    delete: (id) => orSpool(spool, 'store', spoolOp('delete', id), () => store.delete(id)),
    link: (alias, canonical) =>
      orSpool(spool, 'store', spoolOp('link', alias, encoder.encode(canonical)), () =>
        store.link(alias, canonical),
      ),
    resolve: (alias) => orNothing(() => store.resolve(alias), undefined),
    aliases: (canonical) => orNothing(() => store.aliases(canonical), []),
    unlink: (id) => orSpool(spool, 'store', spoolOp('unlink', id), () => store.unlink(id)),
    close: () => store.close(),
  };
  // The optional maintenance methods pass through: without them the retention sweep would report this
  // store as skipped and keep expired profiles, and re-encryption and anti-entropy would not see it.
  if (store.sweep) wrapped.sweep = (before) => store.sweep!(before);
  if (store.ids) wrapped.ids = () => store.ids!();
  if (store.changedSince)
    wrapped.changedSince = (since, cursor, limit) => store.changedSince!(since, cursor, limit);
  if (store.reencrypt) wrapped.reencrypt = (id) => store.reencrypt!(id);
  return wrapped;
}

/** Ingest's degraded mode: events the store could not take wait in the spool, behind older writes. */
export function spoolIngest(spool: Spool): IngestFallback {
  return {
    isUnavailable: isDependencyDown,
    busy: () => spool.pending('store') > 0,
    async defer(visitor, events) {
      if (events.length > 0) spool.append('store', 'apply', visitor, encoder.encode(JSON.stringify(events)));
    },
  };
}

/** Applies a spooled store entry; `apply` stores deferred events (`ProfileService.applyDeferred`). */
export async function replayStore(
  store: ProfileStore,
  entry: SpoolEntry,
  apply: (visitor: string, events: LoggedEvent[]) => Promise<unknown>,
): Promise<void> {
  switch (entry.kind) {
    case 'apply':
      await apply(entry.visitor, JSON.parse(decoder.decode(entry.body)) as LoggedEvent[]);
      return;
    case 'delete':
      return store.delete(entry.visitor);
    case 'unlink':
      return store.unlink(entry.visitor);
    case 'link':
      return store.link(entry.visitor, decoder.decode(entry.body));
    default:
      throw new Error(`[tessera] [spool] unknown store entry kind ${JSON.stringify(entry.kind)}`);
  }
}
