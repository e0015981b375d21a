/**
 * GET of a site page: context → identity → profile → segments → slot rules
 * and recommendations → assembly from the variant's cached shell. The shell
 * (the page with its variant slots filled) is built once per variant key by
 * the HTMLRewriter; per request only the visitor's holes are filled.
 * @module
 */
import { buildShell, escapeHtml, renderShellChunks, type Shell } from '../assemble/index.js';
import { cacheHeaders, tooVariedToShare, varyHeadersOf } from '../cache/index.js';
import type { RequestLike } from '../context.js';
import { buildContext } from '../context.js';
import { type DecideInput, decide } from '../decide.js';
import { exposureEvent } from '../experiments/index.js';
import { rerankSlots } from '../recommend/session-rerank.js';
import type { RequestTrace } from '../tracer.js';
import type { Decision, DecisionContext, Profile, RecommendedItem, TesseraEvent } from '../types.js';
import { resolveVisitor, type Visitor } from '../visitor.js';
import { setCookie } from './cookies.js';
import type { EngineState } from './engine-state.js';
import { pageBody } from './page-body.js';
import { tracePage } from './page-trace.js';
import { encodePath } from './path.js';
import { jsonReply, type Reply } from './reply.js';
import { decideRouted } from './routed-decide.js';
import { SHOP_SECURITY_HEADERS } from './security-headers.js';
import { Timing } from './server-timing.js';

let edgeSeq = 0;

export interface RequestDecision {
  ctx: DecisionContext;
  visitor: Visitor;
  /** What the decision read: the device's own profile, joined with its user's when linked. */
  profile: Profile | undefined;
  /** The device's own profile (what its digest cookie carries). */
  ownProfile: Profile | undefined;
  profileSource: string;
  segments: string[];
  decision: Decision;
  /** The item this page is about, when its route names one. */
  item: string | undefined;
}

export interface DecideOptions {
  /** Build `decision.trace` (see `DecideInput.trace`); `engine.decide` asks for it, the page path does not. */
  trace?: boolean;
  /**
   * An operator's look at the decision (the dashboard's profile lookup): no
   * view recorded for an item page and no exposure logged, so looking does
   * not change the profile or count the visitor in an experiment.
   */
  readOnly?: boolean;
}

/**
 * Everything up to assembly: context, identity, profile, segments, slot rules
 * and recommendations. The benchmark's "full in-process decision".
 */
export async function decideRequest(
  req: RequestLike,
  s: EngineState,
  t?: Timing,
  options: DecideOptions = {},
): Promise<RequestDecision> {
  const now = s.now();
  const ctx = buildContext(req, now, s.settings);
  const visitor = await resolveVisitor(
    ctx,
    s.settings,
    s.ring,
    (id) => s.profiles.erasedIfKnown(id),
    s.visitorIds,
  );
  t?.step('context');
  let profile: Profile | undefined;
  let profileSource = 'none';
  const item = itemOfPath(ctx.path, s);
  if (visitor.id) {
    const r = await s.profiles.forDecision(visitor.id, ctx.cookies[s.settings.cookies.profile]);
    profile = r.entry?.profile;
    profileSource = r.source;
    s.observer.profileSource(r.source);
    if (item && !options.readOnly) {
      // The edge saw the item page being served: that is the view, recorded
      // here so the next page reflects it even if the browser's beacon is late.
      const view: TesseraEvent = {
        id: `edge-${now.toString(36)}-${(edgeSeq++).toString(36)}`,
        type: 'view',
        ts: now,
        item,
        // The request's coarse context, so the trainer can build cold-start lists per context.
        props: edgeContext(ctx),
      };
      // Not awaited, but tracked: fetch runtimes end a request's work with
      // its response unless told to wait (`engine.idle()` → `ctx.waitUntil`).
      const observed = s.profiles.observe(visitor.id, profile, [view]);
      profile = observed.profile;
      const stored = observed.stored.finally(() => s.background.delete(stored));
      s.background.add(stored);
    }
  }
  // A device tied to a user by identify decides on what all the user's devices did (linked-devices.ts).
  let own = profile;
  // Only a device that may be linked pays the lookup (and the await): the same test linked.view starts with.
  const fromCookie = profileSource === 'cookie';
  if (visitor.id && own && (fromCookie || own.userId !== undefined))
    profile = await s.linked.view(visitor.id, own, fromCookie);
  t?.step('profile');
  const halfLifeMs = s.settings.halfLifeMs;
  // Segments that do not read the request are recomputed only when the profile changes.
  const known = profile
    ? s.memo.segments(profile, now, () =>
        s.compiled.segments.evaluateProfileOnly({ profile, now, halfLifeMs }),
      )
    : undefined;
  const segments = s.compiled.segments.evaluate({ ctx, profile, now, halfLifeMs }, known);
  t?.step('segments');
  // Experiment assignment runs inside the decision: timed there, reported as its own stage.
  let experimentsMs = 0;
  const assignArms: DecideInput['assignArms'] = t
    ? (input) => {
        const t0 = s.perf();
        const arms = s.experiments.assign(input);
        experimentsMs += s.perf() - t0;
        return arms;
      }
    : (input) => s.experiments.assign(input);
  const ranker = s.model.ranker;
  const input: DecideInput = {
    ctx,
    profile,
    visitorId: visitor.id,
    compiled: s.compiled,
    artifact: s.model.artifact,
    halfLifeMs,
    segments,
    memo: s.memo,
    assignArms,
    trace: options.trace === true,
  };
  if (item) input.exclude = new Set([item]);
  if (ranker) input.candidates = ranker.candidates;
  const decision = s.model.router ? decideRouted(input, s.model.router, s.perf) : decide(input);
  // A session model orders the slots: the only await this adds, and only while a ranker is loaded.
  if (ranker && profile && decision.candidates)
    await rerankSlots(decision, profile, ranker, options.trace === true);
  if (visitor.id && decision.exposures && !options.readOnly) {
    const linked = profile !== own;
    own = logExposures(s, visitor.id, own, decision.exposures, now);
    if (!linked) profile = own;
  }
  t?.step('recommend');
  t?.carve('experiments', experimentsMs);
  if (options.trace)
    decision.trace.unshift({
      step: 'profile',
      detail: visitor.id
        ? `${profileSource}${profile ? '' : ' (no history yet)'}`
        : `not used: no personalization consent (${visitor.consent.source}); request context only`,
    });
  return { ctx, visitor, profile, ownProfile: own, profileSource, segments, decision, item };
}

