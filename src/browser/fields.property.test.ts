/**
 * The collector's privacy rule over every field shape, not just examples:
 * whatever the tag, type, name or typed text, a field without
 * `data-tessera-allow` yields only { form, field, kind }, a search without it
 * only the query length, and a password or hidden field never its value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formFieldProps, searchProps } from './fields.js';

const typed = fc.string({ minLength: 1, maxLength: 40 }).map((s) => `secret:${s}`);
const field = fc.record({
  tag: fc.constantFrom('input', 'select', 'textarea'),
  type: fc.option(
    fc.constantFrom(
      'text',
      'email',
      'tel',
      'password',
      'PASSWORD',
      'search',
      'number',
      'checkbox',
      'hidden',
      'x',
    ),
    { nil: undefined },
  ),
  name: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  id: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  form: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  value: typed,
});

describe('typed text never leaves without an allow-list', () => {
  it('sends no value and no other key for a field that is not allow-listed', () => {
    fc.assert(
      fc.property(field, (f) => {
        const props = formFieldProps({ ...f, allow: false });
        if (props === undefined) return;
        expect(Object.keys(props).sort()).toEqual(['field', 'form', 'kind']);
        expect(JSON.stringify(props)).not.toContain(f.value);
      }),
      { numRuns: 2000 },
    );
  });

  it('never sends a password or hidden value, even when allow-listed', () => {
    fc.assert(
      fc.property(field, (f) => {
        const props = formFieldProps({ ...f, allow: true });
        const kind = f.tag === 'input' ? (f.type ?? 'text').toLowerCase() : f.tag;
        if (kind === 'password' || kind === 'hidden') expect(props?.value).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('sends a search query only as its length unless allow-listed', () => {
    fc.assert(
      fc.property(typed, (q) => {
        const props = searchProps(q, false);
        expect(Object.keys(props)).toEqual(['length']);
        expect(JSON.stringify(props)).not.toContain(q.trim());
      }),
      { numRuns: 2000 },
    );
  });
});
