/** HTTP helpers the cluster tests share: visitors, events, pages, health, profile dumps. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CLUSTER_ADMIN_TOKEN } from './launcher.js';

const catalog = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../examples/shop/catalog.json'), 'utf8'),
) as Array<{ id: string; category: string }>;

/** Product ids of a category of the demo shop. */
export function itemsOf(category: string): string[] {
  return catalog.filter((p) => p.category === category).map((p) => p.id);
}

let seq = 0;
export function view(item: string): { id: string; type: string; ts: number; item: string } {
  return { id: `e${Date.now().toString(36)}-${process.pid}-${seq++}`, type: 'view', ts: Date.now(), item };
}

export interface Visitor {
  id: string;
  /** Consent and the signed id; never the profile digest, so a node must find the profile itself. */
  cookie: string;
}

export async function mintVisitor(base: string): Promise<Visitor> {
  const consent = {
    id: `c${Date.now()}-${seq++}`,
    type: 'consent',
    ts: Date.now(),
    props: { personalization: true, analytics: true },
  };
  const res = await fetch(`${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [consent] }),
  });
  if (res.status !== 202) throw new Error(`consent answered ${res.status}: ${await res.text()}`);
  const idCookie = res.headers.getSetCookie().find((c) => c.startsWith('tsr_id='));
  if (!idCookie) throw new Error('no tsr_id cookie after consent');
  const value = idCookie.slice('tsr_id='.length).split(';')[0]!;
  return { id: value.split('.')[0]!, cookie: `tsr_consent=p1.a1; tsr_id=${value}` };
}

/** POST /collect; resolves to the status (0 when the node could not be reached). */
export async function send(base: string, v: Visitor, events: unknown[]): Promise<number> {
  try {
    const res = await fetch(`${base}/collect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: v.cookie },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export async function page(
  base: string,
  v: Visitor,
  path = '/',
): Promise<{ status: number; segments: string }> {
  const res = await fetch(`${base}${path}`, {
    headers: { cookie: v.cookie },
    signal: AbortSignal.timeout(5000),
  });
  await res.arrayBuffer();
  return { status: res.status, segments: res.headers.get('x-tessera-segments') ?? '' };
}

export interface Health {
  status: string;
  degraded: string[];
  dependencies: { spool: { pending: number }; cluster?: { received: number; published: number } };
  /** The node's loss accounting since it started. */
  events: { acknowledged: number; stored: number; spooled: number; replayed: number; deduplicated: number };
}

export async function health(base: string): Promise<Health> {
  const res = await fetch(`${base}/health`, {
    headers: { authorization: `Bearer ${CLUSTER_ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(3000),
  });
  return (await res.json()) as Health;
}

/** The node's view of a visitor's profile as canonical JSON. */
export async function profileOn(base: string, visitor: string): Promise<string> {
  const res = await fetch(`${base}/_tessera/profile?visitor=${encodeURIComponent(visitor)}`);
  if (res.status !== 200) throw new Error(`/_tessera/profile answered ${res.status}`);
  return res.text();
}

/** Whether the node holds the visitor's profile in its cache (not only in the store). */
export async function isCachedOn(base: string, visitor: string): Promise<boolean> {
  const res = await fetch(`${base}/_tessera/profile?visitor=${encodeURIComponent(visitor)}`);
  await res.arrayBuffer();
  return res.headers.get('x-tessera-profile-source') === 'cache';
}
