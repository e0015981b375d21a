/**
 * The admin audit trail: one JSON line per admin call, allowed or refused.
 * It names the token (never the token itself), the route, the outcome and
 * the visitor or experiment the call was about.
 *
 * Anyone can knock on `/admin/api/…`, so what a stranger can add is bounded
 * twice: the route is cut to 200 characters (control characters escaped,
 * the original length kept), and calls without a known token or session are
 * itemized up to 20 a minute; the rest are counted and written as one
 * summary line when the next minute's first entry comes in.
 *
 * Web APIs only (the Worker records here too); the file sink is audit-file.ts.
 * @module
 */
export interface AuditEntry {
  /** ISO time. */
  time: string;
  /** The token's name, or "none" when no known token was presented. */
  token: string;
  method: string;
  /** The path, at most `AUDIT_ROUTE_MAX` characters (see `auditRoute`). */
  route: string;
  /** The path's full length, when `route` had to be cut. */
  routeLength?: number;
  status: number;
  /** The visitor id or experiment key the call was about. */
  target?: string;
  /** A summary line: unauthenticated calls not itemized since `since`, by status. */
  suppressed?: Record<string, number>;
  since?: string;
}

export interface AuditSink {
  write(entry: AuditEntry): void;
  /** The latest entries written before (a file's tail), for the experiments' history; sinks that cannot, lack it. */
  read?(): AuditEntry[];
}

export const AUDIT_ROUTE_MAX = 200;

/** A path as the log records it: control and line-separator characters escaped, then cut. */
export function auditRoute(path: string): Pick<AuditEntry, 'route' | 'routeLength'> {
  const head = path.slice(0, AUDIT_ROUTE_MAX);
  const escaped = head.replace(
    /[\p{Cc}\u2028\u2029]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (escaped.length <= AUDIT_ROUTE_MAX && path.length <= AUDIT_ROUTE_MAX) return { route: escaped };
  return { route: escaped.slice(0, AUDIT_ROUTE_MAX), routeLength: path.length };
}

/**
 * Writes every entry of a known caller, and at most `perMinute` entries a
 * minute of unknown ones (`token: "none"`); the others are counted and the
 * count written once the minute is over (at the next entry). Uses each
 * entry's own time, so it needs no clock.
 */
export function throttleUnauthenticated(sink: AuditSink, perMinute = 20): AuditSink {
  const windowMs = 60_000;
  let windowStart = Number.NEGATIVE_INFINITY;
  let written = 0;
  let suppressed: Record<string, number> = {};
  let any = false;
  return {
    write(entry) {
      const t = Date.parse(entry.time);
      if (t - windowStart >= windowMs) {
        if (any)
          sink.write({
            time: entry.time,
            token: 'none',
            method: '*',
            route: '*',
            status: 0,
            suppressed,
            since: new Date(windowStart).toISOString(),
          });
        windowStart = t;
        written = 0;
        suppressed = {};
        any = false;
      }
      if (entry.token !== 'none') return sink.write(entry);
      if (written < perMinute) {
        written++;
        return sink.write(entry);
      }
      suppressed[entry.status] = (suppressed[entry.status] ?? 0) + 1;
      any = true;
    },
  };
}

/** One JSON line per entry to a log function (a Worker's `console.log`: Workers Logs keep it). */
export function lineAuditSink(log: (line: string) => void): AuditSink {
  return { write: (e) => log(JSON.stringify({ audit: e })) };
}

/** Keeps entries in memory (tests, runtimes without a file system). */
export function memoryAuditSink(): AuditSink & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return { entries, write: (e) => void entries.push(e) };
}
