/**
 * POST /collect: validate a batch, apply consent first, then log and apply the
 * rest to the visitor's profile. Answers 202 once the log and the store have
 * the events, with per-event rejections; bad bodies get a 4xx and a message.
 * @module
 */
import type { RequestLike } from '../context.js';
import { buildContext } from '../context.js';
import { isTesseraError, TesseraError } from '../errors.js';
import { parseBatch } from '../events.js';
import { browserOptsOut, formatConsentCookie } from '../identity/index.js';
import { requestLogger } from '../request-logger.js';
import { type RequestTrace, tracingObserver } from '../tracer.js';
import type { TesseraEvent } from '../types.js';
import { mintVisitor, resolveVisitor } from '../visitor.js';
import { countBatch, countIngested } from './collect-metrics.js';
import { clearCookie, setCookie } from './cookies.js';
import type { EngineState } from './engine-state.js';
import { jsonReply, type Reply } from './reply.js';

export async function readBody(req: RequestLike, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes)
    throw new TesseraError(413, `[tessera] [collect] body is larger than ${maxBytes} bytes`);
  const text = await req.text();
  // Length in UTF-16 units is ≤ bytes, so only a long string needs the exact count.
  if (text.length > maxBytes / 3 && new TextEncoder().encode(text).byteLength > maxBytes) {
    throw new TesseraError(413, `[tessera] [collect] body is larger than ${maxBytes} bytes`);
  }
  return text;
}

