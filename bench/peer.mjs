// Peer workload, Tessera beside GrowthBook's JS SDK in the same process:
// a 20-event history scored into 20 interest segments, a 5-way banner chosen
// by the strongest interest, and a 50/50 hashed A/B arm.
//
// Fair footing: both sides get the history already aggregated once per
// visitor (Tessera's profile is built at ingest; GrowthBook gets the same
// decayed per-category scores as attributes), and each decision then evaluates
// the 20 segments, the banner and the arm.

import { performance } from 'node:perf_hooks';
import { GrowthBookClient } from '@growthbook/growthbook';
import {
  affinity,
  applyEvent,
  assignArm,
  compileSegments,
  compileSlots,
  emptyProfile,
  topAffinities,
} from '../dist/core/index.js';
import { median } from './lib/stats.mjs';

const CATS = Array.from({ length: 20 }, (_, i) => `cat-${i}`);
const GROUPS = Array.from({ length: 5 }, (_, g) => CATS.slice(g * 4, g * 4 + 4));
const HALF_LIFE = 3 * 24 * 3600_000;

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeVisitors(n, now) {
  const rand = lcg(7);
  const items = Array.from({ length: 400 }, (_, i) => ({
    id: `i${i}`,
    category: CATS[i % 20],
    brand: `b${i % 7}`,
    tags: [],
  }));
  const byId = new Map(items.map((x) => [x.id, x]));
  const visitors = [];
  for (let v = 0; v < n; v++) {
    const favourite = Math.floor(rand() * 20);
    let p = emptyProfile(now);
    for (let e = 0; e < 20; e++) {
      const cat = rand() < 0.6 ? favourite : Math.floor(rand() * 20);
      const item = items[cat + 20 * Math.floor(rand() * 20)];
      p = applyEvent(
        p,
        { id: `v${v}e${e}`, type: 'view', ts: now - (20 - e) * 60_000, item: item.id },
        {
          node: 'n1',
          at: { p: now - (20 - e) * 60_000, l: 0, n: 'n1' },
          halfLifeMs: HALF_LIFE,
          item: (id) => byId.get(id),
        },
      );
    }
    const attributes = { id: `visitor-${v}` };
    for (const c of CATS)
      attributes[`aff_${c.replace('-', '_')}`] = affinity(p, `category:${c}`, now, HALF_LIFE);
    attributes.top = topAffinities(p, 'category', now, HALF_LIFE, 1)[0]?.[0]?.slice('category:'.length) ?? '';
    visitors.push({ id: `visitor-${v}`, profile: p, attributes });
  }
  return visitors;
}

function tesseraSide() {
  const segments = compileSegments(
    CATS.map((c) => ({ id: `interest-${c}`, rule: { affinity: `category:${c}`, gte: 1.5 } })),
  );
  const slots = compileSlots({
    banner: {
      kind: 'content',
      rules: GROUPS.map((g, k) => ({ when: { top: 'category', in: g }, content: `banner-${k}` })),
      default: 'banner-default',
    },
  });
  const exp = { key: 'ab', variants: [{ key: 'a' }, { key: 'b' }] };
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
  return (v, now) => {
    ctx.now = now;
    const base = { ctx, profile: v.profile, now, halfLifeMs: HALF_LIFE };
    const segs = segments.evaluate(base);
    const input = { ...base, segments: new Set(segs) };
    const banner = slots.chooseContent('banner', input).content;
    const arm = assignArm(exp, v.id, input);
    return segs.length + banner.length + arm.length;
  };
}

function growthbookSide() {
  const features = {};
  for (const c of CATS) {
    features[`interest-${c}`] = {
      defaultValue: false,
      rules: [{ condition: { [`aff_${c.replace('-', '_')}`]: { $gte: 1.5 } }, force: true }],
    };
  }
  features.banner = {
    defaultValue: 'banner-default',
    rules: GROUPS.map((g, k) => ({ condition: { top: { $in: g } }, force: `banner-${k}` })),
  };
  features.ab = {
    defaultValue: 'a',
    rules: [{ key: 'ab', variations: ['a', 'b'], weights: [0.5, 0.5], hashAttribute: 'id', coverage: 1 }],
  };
  const gb = new GrowthBookClient().initSync({ payload: { features } });
  const keys = CATS.map((c) => `interest-${c}`);
  return (v) => {
    const user = { attributes: v.attributes };
    let n = 0;
    for (const k of keys) if (gb.evalFeature(k, user).value === true) n++;
    const banner = gb.evalFeature('banner', user).value;
    const arm = gb.evalFeature('ab', user).value;
    return n + banner.length + arm.length;
  };
}

function rate(fn, visitors, now, ms) {
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 1000; i++) sink += fn(visitors[(n + i) % visitors.length], now);
    n += 1000;
    t = performance.now();
  }
  if (sink === 42) console.log('');
  return (n / (t - t0)) * 1000;
}

export async function runPeer({ rounds = 7, ms = 400 } = {}) {
  const now = Date.now();
  const visitors = makeVisitors(1000, now);
  const tessera = tesseraSide();
  const gb = growthbookSide();
  // Both must agree on the banner and the segment count for every visitor.
  let agree = 0;
  for (const v of visitors) if (tessera(v, now) === gb(v)) agree++;
  rate(tessera, visitors, now, 300);
  rate(gb, visitors, now, 300);
  const t = [];
  const g = [];
  for (let r = 0; r < rounds; r++) {
    t.push(rate(tessera, visitors, now, ms));
    g.push(rate(gb, visitors, now, ms));
  }
  return {
    name: 'peer',
    tesseraPerSec: median(t),
    growthbookPerSec: median(g),
    ratio: median(t) / median(g),
    agreement: agree / visitors.length,
  };
}
