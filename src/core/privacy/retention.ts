/**
 * Retention: profiles not changed, and events not received, within
 * `retentionDays` are deleted. Drivers opt in with `sweep(before)`; today the
 * SQLite and memory drivers have it. Redis, Cloudflare KV, Durable Objects
 * and the Redis/NATS event logs do not: the sweep reports them as skipped
 * (Redis keys can carry a TTL instead; that is not wired yet).
 * @module
 */
import type { EventLog, ProfileStore } from '../ports.js';

export const DEFAULT_RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;

export interface SweepResult {
  /** Everything older than this (epoch ms) was deleted. */
  before: number;
  profiles: number;
  events: number;
  /** Drivers without `sweep`, whose old data was left in place. */
  skipped: string[];
}

export function retentionCutoff(now: number, retentionDays = DEFAULT_RETENTION_DAYS): number {
  if (!(retentionDays > 0))
    throw new Error(`[tessera] [privacy] retentionDays must be > 0, got ${retentionDays}`);
  return now - retentionDays * DAY_MS;
}

export async function sweepRetention(
  store: ProfileStore,
  log: EventLog,
  before: number,
): Promise<SweepResult> {
  const skipped: string[] = [];
  if (!store.sweep) skipped.push(`profiles:${store.name}`);
  if (!log.sweep) skipped.push(`events:${log.name}`);
  const profiles = store.sweep ? await store.sweep(before) : 0;
  const events = log.sweep ? await log.sweep(before) : 0;
  return { before, profiles, events, skipped };
}