export async function handlePage(req: RequestLike, s: EngineState, trace?: RequestTrace): Promise<Reply> {
  const t = new Timing(s.perf);
  const { ctx, visitor, ownProfile, profileSource, segments, decision, item } = await decideRequest(
    req,
    s,
    t,
  );
  const now = ctx.now;
  const cookies = visitor.cookies;
  s.observer.segments(decision.segments, visitor.id);

  // The origin is asked only when this variant's shell is missing or stale.
  const shellKey = decision.cacheKey;
  const cached = s.shells.get(shellKey);
  let shell: Shell;
  if (cached && now - cached.builtAt < s.shellTtlMs) {
    shell = cached.shell;
  } else {
    const page = s.origin ? await s.origin.render(encodePath(ctx.path), req) : undefined;
    t.step('origin');
    if (!page) return jsonReply(404, { error: `[tessera] no page at ${encodePath(ctx.path)}`, status: 404 });
    if (!('html' in page)) return { status: page.status, headers: page.headers, cookies, body: page.body };
    if (page.status !== 200) {
      return {
        status: page.status,
        headers: htmlHeaders({ 'cache-control': 'no-store' }),
        cookies,
        body: page.html,
      };
    }
    shell = await buildVariantShell(shellKey, page.html, decision, s, now);
  }
  for (const slot in decision.recommendations) {
    const n = decision.recommendations[slot]!.length;
    if (n > 0) s.observer.impression(slot, n);
  }
  const body = pageBody({
    visitorId: visitor.id,
    shell,
    decision,
    recSlots: s.compiled.recSlots,
    memo: s.memo,
    renderer: s.compiled,
    tiles: s.tiles,
    render: () => renderPage(shell, decision, s),
  });
  t.step('assemble');

  // The digest carries the device's own profile: a linked view in it would count the other devices twice.
  if (visitor.id && item && ownProfile) {
    const entry = { profile: ownProfile, changedAt: now };
    cookies.push(
      setCookie(s.settings.cookies.profile, await s.profiles.sealDigest(visitor.id, entry, segments), {
        secure: s.settings.secureCookies,
      }),
    );
  }
  // Shared only when made from the request alone, and not from its referrer.
  const perVisitor = visitor.id !== undefined || tooVariedToShare(decision.contextFields, ctx);
  // Per request, only Server-Timing (and the cookies) is new.
  // Copied with Object.assign, its Server-Timing slot (already in the set) filled: a spread
  // followed by a property (`{ ...set, 'server-timing': … }`) costs about a microsecond on Node 20.
  const headers: Record<string, string> = Object.assign({}, variantHeaders(perVisitor, decision, s));
  headers['server-timing'] = `${t.header()}, profile-src;desc="${profileSource}"`;
  s.experiments.monitor.decision(t.total(), visitor.id, decision.segments);
  t.eachStep((stage, ms) => {
    s.observer.stage(stage, ms / 1000);
  });
  if (trace) tracePage(trace, t, decision, profileSource);
  return { status: 200, headers, cookies, body };
}

