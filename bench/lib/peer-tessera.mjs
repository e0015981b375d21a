// Tessera's side of the peer benchmark, through the built core (`dist/core`):
// the visitor's raw events folded onto an empty profile, then the 20 interest
// segments, the banner slot and the A/B arm.
//
// The fold uses `applyEvents` when the core exports it (one call per visitor)
// and `applyEvent` per event otherwise, so the benchmark runs before and after
// that export exists; `foldWith` says which one ran.
import {
  BANNER_DEFAULT,
  BANNER_GROUPS,
  bannerId,
  CATEGORIES,
  EXPERIMENT,
  HALF_LIFE_MS,
  INTEREST_THRESHOLD,
  segmentId,
} from './peer-workload.mjs';

const NO_SEGMENTS = new Set();

export function tesseraSide(core, catalog) {
  const segments = compileTesseraSegments(core);
  const slots = core.compileSlots({
    banner: {
      kind: 'content',
      rules: BANNER_GROUPS.map((g, k) => ({ when: { top: 'category', in: g }, content: bannerId(k) })),
      default: BANNER_DEFAULT,
    },
  });
  const exp = { key: EXPERIMENT.key, variants: EXPERIMENT.arms.map((key) => ({ key })) };
  const ctx = {
    method: 'GET',
    path: '/',
    cookies: {},
    device: 'desktop',
    localHour: 12,
    utm: {},
    gpc: false,
    dnt: false,
    now: 0,
  };
  const item = (id) => catalog.byId.get(id);
  // One node clock per `now`: the server folds the events when it decides.
  let opts;
  const optsAt = (now) => {
    if (opts?.at.p !== now)
      opts = { node: 'n1', at: { p: now, l: 0, n: 'n1' }, halfLifeMs: HALF_LIFE_MS, item };
    return opts;
  };
  const { applyEvent, applyEvents, emptyProfile } = core;
  const fold =
    typeof applyEvents === 'function'
      ? (events, now) => applyEvents(emptyProfile(now), events, optsAt(now))
      : (events, now) => {
          const o = optsAt(now);
          let p = emptyProfile(now);
          for (let i = 0; i < events.length; i++) p = applyEvent(p, events[i], o);
          return p;
        };
  // The membership set is for rules that name a segment (`{ "segment": id }`);
  // the banner's rules and the experiment name none (the compiled slots say
  // so), so one empty set serves, as it would for any caller of the core.
  const slotsReadSegments = slots.contentSlots.some((s) => s.refs.length > 0);
  const decide = (profile, visitorId, now) => {
    ctx.now = now;
    const input = { ctx, profile, segments: NO_SEGMENTS, now, halfLifeMs: HALF_LIFE_MS };
    const segs = segments.evaluate(input);
    if (slotsReadSegments) input.segments = new Set(segs);
    const banner = slots.chooseContent('banner', input).content;
    const arm = core.assignArm(exp, visitorId, input);
    return { segments: segs, banner, arm };
  };
  return {
    name: 'Tessera',
    foldWith: typeof applyEvents === 'function' ? 'applyEvents' : 'applyEvent per event',
    fromEvents(v, now) {
      return decide(fold(v.events, now), v.id, now);
    },
    prepare(v, now) {
      return fold(v.events, now);
    },
    fromPrepared(profile, v, now) {
      return decide(profile, v.id, now);
    },
    /** The cached decision's stages one at a time, each on a prepared profile (for the per-stage report). */
    stages: {
      segments: (profile, _v, now) =>
        segments.evaluate({ ctx, profile, segments: NO_SEGMENTS, now, halfLifeMs: HALF_LIFE_MS }).length,
      banner: (profile, _v, now) =>
        slots.chooseContent('banner', { ctx, profile, segments: NO_SEGMENTS, now, halfLifeMs: HALF_LIFE_MS })
          .rule,
      arm: (profile, v, now) =>
        core.assignArm(exp, v.id, { ctx, profile, segments: NO_SEGMENTS, now, halfLifeMs: HALF_LIFE_MS })
          .length,
    },
  };
}

function compileTesseraSegments(core) {
  return core.compileSegments(
    CATEGORIES.map((c) => ({
      id: segmentId(c),
      rule: { affinity: `category:${c}`, gte: INTEREST_THRESHOLD },
    })),
  );
}
