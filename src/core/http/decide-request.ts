/**
 * Everything a page decides before assembly: context, identity and consent,
 * profile (with the view the edge saw and the exposures it logs), segments,
 * experiments, slot rules and recommendations. `engine.decide` and the
 * debug route call it too, with a trace.
 * @module
 */
import type { RequestLike } from '../context.js';
import { buildContext } from '../context.js';
import { type DecideInput, decide } from '../decide.js';
import { exposureEvent } from '../experiments/index.js';
import { isPromise } from '../maybe-promise.js';
import type { Logger } from '../ports.js';
import type { DecisionRead } from '../profile-for-decision.js';
import { rerankSlots } from '../recommend/session-rerank.js';
import { requestLogger } from '../request-logger.js';
import type { Decision, DecisionContext, Profile, TesseraEvent } from '../types.js';
import { resolveVisitorNow, type Visitor } from '../visitor.js';
import type { EngineState } from './engine-state.js';
import { decideRouted } from './routed-decide.js';
import type { Timing } from './server-timing.js';

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
  return decideRequestNow(req, s, t, options);
}

/** A decision under way: what each step hands the next. */
interface Deciding {
  req: RequestLike;
  s: EngineState;
  t: Timing | undefined;
  options: DecideOptions;
  now: number;
  ctx: DecisionContext;
  visitor: Visitor;
  item: string | undefined;
  log: Logger;
  profile: Profile | undefined;
  own: Profile | undefined;
  profileSource: string;
}

/**
 * `decideRequest`, without a promise when no step waits: the visitor's id
 * verified before and known live, the profile in this node's memory, no
 * linked view to read and no session ranker. Each step that does wait is
 * chained, not awaited, so the page path takes no await it does not need.
 */
export function decideRequestNow(
  req: RequestLike,
  s: EngineState,
  t?: Timing,
  options: DecideOptions = {},
): RequestDecision | Promise<RequestDecision> {
  const now = s.now();
  const ctx = buildContext(req, now, s.settings);
  const visitor = resolveVisitorNow(
    ctx,
    s.settings,
    s.ring,
    (id) => s.profiles.erasedIfKnown(id),
    s.visitorIds,
    (id) => s.profiles.knownLive(id),
  );
  const d: Deciding = {
    req,
    s,
    t,
    options,
    now,
    ctx,
    visitor: undefined as unknown as Visitor,
    item: undefined,
    log: s.logger,
    profile: undefined,
    own: undefined,
    profileSource: 'none',
  };
  return isPromise(visitor) ? visitor.then((v) => withVisitor(d, v)) : withVisitor(d, visitor);
}

function withVisitor(d: Deciding, visitor: Visitor): RequestDecision | Promise<RequestDecision> {
  const { s, req, ctx } = d;
  d.visitor = visitor;
  d.t?.step('context');
  d.item = itemOfPath(ctx.path, s);
  // What the profile reads and the events the edge stores log, they log for this request.
  d.log = visitor.id ? requestLogger(s.logger, req.requestId) : s.logger;
  if (!visitor.id) return withProfile(d);
  const r = s.profiles.forDecision(visitor.id, ctx.cookies[s.settings.cookies.profile], d.log);
  return isPromise(r) ? r.then((read) => withRead(d, read)) : withRead(d, r);
}

function withRead(d: Deciding, r: DecisionRead): RequestDecision | Promise<RequestDecision> {
  const { s, ctx, now, item } = d;
  const id = d.visitor.id as string;
  let profile = r.entry?.profile;
  d.profileSource = r.source;
  s.observer.profileSource(r.source);
  if (item && !d.options.readOnly) {
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
    const observed = s.profiles.observe(id, profile, [view], d.log);
    profile = observed.profile;
    const stored = observed.stored.finally(() => s.background.delete(stored));
    s.background.add(stored);
  }
  d.profile = profile;
  return withProfile(d);
}

function withProfile(d: Deciding): RequestDecision | Promise<RequestDecision> {
  const { s, visitor } = d;
  // A device tied to a user by identify decides on what all the user's devices did (linked-devices.ts).
  const own = d.profile;
  d.own = own;
  // Only a device that may be linked pays the lookup (and the await): the same test linked.view starts with.
  const fromCookie = d.profileSource === 'cookie';
  if (visitor.id && own && (fromCookie || own.userId !== undefined)) {
    return s.linked.view(visitor.id, own, fromCookie, d.log).then((profile) => {
      d.profile = profile;
      return decideFor(d);
    });
  }
  return decideFor(d);
}

function decideFor(d: Deciding): RequestDecision | Promise<RequestDecision> {
  const { s, t, ctx, now, visitor, options, profile } = d;
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
  if (d.item) input.exclude = new Set([d.item]);
  if (ranker) input.candidates = ranker.candidates;
  const decision = s.model.router ? decideRouted(input, s.model.router, s.perf) : decide(input);
  // A session model orders the slots: the only await this adds, and only when a ranker (production's,
  // or a canary's routed one) asked for a candidate pool.
  if (profile && decision.candidates) return reranked(d, profile, segments, decision, experimentsMs, ranker);
  return decisionOf(d, segments, decision, experimentsMs);
}

/**
 * The decision once the session model ordered its slots. A function of its
 * own: a closure made in `decideFor` would share its context with
 * `assignArms`, which the decision's input keeps, and keep `d` (the request,
 * its context, the visitor) alive with it.
 */
function reranked(
  d: Deciding,
  profile: Profile,
  segments: string[],
  decision: Decision,
  experimentsMs: number,
  ranker: EngineState['model']['ranker'],
): Promise<RequestDecision> {
  return rerankSlots(decision, profile, ranker, d.options.trace === true).then(() =>
    decisionOf(d, segments, decision, experimentsMs),
  );
}

function decisionOf(
  d: Deciding,
  segments: string[],
  decision: Decision,
  experimentsMs: number,
): RequestDecision {
  const { s, t, visitor, options, ctx, now, profileSource } = d;
  let { profile, own } = d;
  if (visitor.id && decision.exposures && !options.readOnly) {
    const linked = profile !== own;
    own = logExposures(s, visitor.id, own, decision.exposures, now, d.log);
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
  return { ctx, visitor, profile, ownProfile: own, profileSource, segments, decision, item: d.item };
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
  log: Logger,
): Profile {
  void s.experiments.exposed(visitor, exposures).then((counted) => {
    for (const x of counted) s.observer.exposure(x.experiment, x.arm);
  });
  const events = exposures.map((x) => exposureEvent(x.experiment, x.arm, now));
  const observed = s.profiles.observe(visitor, profile, events, log);
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
