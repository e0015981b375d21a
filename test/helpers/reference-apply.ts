/**
 * The straightforward applyEvent that apply.ts replaced, kept as the oracle
 * for its tests: copy the whole profile, apply the event, normalize
 * everything. Slow (tens of µs per event) but obviously right. Test support,
 * kept under test/ so it is never shipped.
 * @module
 */

import { type ApplyOptions, EVENT_WEIGHTS, type ItemAttributes } from '../../src/core/profile/apply.js';
import { addComponent } from '../../src/core/profile/components.js';
import {
  checkHalfLife,
  forwardWeight,
  gridLandmark,
  hasDecayed,
  LANDMARK_SPAN_HALF_LIVES,
  MIN_STORED,
  reanchorFactor,
  rescaleFactor,
} from '../../src/core/profile/decay.js';
import { NOT_INTERESTED_MS, THUMBS_DOWN_MS, THUMBS_UP_WEIGHT } from '../../src/core/profile/declared.js';
import { fnv1a32 } from '../../src/core/profile/hash.js';
import {
  MAX_HLC_COUNTER,
  MAX_TAGS_PER_ITEM,
  MAX_TIME_MS,
  MAX_TRAITS_PER_EVENT,
  TEXT_LIMITS,
} from '../../src/core/profile/limits.js';
import { lwwMax } from '../../src/core/profile/lww.js';
import { own } from '../../src/core/profile/own.js';
import { seenEntry, seenHash } from '../../src/core/profile/seen.js';
import { clampNode, clampText } from '../../src/core/profile/text.js';
import { normalizeProfile } from '../../src/core/profile/truncate.js';
import type { Hlc, LwwRegister, Profile, TesseraEvent } from '../../src/core/types.js';

const RECENT = new Set(['view', 'click', 'add_to_cart', 'purchase']);

