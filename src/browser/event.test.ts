import { describe, expect, it } from 'vitest';
import { buildEvent, isEventType, newEventId, pageProps, stripUrl } from './event.js';

describe('newEventId', () => {
  it('is 16 random bytes in hex', () => {
    const id = newEventId({
      getRandomValues: <T extends ArrayBufferView | null>(a: T): T => {
        (a as unknown as Uint8Array).set([0, 1, 15, 16, 171, 255]);
        return a;
      },
    });
    expect(id).toBe(`00010f10abff${'00'.repeat(10)}`);
  });

  it('makes distinct 32-hex-digit ids from the platform crypto by default', () => {
    const a = newEventId();
    const b = newEventId();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
});

describe('buildEvent', () => {
  it('leaves out empty item and props', () => {
    expect(buildEvent('scroll', 'e1', 5, undefined, {})).toEqual({ id: 'e1', type: 'scroll', ts: 5 });
  });

  it('keeps item and props when given', () => {
    expect(buildEvent('click', 'e2', 6, 'sku-1', { slot: 'hero' })).toEqual({
      id: 'e2',
      type: 'click',
      ts: 6,
      item: 'sku-1',
      props: { slot: 'hero' },
    });
  });
});

describe('isEventType', () => {
  it('accepts the protocol types and nothing else', () => {
    expect(isEventType('add_to_cart')).toBe(true);
    expect(isEventType('pageview')).toBe(false);
    expect(isEventType(undefined)).toBe(false);
  });
});

describe('page props', () => {
  it('strips query and fragment from the referrer, which may carry personal data', () => {
    expect(stripUrl('https://a.example/p?email=x@y.z#top')).toBe('https://a.example/p');
    expect(stripUrl('https://a.example/p#x?y')).toBe('https://a.example/p');
    expect(pageProps('/shoes', 'https://search.example/?q=secret')).toEqual({
      path: '/shoes',
      referrer: 'https://search.example/',
    });
  });

  it('omits an empty referrer', () => {
    expect(pageProps('/', '')).toEqual({ path: '/' });
  });
});
