import { describe, expect, it } from 'vitest';
import { attributeKeys } from './attribute-keys.js';

describe('attributeKeys', () => {
  it('gives category, brand, then the first tags without repeats or empties', () => {
    const attrs = { category: 'running', brand: 'Stridewell', tags: ['men', 'men', '', 'pro', 'a', 'b'] };
    expect(attributeKeys(attrs)).toEqual(['category:running', 'brand:Stridewell', 'tag:men', 'tag:pro']);
  });

  it('works the keys out again when the catalog entry changed in place', () => {
    const attrs = { category: 'running', brand: 'Stridewell', tags: ['men'] };
    expect(attributeKeys(attrs)).toEqual(['category:running', 'brand:Stridewell', 'tag:men']);
    attrs.tags[0] = 'women';
    expect(attributeKeys(attrs)).toEqual(['category:running', 'brand:Stridewell', 'tag:women']);
    attrs.tags.push('pro');
    attrs.category = 'hiking';
    expect(attributeKeys(attrs)).toEqual(['category:hiking', 'brand:Stridewell', 'tag:women', 'tag:pro']);
  });

  it('skips fields that are not strings', () => {
    const attrs = { category: 7, brand: 'B', tags: 'x' } as unknown as Parameters<typeof attributeKeys>[0];
    expect(attributeKeys(attrs)).toEqual(['brand:B']);
  });
});
