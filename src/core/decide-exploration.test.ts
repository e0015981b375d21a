/**
 * A recommendation slot's `exploration` share reaches the ranking: the
 * default gives 1 of 10 places to an exploring pick, 0 gives none, 0.3
 * gives 3, and the site config refuses a share above one half.
 */
import { describe, expect, it } from 'vitest';
import { buildContext } from './context.js';
import { compileSite, decide } from './decide.js';
import { emptyProfile } from './profile/index.js';
import { readArtifact } from './recommend/artifact-read.js';
import { writeArtifact } from './recommend/artifact-write.js';
import { generatedModel } from './recommend/test-data.js';
import { parseSiteConfig } from './segments/site-config.js';
import type { Profile, RecommendedItem } from './types.js';

const NOW = Date.UTC(2026, 11, 6, 12);
const artifact = readArtifact(await writeArtifact(generatedModel(3000, 20)));

const site = parseSiteConfig({
  name: 'exploration',
  slots: {
    usual: { kind: 'recommendations', count: 10 },
    steady: { kind: 'recommendations', count: 10, exploration: 0 },
    curious: { kind: 'recommendations', count: 10, exploration: 0.3 },
  },
});
const compiled = compileSite(site, []);

const ctx = buildContext(new Request('https://shop.test/'), NOW);

const profile: Profile = {
  ...emptyProfile(NOW),
  recent: Array.from({ length: 20 }, (_, r) => ({
    item: `sku-${r * 37}`,
    type: 'view' as const,
    at: { p: NOW - r * 60_000, l: 0, n: 'node-1' },
  })),
};

const exploring = (list: RecommendedItem[] | undefined) =>
  (list ?? []).filter((r) => r.reason.endsWith('(exploring)')).length;

describe("a recommendation slot's exploration share", () => {
  it('gives 1 of 10 by default, none at 0 and 3 of 10 at 0.3, for each visitor', () => {
    for (const visitorId of ['v1', 'v2', 'v3']) {
      const d = decide({ ctx, profile, visitorId, compiled, artifact, halfLifeMs: 86_400_000 });
      for (const slot of ['usual', 'steady', 'curious']) expect(d.recommendations[slot]).toHaveLength(10);
      expect(exploring(d.recommendations.usual)).toBe(1);
      expect(exploring(d.recommendations.steady)).toBe(0);
      expect(exploring(d.recommendations.curious)).toBe(3);
      // Without exploration the list is the ranking alone: the default's ranked part, then one more.
      expect(d.recommendations.steady!.slice(0, 9)).toEqual(d.recommendations.usual!.slice(0, 9));
    }
  });

  it('is refused above one half or below 0, with the path of the field', () => {
    for (const exploration of [0.6, -0.1]) {
      expect(() =>
        parseSiteConfig({ name: 'x', slots: { recs: { kind: 'recommendations', count: 4, exploration } } }),
      ).toThrow(/slots\.recs\.exploration/);
    }
  });
});
