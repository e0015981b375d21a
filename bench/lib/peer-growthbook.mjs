// GrowthBook's side of the peer benchmark, in its favourable configuration:
//
// - the production bundle (`dist/bundles/esm.min.js`: minified, with the
//   `process.env.NODE_ENV` checks of the Node entry compiled away);
// - one `GrowthBookClient` with the features loaded once, and a user context
//   per decision passed to `evalFeature`: the README's "Singleton" mode for
//   Node, which it calls the more efficient one (measured here against a
//   scoped instance per visitor, `createScopedInstance`, which is slower);
// - attributes of one fixed shape, every key in one object literal.
//
// GrowthBook has no profile: the views are counted in plain JS (plain-views.mjs)
// into the attributes, and the strongest category is one of them (`top`),
// since its conditions cannot take a maximum.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BANNER_DEFAULT,
  BANNER_GROUPS,
  bannerId,
  CATEGORIES,
  EXPERIMENT,
  INTEREST_THRESHOLD,
  segmentId,
} from './peer-workload.mjs';
import { countViews } from './plain-views.mjs';

const BUNDLE = 'dist/bundles/esm.min.js';

/** The installed SDK's production ESM bundle, with its path and version. */
export async function loadGrowthBookBundle() {
  const pkgJson = createRequire(import.meta.url).resolve('@growthbook/growthbook/package.json');
  const root = dirname(pkgJson);
  const file = join(root, BUNDLE);
  const version = JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  let sdk;
  try {
    sdk = await import(pathToFileURL(file).href);
  } catch (cause) {
    throw new Error(`[tessera] [bench] peer: cannot load ${file} (@growthbook/growthbook ${version})`, {
      cause,
    });
  }
  return { sdk, bundle: `@growthbook/growthbook@${version}/${BUNDLE}`, version };
}

const attr = (c) => `aff_${c.replace('-', '_')}`;

/** The features payload, as the GrowthBook API would serve it. */
export function peerFeatures() {
  const features = {};
  for (const c of CATEGORIES) {
    features[segmentId(c)] = {
      defaultValue: false,
      rules: [{ condition: { [attr(c)]: { $gte: INTEREST_THRESHOLD } }, force: true }],
    };
  }
  features.banner = {
    defaultValue: BANNER_DEFAULT,
    rules: BANNER_GROUPS.map((g, k) => ({ condition: { top: { $in: g } }, force: bannerId(k) })),
  };
  // Hash v2 with the experiment key as seed: the same unit value as Tessera's assignArm.
  features[EXPERIMENT.key] = {
    defaultValue: EXPERIMENT.arms[0],
    rules: [
      {
        key: EXPERIMENT.key,
        seed: EXPERIMENT.key,
        hashVersion: 2,
        hashAttribute: 'id',
        variations: EXPERIMENT.arms,
        weights: [0.5, 0.5],
        coverage: 1,
      },
    ],
  };
  return features;
}

/** Fixed-shape attributes: every key in one literal, so every object shares one hidden class. */
function attributesOf(id, a, top) {
  if (a.length !== 20) throw new Error('[tessera] [bench] peer: attributesOf is written for 20 categories');
  return {
    id,
    aff_cat_0: a[0],
    aff_cat_1: a[1],
    aff_cat_2: a[2],
    aff_cat_3: a[3],
    aff_cat_4: a[4],
    aff_cat_5: a[5],
    aff_cat_6: a[6],
    aff_cat_7: a[7],
    aff_cat_8: a[8],
    aff_cat_9: a[9],
    aff_cat_10: a[10],
    aff_cat_11: a[11],
    aff_cat_12: a[12],
    aff_cat_13: a[13],
    aff_cat_14: a[14],
    aff_cat_15: a[15],
    aff_cat_16: a[16],
    aff_cat_17: a[17],
    aff_cat_18: a[18],
    aff_cat_19: a[19],
    top: top < 0 ? '' : CATEGORIES[top],
  };
}

/**
 * `mode`: 'singleton' (one client, `evalFeature(key, userContext)`), or
 * 'scoped' (one `createScopedInstance(userContext)` per decision).
 */
export function growthbookSide(sdk, itemCategory, mode = 'singleton') {
  const gb = new sdk.GrowthBookClient().initSync({ payload: { features: peerFeatures() } });
  const keys = CATEGORIES.map(segmentId);
  const scratch = new Float64Array(CATEGORIES.length);
  const decideSingleton = (attributes) => {
    const user = { attributes };
    const segments = [];
    for (let i = 0; i < keys.length; i++)
      if (gb.evalFeature(keys[i], user).value === true) segments.push(keys[i]);
    const banner = gb.evalFeature('banner', user).value;
    const arm = gb.evalFeature(EXPERIMENT.key, user).value;
    return { segments, banner, arm };
  };
  const decideScoped = (attributes) => {
    const scoped = gb.createScopedInstance({ attributes });
    const segments = [];
    for (let i = 0; i < keys.length; i++)
      if (scoped.evalFeature(keys[i]).value === true) segments.push(keys[i]);
    const banner = scoped.evalFeature('banner').value;
    const arm = scoped.evalFeature(EXPERIMENT.key).value;
    return { segments, banner, arm };
  };
  const decide = mode === 'scoped' ? decideScoped : decideSingleton;
  return {
    name: `GrowthBook (${mode})`,
    fromEvents(v, now) {
      const top = countViews(v.events, itemCategory, now, scratch);
      return decide(attributesOf(v.id, scratch, top));
    },
    prepare(v, now) {
      return attributesOf(v.id, scratch, countViews(v.events, itemCategory, now, scratch));
    },
    fromPrepared(attributes) {
      return decide(attributes);
    },
  };
}
