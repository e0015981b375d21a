/**
 * The interfaces drivers implement. The core depends on these only; a runtime
 * wires concrete drivers (SQLite, memory, Redis, KV, ...) into them.
 * @module
 */
import type { LoggedEvent, Profile } from './types.js';

/** Durable full profiles, identity links. */
export interface ProfileStore {
  /** Short driver name for traces and errors, e.g. `sqlite`. */
  readonly name: string;
  get(id: string): Promise<Profile | undefined>;
  /**
   * Merge `delta` into the stored profile with the CRDT `merge` (never a blind
   * overwrite) and return the merged result. Concurrent calls lose nothing.
   * `opts.over`: `delta` was folded (events applied) from this profile, which
   * this store returned from an earlier merge of `id`. A store that can tell
   * it still holds exactly that profile may store `delta` as the result
   * without merging: a fold's output dominates its input, so the merge would
   * give `delta` back (core/fold-dominates.test.ts). Stores may ignore it.
   */
  merge(id: string, delta: Profile, opts?: { over?: Profile }): Promise<Profile>;
  /** Remove the profile entirely (erasure). */
  delete(id: string): Promise<void>;
  /** Link an alias (anonymous id) to a canonical id (known user id). */
  link(alias: string, canonical: string): Promise<void>;
  /** The canonical id an alias is linked to, if any. */
  resolve(alias: string): Promise<string | undefined>;
  /** Every alias linked to a canonical id. */
  aliases(canonical: string): Promise<string[]>;
  /** Remove every link that has this id on either side. */
  unlink(id: string): Promise<void>;
  /**
   * Retention: delete profiles last changed before `before` (epoch ms) and
   * their links; returns how many profiles. Optional: drivers without it are
   * reported as skipped by the sweep.
   */
  sweep?(before: number): Promise<number>;
  /** Every stored profile id (for maintenance such as re-encryption). Optional. */
  ids?(): AsyncIterable<string>;
  /**
   * One page of the ids of profiles last changed at or after `since` (epoch
   * ms, the store's clock), for anti-entropy after a partition however long.
   * Start with `cursor` undefined and pass back the one returned until it is
   * undefined; a page holds about `limit` ids (it may hold fewer, even none,
   * before the end). A profile whose change time the store does not know is
   * included. Optional: without it a node re-publishes what it remembers.
   */
  changedSince?(since: number, cursor: string | undefined, limit: number): Promise<ChangedPage>;
  /**
   * Rewrite one stored profile with the store's codec as it is now (the
   * current key), leaving its last-change time alone; true when the bytes
   * were stale and got rewritten. Optional.
   */
  reencrypt?(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A page of `ProfileStore.changedSince`: `cursor` undefined once the scan is done. */
export interface ChangedPage {
  ids: string[];
  cursor: string | undefined;
}

/** Append-only event log, deduplicated by (visitor, event id). */
export interface EventLog {
  readonly name: string;
  /**
   * Append events; an event whose (visitor, id) is already in the log is
   * skipped. Returns the events that were new, in input order.
   */
  append(events: LoggedEvent[]): Promise<LoggedEvent[]>;
  /** Read in append order, starting after the cursor (0 = from the start). */
  read(after: number, limit: number): Promise<{ events: LoggedEvent[]; cursor: number }>;
  /** Delete every event of a visitor; returns how many were deleted. */
  deleteVisitor(visitor: string): Promise<number>;
  /** Retention: delete events received before `before` (epoch ms); returns how many. Optional. */
  sweep?(before: number): Promise<number>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Pub/sub between nodes: profile deltas, model notices, tombstones. */
export interface Bus {
  readonly name: string;
  publish(topic: string, payload: Uint8Array): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(topic: string, handler: (payload: Uint8Array) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** What the model registry knows of one version. */
export interface ModelMeta {
  /** The artifact's version: its content hash (equal bytes, equal version). */
  version: string;
  algorithm?: string;
  params?: Record<string, number | string | boolean>;
  /** The events it was trained on: how many, and the first and last event time (ms). */
  data?: { count: number; first?: number; last?: number };
  /** Offline metrics measured when it was trained, when known. */
  metrics?: Record<string, number>;
  /** When it was registered (ms since the epoch). */
  created: number;
  bytes: number;
}

export type ModelAlias = 'production' | 'candidate';

/** Which versions the aliases name. */
export interface ModelAliases {
  production?: string;
  candidate?: string;
  /** Earlier production versions, oldest first: a rollback moves production back to the last one. */
  history: string[];
  /** Bumped by every write; `setAliases` writes only over the revision it was given. */
  revision: number;
}

/**
 * Where trained recommendation artifacts live: every version by its content
 * hash with its metadata, and the aliases that say which one serves.
 */
export interface ModelStore {
  readonly name: string;
  /** The production artifact's bytes, or undefined when none was trained yet. */
  get(): Promise<ArrayBuffer | undefined>;
  /** Registers the artifact and makes it production (what training did before the registry). */
  put(artifact: ArrayBuffer, meta?: Partial<Omit<ModelMeta, 'version' | 'bytes'>>): Promise<void>;
  /** One version's bytes, or undefined when it is not registered. */
  getVersion(version: string): Promise<ArrayBuffer | undefined>;
  /** Stores a version and its metadata (the same version again changes nothing but the metadata). */
  putVersion(artifact: ArrayBuffer, meta: ModelMeta): Promise<void>;
  /** Every registered version, oldest first. */
  list(): Promise<ModelMeta[]>;
  aliases(): Promise<ModelAliases>;
  /**
   * Writes the aliases as revision `expectedRevision + 1` when the stored
   * revision is still `expectedRevision`; false when another writer came first.
   */
  setAliases(next: Omit<ModelAliases, 'revision'>, expectedRevision: number): Promise<boolean>;
}

export interface Clock {
  now(): number;
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  /**
   * A logger whose lines name the request they are written for
   * (`requestId`). Optional: a logger without it writes a request's lines as
   * any other. The engine asks for one only when a request's line is written
   * (request-logger.ts), so a request that logs nothing costs nothing.
   */
  forRequest?(requestId: string): Logger;
  /**
   * Whether a line of `level` would be written. Optional: without it, every
   * level may be. A caller on the request path asks before it builds a line
   * that is mostly not wanted (a debug line per request).
   */
  logs?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
