// Peer workload: Tessera beside GrowthBook's JS SDK and a plain-JS floor, in
// one process, on the same answers: a visitor's 20 raw view events → 20
// interest segments, a 5-way banner by the strongest interest, a 50/50 hashed
// A/B arm (bench/lib/peer-workload.mjs).
//
// Two modes:
// - equal work: each decision folds the visitor's 20 raw events inside the
//   timed region (Tessera onto an empty profile; GrowthBook and the floor
//   count decayed views per category in plain JS), then decides;
// - cached profile: every side's fold is done before the timed region (a
//   Tessera profile, GrowthBook attributes, the floor's counts); it does less
//   work than a visitor whose profile has to be built from events.
//
// A fourth side, plain JS with a profile keyed by strings (bench/lib/peer-keyed-floor.mjs),
// shows what the keys of a general profile cost on their own: the floor side
// counts into 20 slots it knows up front, which no profile of arbitrary keys can.
//
// GrowthBook runs in its favourable configuration (bench/lib/peer-growthbook.mjs).
// Before any timing, every side must give the same answer for every
// visitor in both modes, or the benchmark stops.
import { performance } from 'node:perf_hooks';
import * as core from '../dist/core/index.js';
import { floorSide } from './lib/peer-floor.mjs';
import { growthbookSide, loadGrowthBookBundle } from './lib/peer-growthbook.mjs';
import { keyedFloorSide } from './lib/peer-keyed-floor.mjs';
import { tesseraSide } from './lib/peer-tessera.mjs';
import { answerKey, makeCatalog, makeVisitors } from './lib/peer-workload.mjs';
import { categoryIndex } from './lib/plain-views.mjs';
import { fmt, median } from './lib/stats.mjs';

const MODES = {
  equalWork: {
    label: 'equal work (20 raw events folded per decision)',
    target: 5,
    inputs: (_side, visitors) => visitors.map((v) => ({ v, state: undefined })),
    decide: (side) => (x, now) => side.fromEvents(x.v, now),
  },
  cachedProfile: {
    label: 'cached profile: does less work (profile pre-folded)',
    target: 10,
    inputs: (side, visitors, now) => visitors.map((v) => ({ v, state: side.prepare(v, now) })),
    decide: (side) => (x, now) => side.fromPrepared(x.state, x.v, now),
  },
};

/**
 * Decisions per second over `ms` milliseconds, cycling through `inputs`.
 * Collects garbage first (`--expose-gc`), so that no side pays for another's.
 */
function rate(decide, inputs, now, ms) {
  globalThis.gc?.();
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 500; i++) {
      const a = decide(inputs[(n + i) % inputs.length], now);
      sink += a.segments.length + a.banner.length + a.arm.length;
    }
    n += 500;
    t = performance.now();
  }
  if (sink === 42) console.log('');
  return (n / (t - t0)) * 1000;
}

/**
 * CPU microseconds per call of `stage(profile, visitor, now)`, cycling through
 * the prepared profiles. Process CPU time, not wall time: a stage takes well
 * under a microsecond, and on a shared machine wall time over a short window
 * mostly measures the other processes.
 */
function stageUs(stage, inputs, now, ms) {
  globalThis.gc?.();
  let n = 0;
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 500; i++) {
      const x = inputs[(n + i) % inputs.length];
      sink += stage(x.state, x.v, now);
    }
    n += 500;
  }
  const cpu = process.cpuUsage(c0);
  if (sink === 0.5) console.log('');
  return (cpu.user + cpu.system) / n;
}

/** Throws unless every side gives the same answer for every visitor. */
function checkSameAnswers(mode, runs, now) {
  const [first, ...others] = runs;
  for (let i = 0; i < first.inputs.length; i++) {
    const want = answerKey(first.decide(first.inputs[i], now));
    for (const r of others) {
      const got = answerKey(r.decide(r.inputs[i], now));
      if (got !== want) {
        throw new Error(
          `[tessera] [bench] peer (${mode}): ${first.side.name} and ${r.side.name} disagree on ${first.inputs[i].v.id}: ${want} vs ${got}`,
        );
      }
    }
  }
  return first.inputs.length;
}