/** The shell with the visitor's recommendation tiles in its holes, as chunks. */
function renderPage(shell: Shell, decision: Decision, s: EngineState): Array<string | Uint8Array> {
  const holeHtml: Record<string, string[]> = {};
  for (const [slot, items] of Object.entries(decision.recommendations)) {
    if (items.length > 0) holeHtml[slot] = renderRecommendations(slot, items, decision, s);
  }
  return renderShellChunks(shell, holeHtml);
}

/** Build a variant's shell once, even when many requests miss at the same time. */
function buildVariantShell(
  key: string,
  html: string,
  decision: Decision,
  s: EngineState,
  now: number,
): Promise<Shell> {
  const variant: Record<string, string> = {};
  for (const [slot, contentId] of Object.entries(decision.content)) {
    const fragment = s.compiled.site.content?.[contentId];
    if (fragment !== undefined) variant[slot] = fragment;
  }
  // No reuse (framework middleware): the page is this request's own, it may
  // carry what the framework rendered for this visitor; never shared, never kept.
  if (s.shellTtlMs <= 0) return buildShell(html, { variant, holes: s.compiled.recSlots }, s.rewriter);
  const pending = s.shellBuilds.get(key);
  if (pending) return pending;
  const build = buildShell(html, { variant, holes: s.compiled.recSlots }, s.rewriter)
    .then((shell) => {
      s.shells.set(key, { shell, builtAt: now });
      return shell;
    })
    .finally(() => s.shellBuilds.delete(key));
  s.shellBuilds.set(key, build);
  return build;
}

/**
 * First assignments: counted in the node's ledger, and stored as exposure
 * events that make the arm sticky (see experiments/exposure.ts); like the
 * edge-observed view, stored in the background and visible at once.
 */
function logExposures(
  s: EngineState,
  visitor: string,
  profile: Profile | undefined,
  exposures: NonNullable<Decision['exposures']>,
  now: number,
): Profile {
  void s.experiments.exposed(visitor, exposures).then((counted) => {
    for (const x of counted) s.observer.exposure(x.experiment, x.arm);
  });
  const events = exposures.map((x) => exposureEvent(x.experiment, x.arm, now));
  const observed = s.profiles.observe(visitor, profile, events);
  const stored = observed.stored.finally(() => s.background.delete(stored));
  s.background.add(stored);
  return observed.profile;
}

function edgeContext(ctx: DecisionContext): Record<string, unknown> {
  const props: Record<string, unknown> = { source: 'edge', device: ctx.device, hour: ctx.localHour };
  if (ctx.country) props.country = ctx.country;
  if (ctx.referrerHost) props.ref = ctx.referrerHost;
  if (ctx.utm.source) props.utm_source = ctx.utm.source;
  if (ctx.utm.campaign) props.utm_campaign = ctx.utm.campaign;
  return props;
}

function itemOfPath(path: string, s: EngineState): string | undefined {
  const prefix = s.compiled.site.itemRoute?.prefix;
  if (!prefix || !path.startsWith(prefix)) return undefined;
  const id = path.slice(prefix.length);
  return s.compiled.catalog.has(id) ? id : undefined;
}

function renderRecommendations(
  slot: string,
  items: RecommendedItem[],
  decision: Decision,
  s: EngineState,
): string[] {
  const out: string[] = [slotHeading(slot, decision.listsForVisitor, s)];
  // The marker tells tests, analytics and the curious which lists were made for this visitor.
  out.push(
    decision.personalized
      ? '<div class="tiles" data-tessera-personalized="true">'
      : '<div class="tiles" data-tessera-source="popular">',
  );
  for (const r of items) s.tiles.renderInto(out, r.item, () => tileFields(r.item, s), r.reason);
  out.push('</div>');
  return out;
}

/** Per compiled site: each recommendation slot's escaped headings (personalized or not), built once. */
const headingMemos = new WeakMap<object, Map<string, string>>();

