/**
 * Readings taken from a node's health report (shared-state.ts): the spool's
 * backlog for `tessera_spool_depth`, and whether the store is reachable for
 * `/ready`.
 * @module
 */
import type { HealthReport } from '../core/engine.js';

export function spoolDepthOf(report: HealthReport): number {
  const spool = report.dependencies.spool as { pending?: unknown } | undefined;
  return typeof spool?.pending === 'number' ? spool.pending : 0;
}

/** `['store <status>']` while the profile store is not ready, else nothing. */
export function storeNotReady(report: HealthReport): string[] {
  const store = report.dependencies.store as { status?: unknown } | undefined;
  const status = store?.status;
  return typeof status === 'string' && status !== 'ready' ? [`store ${status}`] : [];
}