export async function handleCollect(req: RequestLike, s: EngineState, trace?: RequestTrace): Promise<Reply> {
  if (req.method !== 'POST') throw new TesseraError(405, '[tessera] [collect] use POST');
  // Traced: the outcome counts also go on the request's span.
  const observer = trace ? tracingObserver(s.observer, trace) : s.observer;
  const now = s.now();
  const counts = s.accounting;
  let body: string;
  try {
    body = await readBody(req, s.settings.maxBodyBytes);
  } catch (e) {
    if (isTesseraError(e) && e.status === 413) counts.refuse('bodyTooLarge');
    throw e;
  }
  let batch: ReturnType<typeof parseBatch>;
  try {
    batch = parseBatch(body, now, { ...s.batchLimits, maxBatch: s.settings.maxBatch });
  } catch (e) {
    counts.refuse('malformed');
    throw e;
  }
  counts.count('received', batch.accepted + batch.rejected.length);
  counts.count('accepted', batch.accepted);
  counts.drop('invalid', batch.rejected.length);
  // A duplicate inside the batch is accepted and changes nothing.
  counts.count('deduplicated', batch.accepted - batch.events.length);
  countBatch(observer, batch);
  if (batch.dropped > 0) warnDropped(s, batch.dropped, now, req);
  // Nothing usable at all: a 4xx with the reasons, so junk never looks accepted.
  if (batch.accepted === 0 && batch.rejected.length > 0) {
    const first = batch.rejected[0]?.error ?? 'invalid event';
    return jsonReply(400, {
      error: `[tessera] [collect] no valid event in the batch (event 0: ${first})`,
      status: 400,
      rejected: batch.rejected,
    });
  }
  const ctx = buildContext(req, now, s.settings);
  const visitor = await resolveVisitor(
    ctx,
    s.settings,
    s.ring,
    (id) => s.profiles.erasedIfKnown(id),
    s.visitorIds,
  );
  const cookies = visitor.cookies;
  let id = visitor.id;
  const secure = s.settings.secureCookies;

  const consentEvent = lastConsent(batch.events);
  if (consentEvent) {
    // "Learn on my device only" grants the server nothing: no id, no profile, no stored event.
    const device = consentEvent.props?.device === true;
    const choice = {
      personalization: !device && consentEvent.props?.personalization === true,
      analytics: !device && consentEvent.props?.analytics === true,
      device,
    };
    // A grant to a visitor who has an id keeps the cookies identity resolution set: an id minted
    // for this request (opt-out, or one replacing an erased id) must reach the browser.
    if (choice.personalization && browserOptsOut(ctx)) {
      // The cookie keeps the visitor's choice; GPC/DNT still win over it: no id, nothing stored
      // (resolveVisitor already clears an id cookie the browser sent).
      id = undefined;
    } else if (choice.personalization && !id) {
      const minted = await mintVisitor(s.settings, s.ring, s.visitorIds);
      id = minted.id;
      cookies.length = 0;
      cookies.push(minted.cookie);
    } else if (!choice.personalization) {
      // Withdrawal: stop keeping a profile, and forget the one we kept (for good: a tombstone).
      if (id) await s.profiles.erase(id);
      cookies.length = 0;
      const rawId = ctx.cookies[s.settings.cookies.id];
      if (rawId !== undefined) cookies.push(clearCookie(s.settings.cookies.id, secure));
      if (ctx.cookies[s.settings.cookies.profile] !== undefined) {
        cookies.push(clearCookie(s.settings.cookies.profile, secure));
      }
      id = undefined;
    }
    cookies.push(
      setCookie(s.settings.cookies.consent, formatConsentCookie(choice), { httpOnly: false, secure }),
    );
  }

  let stored = 0;
  let droppedForQuota = 0;
  // No personalization consent (or GPC/DNT): the batch's events are not kept.
  if (!id) counts.drop('consent', batch.events.length);
  if (id && batch.events.length > 0) {
    const r = await s.profiles.ingest(id, batch.events, requestLogger(s.logger, req.requestId));
    stored = r.applied - r.dropped;
    droppedForQuota = r.dropped;
    // Awaited: the 202 means the counts are stored (the ledger deduplicates a replayed batch).
    const hits = r.applied > 0 ? await s.experiments.recordCollected(id, batch.events, s.compiled) : [];
    countIngested(observer, batch.events.length, r, hits);
    let linkedTo: string | undefined;
    for (const e of batch.events) {
      if (e.type === 'identify' && typeof e.props?.userId === 'string') {
        linkedTo = await s.profiles.pseudonym(e.props.userId);
        await s.store.link(id, linkedTo);
      }
    }
    // A device of an identified user: its profile joins the user's (linked-devices.ts). A visitor
    // who never identified pays nothing (no call, no await).
    if (linkedTo !== undefined || (r.applied > 0 && r.profile.userId !== undefined))
      await s.linked.contribute(id, r.profile, linkedTo);
    if (r.applied > 0) {
      const entry = s.profiles.cache.get(id);
      if (entry) {
        const segs = s.compiled.segments.evaluate({
          ctx,
          profile: entry.profile,
          now,
          halfLifeMs: s.settings.halfLifeMs,
        });
        cookies.push(
          setCookie(s.settings.cookies.profile, await s.profiles.sealDigest(id, entry, segs), { secure }),
        );
      }
    }
  }
  if (!id) countIngested(observer, batch.events.length, undefined, []);
  const accepted = batch.accepted;
  counts.count('acknowledged', accepted);
  const dropped = droppedForQuota > 0 ? { dropped: { quota: droppedForQuota } } : {};
  return jsonReply(202, { accepted, rejected: batch.rejected, stored, ...dropped }, cookies);
}

/** Per engine: when the last "dropped" warning went out, and what came since. */
const dropWarnings = new WeakMap<EngineState, { at: number; batches: number; dropped: number }>();

/**
 * The client says how many events it dropped: a number anyone can send. One
 * line a minute, with the totals since the last one, so junk cannot turn
 * into a log flood.
 */
function warnDropped(s: EngineState, dropped: number, now: number, req: RequestLike): void {
  let w = dropWarnings.get(s);
  if (w === undefined) {
    w = { at: Number.NEGATIVE_INFINITY, batches: 0, dropped: 0 };
    dropWarnings.set(s, w);
  }
  w.batches++;
  w.dropped += dropped;
  if (now - w.at < 60_000) return;
  requestLogger(s.logger, req.requestId).warn(
    '[tessera] [collect] browsers dropped events from their full queues',
    {
      dropped: w.dropped,
      batches: w.batches,
    },
  );
  w.at = now;
  w.batches = 0;
  w.dropped = 0;
}

function lastConsent(events: TesseraEvent[]): TesseraEvent | undefined {
  let last: TesseraEvent | undefined;
  for (const e of events) if (e.type === 'consent' && (!last || e.ts >= last.ts)) last = e;
  return last;
}
