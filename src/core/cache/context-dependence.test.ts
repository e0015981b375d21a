import { describe, expect, it } from 'vitest';
import type { DecisionContext } from '../types.js';
import {
  contextDependence,
  contextFieldsOfRules,
  listFieldsOf,
  tooVariedToShare,
  varyHeadersOf,
} from './context-dependence.js';

const ctx = (extra: Partial<DecisionContext> = {}): DecisionContext => ({
  method: 'GET',
  path: '/',
  cookies: {},
  device: 'mobile',
  localHour: 20,
  utm: { source: 'mail' },
  gpc: false,
  dnt: false,
  now: 0,
  ...extra,
});

describe('context dependence', () => {
  it('finds every context field a rule reads, however deep', () => {
    const slots = {
      hero: {
        kind: 'content',
        rules: [{ when: { all: [{ context: 'utm.source', eq: 'x' }, { not: { context: 'device' } }] } }],
      },
    };
    expect(contextFieldsOfRules(slots, undefined, [{ affinity: 'category:a', gte: 1 }])).toEqual([
      'device',
      'utm.source',
    ]);
  });

  it('reads the fields behind the kinds of cold-start lists a model has', () => {
    expect(listFieldsOf(['referrer:news.example', 'country:de|hour:night'])).toEqual([
      'country',
      'hour',
      'referrerHost',
    ]);
    expect(listFieldsOf([])).toEqual([]);
  });

  it('keys on the values the content read and lists every field read', () => {
    const d = contextDependence(ctx(), ['device', 'hour', 'utm.source', 'country'], ['language']);
    expect(d.keys).toEqual({ device: 'mobile', hour: 'evening', 'utm.source': 'mail' });
    expect(d.fields).toEqual(['country', 'device', 'hour', 'language', 'utm.source']);
  });

  it('names the request headers of each field, URL fields none', () => {
    expect(varyHeadersOf(['device', 'utm.source', 'referrerHost'])).toEqual([
      'User-Agent',
      'Sec-CH-UA-Mobile',
      'Referer',
    ]);
    expect(varyHeadersOf(['country'], { country: 'x-geo' })[0]).toBe('x-geo');
  });

  it('does not share a page whose content used the referrer', () => {
    expect(tooVariedToShare(['referrerHost'], ctx({ referrerHost: 'a.example' }))).toBe(true);
    expect(tooVariedToShare(['referrerHost'], ctx())).toBe(false);
    expect(tooVariedToShare(['device'], ctx({ referrerHost: 'a.example' }))).toBe(false);
  });
});