export async function runPeer({ rounds = 7, ms = 400, visitorCount = 1000 } = {}) {
  const now = Date.now();
  const catalog = makeCatalog();
  const visitors = makeVisitors(visitorCount, now, catalog);
  const itemCategory = categoryIndex(catalog);
  const gbBundle = await loadGrowthBookBundle();
  const sides = [
    tesseraSide(core, catalog),
    growthbookSide(gbBundle.sdk, itemCategory),
    floorSide(itemCategory),
    keyedFloorSide(catalog),
  ];
  const result = {
    name: 'peer',
    growthbook: gbBundle.bundle,
    tesseraFold: sides[0].foldWith,
    visitors: visitors.length,
    rounds,
  };
  for (const [mode, m] of Object.entries(MODES)) {
    const runs = sides.map((side) => ({
      side,
      inputs: m.inputs(side, visitors, now),
      decide: m.decide(side),
    }));
    const checked = checkSameAnswers(mode, runs, now);
    for (const r of runs) rate(r.decide, r.inputs, now, 300);
    const samples = runs.map(() => []);
    for (let k = 0; k < rounds; k++) {
      for (let i = 0; i < runs.length; i++) samples[i].push(rate(runs[i].decide, runs[i].inputs, now, ms));
    }
    const [t, g, f, k] = samples.map(median);
    result[mode] = {
      label: m.label,
      targetVsGrowthbook: m.target,
      sameAnswers: checked,
      tesseraPerSec: t,
      growthbookPerSec: g,
      floorPerSec: f,
      keyedFloorPerSec: k,
      tesseraUs: 1e6 / t,
      growthbookUs: 1e6 / g,
      floorUs: 1e6 / f,
      keyedFloorUs: 1e6 / k,
      /** What Tessera's time per decision would have to be to meet the target. */
      targetUs: 1e6 / g / m.target,
      tesseraVsGrowthbook: t / g,
      tesseraVsFloor: t / f,
    };
  }
  // Where Tessera's cached decision goes: each stage alone, alternating, medians.
  const tessera = sides[0];
  const prepared = MODES.cachedProfile.inputs(tessera, visitors, now);
  const stages = Object.entries(tessera.stages);
  const stageSamples = stages.map(() => []);
  for (const [, stage] of stages) stageUs(stage, prepared, now, 100);
  for (let k = 0; k < rounds; k++) {
    for (let i = 0; i < stages.length; i++)
      stageSamples[i].push(stageUs(stages[i][1], prepared, now, ms / 2));
  }
  result.tesseraStagesUs = Object.fromEntries(stages.map(([name], i) => [name, median(stageSamples[i])]));
  return result;
}

/** The report lines for `npm run bench`. */
export function peerLines(p) {
  const lines = [
    `peer workload (20 segments, 5-way banner, 50/50 arm; ${p.visitors} visitors, median of ${p.rounds} rounds; GrowthBook ${p.growthbook}; Tessera fold: ${p.tesseraFold}):`,
  ];
  for (const mode of Object.keys(MODES)) {
    const r = p[mode];
    lines.push(
      `  ${r.label}: Tessera ${fmt(r.tesseraPerSec, 0)}/s (${fmt(r.tesseraUs)} µs), GrowthBook ${fmt(r.growthbookPerSec, 0)}/s (${fmt(r.growthbookUs)} µs), plain JS ${fmt(r.floorPerSec, 0)}/s (${fmt(r.floorUs)} µs); Tessera/GrowthBook ${fmt(r.tesseraVsGrowthbook, 3)}× (target ≥ ${r.targetVsGrowthbook}), Tessera/plain JS ${fmt(r.tesseraVsFloor, 3)}× (target ≥ 0.33); same answers for all ${r.sameAnswers} visitors`,
      `    the target is ${fmt(r.targetUs)} µs per decision; plain JS with a keyed profile (a Map of decayed sums, a Set of event ids, no CRDT) takes ${fmt(r.keyedFloorUs)} µs (${fmt(r.keyedFloorPerSec, 0)}/s, ${fmt(r.keyedFloorPerSec / r.growthbookPerSec, 2)}× GrowthBook)`,
    );
  }
  const st = p.tesseraStagesUs;
  lines.push(
    `  Tessera's cached decision by stage (process CPU µs per call, each stage alone): 20 segments (evaluate) ${fmt(st.segments, 3)}, banner (chooseContent) ${fmt(st.banner, 3)}, arm (assignArm) ${fmt(st.arm, 3)}`,
  );
  return lines;
}
