import { describe, expect, it } from 'vitest';
import { escapeHtml, renderItemTemplate } from './escape.js';

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('returns plain text unchanged, including non-ASCII', () => {
    expect(escapeHtml('Laufschuh Größe 42 ✓')).toBe('Laufschuh Größe 42 ✓');
  });

  it('gives the same answer when called repeatedly (no regex state leaks)', () => {
    expect(escapeHtml('a<b')).toBe('a&lt;b');
    expect(escapeHtml('a<b')).toBe('a&lt;b');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('renderItemTemplate', () => {
  const template = '<li><a href="/product/{{id}}" title="{{ title }}">{{title}}</a> <b>{{price}}</b></li>';

  it('fills placeholders with field values, numbers included', () => {
    expect(renderItemTemplate(template, { id: 'p-1', title: 'Trail shoe', price: 89.5 })).toBe(
      '<li><a href="/product/p-1" title="Trail shoe">Trail shoe</a> <b>89.5</b></li>',
    );
  });

  it('escapes every field so catalog data cannot inject markup or break attributes', () => {
    const out = renderItemTemplate(template, {
      id: '1"><script>alert(1)</script>',
      title: `<img src=x onerror="alert('x')">`,
      price: 1,
    });
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<img');
    expect(out).toContain('href="/product/1&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(out).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;');
  });

  it('renders unknown placeholders as empty, even names of Object.prototype members', () => {
    expect(renderItemTemplate('[{{missing}}|{{constructor}}|{{toString}}]', {})).toBe('[||]');
  });

  it('does not re-expand placeholders that appear inside field values', () => {
    expect(renderItemTemplate('{{a}}', { a: '{{b}}', b: 'nope' })).toBe('{{b}}');
  });

  it('leaves text that is not a placeholder alone', () => {
    expect(renderItemTemplate('{ {x} } {{ }} {{x y}}', { x: '1' })).toBe('{ {x} } {{ }} {{x y}}');
  });
});
