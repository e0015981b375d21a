import { describe, expect, it } from 'vitest';
import { parseSiteConfig } from './site-config.js';

function valid(): Record<string, unknown> {
  return {
    name: 'Demo shop',
    segments: [
      { id: 'runners', description: 'Likes running', rule: { top: 'category', eq: 'running' } },
      { id: 'german-runners', rule: { all: [{ segment: 'runners' }, { context: 'country', eq: 'DE' }] } },
    ],
    slots: {
      hero: {
        kind: 'content',
        rules: [{ when: { segment: 'runners' }, content: 'hero-running' }],
        default: 'hero-default',
      },
      recs: { kind: 'recommendations', count: 4, title: 'For you' },
    },
    experiments: [
      {
        key: 'hero-copy',
        targeting: { segment: 'german-runners' },
        traffic: 0.5,
        variants: [{ key: 'control' }, { key: 'bold', weight: 1, content: { hero: 'hero-bold' } }],
      },
    ],
    itemRoute: { prefix: '/product/' },
    content: { 'hero-running': '<h1>Run</h1>', 'hero-default': '<h1>Hi</h1>', 'hero-bold': '<h1>RUN</h1>' },
    itemTemplate: '<li data-id="{{id}}">{{title}} {{price}}</li>',
  };
}

function problemsOf(json: unknown): string {
  try {
    parseSiteConfig(json);
  } catch (e) {
    expect(e).toMatchObject({ name: 'TesseraError', status: 400 });
    return (e as Error).message;
  }
  throw new Error('expected parseSiteConfig to throw');
}

describe('parseSiteConfig', () => {
  it('accepts a full valid config and returns it unchanged', () => {
    const json = valid();
    expect(parseSiteConfig(json)).toEqual(json);
  });

  it('defaults missing segments and slots to empty, and keeps unknown top-level fields', () => {
    expect(parseSiteConfig({ name: 'x', future: 1 })).toEqual({
      name: 'x',
      segments: [],
      slots: {},
      future: 1,
    });
  });

  it('lists every schema problem with its path', () => {
    const json = valid();
    json.name = '';
    (json.segments as Array<Record<string, unknown>>)[1]!.id = 'has space';
    (json.slots as Record<string, Record<string, unknown>>).recs!.count = 0;
    json.itemRoute = { prefix: 'product/' };
    const message = problemsOf(json);
    expect(message).toMatch(/^\[tessera\] \[config\] invalid site config \(4 problems\):/);
    expect(message).toContain('name: expected a non-empty string');
    expect(message).toContain('segments[1].id: ids use only letters');
    expect(message).toContain('slots.recs.count: expected >=1 but received 0');
    expect(message).toContain('itemRoute.prefix: expected a path starting with "/"');
  });

  it('accepts a privacy section and names what is wrong in one', () => {
    const privacy = {
      formFields: ['newsletter_topic'],
      traits: ['plan'],
      searchTerms: true,
      maxEventsPerDay: 500,
    };
    expect(parseSiteConfig({ ...valid(), privacy }).privacy).toEqual(privacy);
    const message = problemsOf({
      ...valid(),
      privacy: { formFields: [''], searchTerms: 'yes', maxEventsPerDay: 0.5, keepEverything: true },
    });
    expect(message).toContain('privacy.formFields[0]: expected a non-empty string');
    expect(message).toContain('privacy.searchTerms: expected boolean');
    expect(message).toContain('privacy.maxEventsPerDay: expected an integer');
    expect(message).toContain('privacy.keepEverything: unknown key');
  });

  it('rejects unknown keys inside definitions and unknown slot kinds', () => {
    const json = valid();
    (json.segments as Array<Record<string, unknown>>)[0]!.rules = {};
    (json.slots as Record<string, unknown>).side = { kind: 'banner' };
    const message = problemsOf(json);
    expect(message).toContain('segments[0].rules: unknown key');
    expect(message).toContain(
      'slots.side.kind: expected ("content" | "recommendations") but received "banner"',
    );
  });

  it('rejects a config that is not an object, and names missing keys', () => {
    expect(problemsOf([])).toContain('(config): expected a JSON object, got an array');
    expect(problemsOf('x')).toContain('(config): expected a JSON object, got string');
    expect(problemsOf({})).toContain('name: missing');
  });

  it('reports rule errors with their full path', () => {
    const json = valid();
    (json.segments as Array<Record<string, unknown>>)[1]!.rule = {
      all: [{ segment: 'runners' }, { count: 'view', within: 'soon' }],
    };
    expect(problemsOf(json)).toContain('segments[1].rule.all[1].within: bad duration "soon"');
  });

  it('rejects segment cycles and unknown segments in slots and targeting', () => {
    const json = valid();
    (json.segments as Array<Record<string, unknown>>)[0]!.rule = { segment: 'german-runners' };
    (json.slots as Record<string, Record<string, unknown>>).hero!.rules = [
      { when: { segment: 'nobody' }, content: 'hero-running' },
    ];
    (json.experiments as Array<Record<string, unknown>>)[0]!.targeting = { not: { segment: 'ghosts' } };
    const message = problemsOf(json);
    expect(message).toContain('segments: cycle runners → german-runners → runners');
    expect(message).toContain('slots.hero.rules[0].when: unknown segment "nobody"');
    expect(message).toContain('experiments[0].targeting: unknown segment "ghosts"');
  });

  it('requires every content id named by slots and variants to exist when content is given', () => {
    const json = valid();
    json.content = { 'hero-running': '<p/>' };
    const message = problemsOf(json);
    expect(message).toContain('slots.hero.default: unknown content id "hero-default"');
    expect(message).toContain('experiments[0].variants[1].content.hero: unknown content id "hero-bold"');
    expect(message).not.toContain('hero-running"');
  });

  it('does not check content ids when no content is given', () => {
    const json = valid();
    delete json.content;
    expect(() => parseSiteConfig(json)).not.toThrow();
  });

  it('rejects duplicate experiment and variant keys and bad traffic', () => {
    const json = valid();
    const exp = (json.experiments as Array<Record<string, unknown>>)[0]!;
    json.experiments = [exp, { ...exp, traffic: 2, variants: [{ key: 'a' }, { key: 'a' }] }];
    expect(problemsOf(json)).toContain('experiments[1].traffic');
    json.experiments = [exp, { ...exp, variants: [{ key: 'a' }, { key: 'a' }] }];
    const second = problemsOf(json);
    expect(second).toContain('experiments[1].key: duplicate experiment key "hero-copy"');
    expect(second).toContain('experiments[1].variants[1].key: duplicate variant key "a"');
  });
});
