import { describe, expect, it } from 'vitest';
import { renderItemTemplate } from './escape.js';
import { compileItemTemplate } from './tiles.js';

const TEMPLATE =
  '<a href="/p/{{id}}" data-x="{{ category }}">{{title}} <small>{{reason}}</small>{{missing}}</a>';

describe('compiled item tiles', () => {
  it('renders exactly what the plain template renderer does, escaping fields and reasons', () => {
    const r = compileItemTemplate(TEMPLATE);
    const fields = { id: 'p-1', category: 'a"b', title: '<b>Shoe</b> & co' };
    const reason = 'because you viewed <i>x</i>';
    expect(r.render('p-1', () => fields, reason)).toBe(renderItemTemplate(TEMPLATE, { ...fields, reason }));
  });

  it('escapes an item once and reuses it, while the reason changes per call', () => {
    const r = compileItemTemplate(TEMPLATE);
    let calls = 0;
    const fields = () => {
      calls++;
      return { id: 'p-2', category: 'c', title: 't' };
    };
    expect(r.render('p-2', fields, 'one')).toContain('one');
    expect(r.render('p-2', fields, 'two')).toContain('two');
    expect(calls).toBe(1);
  });

  it('handles templates without placeholders', () => {
    expect(compileItemTemplate('<hr>').render('x', () => ({}), 'r')).toBe('<hr>');
  });

  it('renders the same tile as pieces as it does as a string', () => {
    const r = compileItemTemplate(TEMPLATE);
    const fields = () => ({ id: 'p-3', category: 'c&d', title: 'T' });
    const out: string[] = ['before'];
    r.renderInto(out, 'p-3', fields, 'why <this>');
    expect(out[0]).toBe('before');
    expect(out.slice(1).join('')).toBe(r.render('p-3', fields, 'why <this>'));
  });
});
