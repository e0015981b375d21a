import { describe, expect, it } from 'vitest';
import { cacheHeaders } from './headers.js';

describe('cacheHeaders', () => {
  it('keeps pages with per-visitor content out of shared caches', () => {
    const h = cacheHeaders({ personalized: true, hasVisitorSlots: true, varyOn: [] });
    expect(h['cache-control']).toBe('private, no-cache');
    expect(h.vary).toBe('Cookie');
  });

  it('lets shared caches keep pages that depend only on the variant', () => {
    const h = cacheHeaders({ personalized: true, hasVisitorSlots: false, varyOn: ['Sec-CH-UA-Mobile'] });
    expect(h['cache-control']).toBe('public, max-age=0, s-maxage=60');
    expect(h.vary).toBe('Sec-CH-UA-Mobile, Cookie');
  });

  it('shares anonymous pages even when they have visitor slots (they show the popular fallback)', () => {
    const h = cacheHeaders({ personalized: false, hasVisitorSlots: true, varyOn: [] });
    expect(h['cache-control']).toMatch(/^public/);
  });

  it('always varies on Cookie, once, whatever the caller passes', () => {
    expect(cacheHeaders({ personalized: false, hasVisitorSlots: false, varyOn: [] }).vary).toBe('Cookie');
    const h = cacheHeaders({
      personalized: false,
      hasVisitorSlots: false,
      varyOn: ['cookie', 'Accept-Language', 'accept-language', ' ', 'CF-IPCountry'],
    });
    expect(h.vary).toBe('cookie, Accept-Language, CF-IPCountry');
  });

  it('takes the shared max age from the caller', () => {
    const h = cacheHeaders({ personalized: false, hasVisitorSlots: false, varyOn: [], sharedMaxAge: 300 });
    expect(h['cache-control']).toBe('public, max-age=0, s-maxage=300');
  });
});