export function referenceApplyEvent(p: Profile, e: TesseraEvent, opts: ApplyOptions): Profile {
  if (p.erasedAt !== undefined) return p;
  const hash = fnv1a32(String(e.id));
  if (p.seen.some((s) => seenHash(s) === hash)) return p;
  const halfLifeMs = checkHalfLife(opts.halfLifeMs);
  const node = clampNode(opts.node);
  const within = (x: number, max: number) =>
    Number.isFinite(x) ? Math.min(max, Math.max(0, Math.floor(x))) : 0;
  const at: Hlc = {
    p: within(opts.at.p, MAX_TIME_MS),
    l: within(opts.at.l, MAX_HLC_COUNTER),
    n: clampNode(opts.at.n),
  };
  const t = Number.isFinite(e.ts) ? Math.max(0, Math.min(Math.floor(e.ts), at.p)) : at.p;
  const d = structuredClone(p);
  const attributes = (item: string) => opts.item?.(item);

  const addDecayed = (part: 'affinities' | 'counts', key: string, weight: number) => {
    anchor(d, t, halfLifeMs);
    const amount = weight * forwardWeight(t, d.landmark, halfLifeMs);
    if (amount >= MIN_STORED) addComponent(d[part], key, node, amount);
  };
  const addItem = (item: string, weight: number) => {
    for (const key of keysOf(item, attributes(item))) addDecayed('affinities', key, weight);
  };
  const suppress = (kind: string, value: string, forMs: number) => {
    const v = clampText(value, kind === 'item' ? TEXT_LIMITS.item : TEXT_LIMITS.attribute);
    if (v !== '')
      d.suppressions[`${kind}:${v}`] = Math.max(own(d.suppressions, `${kind}:${v}`) ?? 0, t + forMs);
  };
  const setTrait = (rawKey: string, raw: unknown) => {
    const key = clampText(rawKey, TEXT_LIMITS.traitKey);
    const value =
      typeof raw === 'string'
        ? clampText(raw, TEXT_LIMITS.traitValue)
        : (typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'boolean'
          ? raw
          : undefined;
    if (key === '' || value === undefined) return;
    const reg: LwwRegister<string | number | boolean> = { v: value, at };
    d.traits[key] = lwwMax(own(d.traits, key), reg) ?? reg;
  };

  const slot = e.props?.slot;
  if (
    e.type === 'view' &&
    typeof e.item === 'string' &&
    e.item !== '' &&
    typeof slot === 'string' &&
    slot !== ''
  ) {
    const key = clampText(`item:${e.item}`, TEXT_LIMITS.exposureKey);
    if (key !== 'item:') addComponent(d.exposures, key, node, 1);
    d.seen.push(seenEntry(at.p, hash));
    return normalizeProfile(d);
  }
  if (e.type !== 'consent' && e.type !== 'identify')
    addDecayed('counts', clampText(e.type, TEXT_LIMITS.eventType), 1);
  const weight = EVENT_WEIGHTS[e.type] ?? 0;
  if (typeof e.item === 'string' && e.item !== '' && weight > 0) {
    addItem(e.item, weight);
    const item = clampText(e.item, TEXT_LIMITS.item);
    if (RECENT.has(e.type) && item !== '') d.recent.push({ item, type: e.type, at });
  }
  const props = isRecord(e.props) ? e.props : {};
  if (e.type === 'consent') {
    const prev = d.consent?.v;
    const v = {
      personalization:
        typeof props.personalization === 'boolean' ? props.personalization : (prev?.personalization ?? false),
      analytics: typeof props.analytics === 'boolean' ? props.analytics : (prev?.analytics ?? false),
    };
    const next = lwwMax(d.consent, { v, at });
    if (next !== undefined) d.consent = next;
  } else if (e.type === 'identify') {
    if (typeof props.userId === 'string') {
      const userId = clampText(props.userId, TEXT_LIMITS.userId);
      const next = userId === '' ? undefined : lwwMax(d.userId, { v: userId, at });
      if (next !== undefined) d.userId = next;
    }
    if (isRecord(props.traits))
      for (const [k, v] of Object.entries(props.traits).slice(0, MAX_TRAITS_PER_EVENT)) setTrait(k, v);
  } else if (e.type === 'form') {
    const s = props.survey;
    if (isRecord(s) && typeof s.question === 'string') setTrait(`survey.${s.question}`, s.answer);
  } else if (e.type === 'feedback') {
    if (props.kind === 'not_interested') {
      const target = props.target === 'category' ? 'category' : 'item';
      const value =
        typeof props.value === 'string'
          ? props.value
          : target === 'item'
            ? e.item
            : e.item !== undefined
              ? attributes(e.item)?.category
              : undefined;
      if (typeof value === 'string') suppress(target, value, NOT_INTERESTED_MS);
    } else if (props.kind === 'thumbs' && typeof e.item === 'string' && e.item !== '') {
      if (props.value === 'up') addItem(e.item, THUMBS_UP_WEIGHT);
      else if (props.value === 'down') suppress('item', e.item, THUMBS_DOWN_MS);
    }
  }
  d.seen.push(seenEntry(at.p, hash));
  return normalizeProfile(d);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function keysOf(item: string, attrs: ItemAttributes | undefined): string[] {
  const keys = new Set<string>();
  const add = (kind: string, value: unknown) => {
    if (typeof value !== 'string') return;
    const v = clampText(value, kind === 'item' ? TEXT_LIMITS.item : TEXT_LIMITS.attribute);
    if (v !== '') keys.add(`${kind}:${v}`);
  };
  add('item', item);
  if (attrs !== undefined) {
    add('category', attrs.category);
    add('brand', attrs.brand);
    if (Array.isArray(attrs.tags)) for (const tag of attrs.tags.slice(0, MAX_TAGS_PER_ITEM)) add('tag', tag);
  }
  return [...keys];
}

function anchor(d: Profile, t: number, halfLifeMs: number): void {
  if (!hasDecayed(d)) {
    d.landmark = gridLandmark(t, halfLifeMs);
    d.halfLifeMs = halfLifeMs;
    return;
  }
  const same = d.halfLifeMs === halfLifeMs;
  if (same && t - d.landmark <= LANDMARK_SPAN_HALF_LIVES * halfLifeMs) return;
  const target = { landmark: gridLandmark(t, halfLifeMs), halfLifeMs };
  const factor = same ? rescaleFactor(d, target) : reanchorFactor(d, t, target);
  for (const part of [d.affinities, d.counts])
    for (const key in part) for (const n in part[key]) part[key]![n] = part[key]![n]! * factor;
  d.landmark = target.landmark;
  d.halfLifeMs = halfLifeMs;
}