/** A list says what it is: "Popular now" for a newcomer, "Recommended for you" once it knows them. */
function slotHeading(slot: string, personalized: boolean, s: EngineState): string {
  let memo = headingMemos.get(s.compiled);
  if (!memo) {
    memo = new Map();
    headingMemos.set(s.compiled, memo);
  }
  const key = personalized ? slot : `${slot}\n`;
  let html = memo.get(key);
  if (html === undefined) {
    const def = s.compiled.site.slots[slot];
    const title =
      def?.kind === 'recommendations'
        ? personalized
          ? def.title
          : (def.anonymousTitle ?? def.title)
        : undefined;
    html = title ? `<h2>${escapeHtml(title)}</h2>` : '';
    memo.set(key, html);
  }
  return html;
}

function tileFields(id: string, s: EngineState): Record<string, string | number> {
  const p = s.compiled.catalog.get(id);
  return {
    id,
    title: p?.title ?? id,
    price: p ? p.price.toFixed(2) : '',
    category: p?.category ?? '',
    brand: p?.brand ?? '',
    image: p?.image ?? '',
  };
}

/** Per engine's settings (the geo headers are part of Vary). */
const cacheHeaderMemos = new WeakMap<object, Map<string, Record<string, string>>>();

/**
 * Cache headers depend on whether the page was made for this visitor and on
 * the context fields it read (a handful of combinations per site and model):
 * computed once per combination.
 */
function pageCacheHeaders(
  perVisitor: boolean,
  fields: readonly string[],
  s: EngineState,
): Record<string, string> {
  let memo = cacheHeaderMemos.get(s.settings);
  if (!memo) {
    memo = new Map();
    cacheHeaderMemos.set(s.settings, memo);
  }
  const key = `${perVisitor ? 1 : 0}${fields.join(',')}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const varyOn = varyHeadersOf(fields, s.settings.geoHeaders);
  const h: Record<string, string> = { ...cacheHeaders({ perVisitor, varyOn }) };
  if (memo.size > 256) memo.clear();
  memo.set(key, h);
  return h;
}

/** A variant's header set and what it was made of. */
interface VariantHeaderSet {
  perVisitor: boolean;
  contextFields: readonly string[];
  segments: readonly string[];
  headers: Readonly<Record<string, string>>;
}

/** Per engine's settings: the header sets of each variant key (a handful per key: per visitor or not, fields). */
const variantHeaderMemos = new WeakMap<object, Map<string, VariantHeaderSet[]>>();
const MAX_VARIANT_HEADER_SETS = 4096;

/**
 * Every page header (Server-Timing left empty, for the request): the content type, the security and
 * cache headers, the variant key and its segments. They depend on the
 * variant, on whether the page was made for this visitor and on the context
 * fields it read, so they are built once per combination and copied per
 * request instead of merged from four objects each time. Found by the
 * variant key, then compared field by field: no key string is built per
 * request.
 */
function variantHeaders(
  perVisitor: boolean,
  decision: Decision,
  s: EngineState,
): Readonly<Record<string, string>> {
  let memo = variantHeaderMemos.get(s.settings);
  if (!memo) {
    memo = new Map();
    variantHeaderMemos.set(s.settings, memo);
  }
  let sets = memo.get(decision.cacheKey);
  if (sets) {
    for (const set of sets) {
      if (
        set.perVisitor === perVisitor &&
        sameStrings(set.contextFields, decision.contextFields) &&
        sameStrings(set.segments, decision.segments)
      )
        return set.headers;
    }
  } else {
    if (memo.size >= MAX_VARIANT_HEADER_SETS) memo.clear();
    sets = [];
    memo.set(decision.cacheKey, sets);
  }
  const segments = decision.segments.join(',');
  const headers = htmlHeaders({
    ...pageCacheHeaders(perVisitor, decision.contextFields, s),
    'x-tessera-variant': decision.cacheKey,
    'accept-ch': 'Sec-CH-UA-Mobile, Sec-CH-UA-Platform',
  });
  if (segments) headers['x-tessera-segments'] = segments;
  // Filled per request; present here so the copy keeps the set's shape when it is filled.
  headers['server-timing'] = '';
  // Bounded per key too: the combinations per variant are few, a flood of them is not kept.
  if (sets.length >= 16) sets.length = 0;
  sets.push({
    perVisitor,
    contextFields: [...decision.contextFields],
    segments: [...decision.segments],
    headers,
  });
  return headers;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function htmlHeaders(extra: Record<string, string>): Record<string, string> {
  return { 'content-type': 'text/html; charset=utf-8', ...SHOP_SECURITY_HEADERS, ...extra };
}
