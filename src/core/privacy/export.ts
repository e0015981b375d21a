/**
 * Everything held about one visitor, gathered for an access request (GDPR
 * art. 15, CCPA "right to know"): the stored profile decoded, the identity
 * links on either side of the id, the visitor's events from the log, and the
 * consent recorded for them. The page-shell cache is not read: a shell is
 * built per variant from the origin's HTML and holds no visitor data.
 * @module
 */
import { type KeyRing, pseudonymCandidates } from '../identity/index.js';
import type { EventLog, ProfileStore } from '../ports.js';
import { readAllEvents } from '../read-log.js';
import type { LoggedEvent, Profile } from '../types.js';

export interface VisitorExport {
  id: string;
  /** When this export was made (epoch ms). */
  exportedAt: number;
  /** The stored profile; null when none is stored. */
  profile: Profile | null;
  links: {
    /** The pseudonym of the known user id this id is linked to (identify), if any. */
    canonical: string | null;
    /** Ids linked to this one as their canonical id. */
    aliases: string[];
  };
  events: LoggedEvent[];
  /** The latest consent choice held (from the profile, else the last consent event). */
  consent: { personalization: boolean; analytics: boolean } | null;
  /** Says how user ids appear here: pseudonymized, the raw user id is never stored. */
  userIds: 'pseudonymized';
}

/** Where a visitor's data is looked for. */
export interface PrivacySources {
  /** The store as the engine reads it (waits for profiles written behind). */
  store: ProfileStore;
  log: EventLog;
  ring: KeyRing;
  now: () => number;
  /** The profile this node holds in memory and may not have stored yet (degraded mode). */
  held(id: string): Profile | undefined;
}

/** Every event of the log, in order, through `visit`. A full scan: access requests are rare. */
async function scanLog(log: EventLog, visit: (e: LoggedEvent) => void): Promise<void> {
  for await (const e of readAllEvents(log)) visit(e);
}

/** The visitor's events, in log order. */
export async function eventsOf(log: EventLog, visitor: string): Promise<LoggedEvent[]> {
  const found: LoggedEvent[] = [];
  await scanLog(log, (e) => {
    if (e.visitor === visitor) found.push(e);
  });
  return found;
}

/** Visitors found through a user id or an email, and the pseudonyms that led there. */
export interface LinkedVisitors {
  pseudonyms: string[];
  visitors: string[];
}

/**
 * The visitors a raw user id or trait value (an email) belongs to. Only
 * pseudonyms are held, so the value is pseudonymized the ways ingest does
 * (user id as given, trait normalized) and looked up in the identity links
 * and in the identify events of the log (where trait pseudonyms are).
 */
export async function linkedVisitors(s: PrivacySources, raw: string): Promise<LinkedVisitors> {
  const pseudonyms = await pseudonymCandidates(s.ring, raw);
  const wanted = new Set(pseudonyms);
  const visitors = new Set<string>();
  for (const list of await Promise.all(pseudonyms.map((p) => s.store.aliases(p))))
    for (const v of list) visitors.add(v);
  await scanLog(s.log, (e) => {
    if (e.type !== 'identify' || visitors.has(e.visitor)) return;
    const traits = e.props?.traits;
    const values = [e.props?.userId, ...(traits && typeof traits === 'object' ? Object.values(traits) : [])];
    if (values.some((x) => typeof x === 'string' && wanted.has(x))) visitors.add(e.visitor);
  });
  return { pseudonyms, visitors: [...visitors].sort() };
}

function consentOf(profile: Profile | undefined, events: LoggedEvent[]): VisitorExport['consent'] {
  if (profile?.consent) return profile.consent.v;
  const last = events.filter((e) => e.type === 'consent').at(-1);
  if (!last) return null;
  return {
    personalization: last.props?.personalization === true,
    analytics: last.props?.analytics === true,
  };
}

/** True when anything at all is held about the id. */
export function holdsAnything(x: VisitorExport): boolean {
  return (
    x.profile !== null || x.events.length > 0 || x.links.canonical !== null || x.links.aliases.length > 0
  );
}

export async function exportVisitor(s: PrivacySources, id: string): Promise<VisitorExport> {
  const [stored, canonical, aliases, events] = await Promise.all([
    s.store.get(id),
    s.store.resolve(id),
    s.store.aliases(id),
    eventsOf(s.log, id),
  ]);
  // A change this node has not stored yet (degraded mode) is data held too.
  const profile = stored ?? s.held(id);
  return {
    id,
    exportedAt: s.now(),
    profile: profile ?? null,
    links: { canonical: canonical ?? null, aliases },
    events,
    consent: consentOf(profile, events),
    userIds: 'pseudonymized',
  };
}
