import { describe, expect, it } from 'vitest';
import { fieldKind, formFieldProps, MAX_VALUE_LENGTH, searchProps } from './fields.js';

describe('fieldKind', () => {
  it('uses the input type, text by default, and the tag for other fields', () => {
    expect(fieldKind('input', 'EMAIL')).toBe('email');
    expect(fieldKind('input', undefined)).toBe('text');
    expect(fieldKind('select', undefined)).toBe('select');
    expect(fieldKind('textarea', undefined)).toBe('textarea');
  });
});

describe('formFieldProps', () => {
  it('reports form, field and kind but never the value by default', () => {
    const props = formFieldProps({
      tag: 'input',
      type: 'email',
      name: 'email',
      form: 'newsletter',
      allow: false,
      value: 'ada@example.com',
    });
    expect(props).toEqual({ form: 'newsletter', field: 'email', kind: 'email' });
    expect(JSON.stringify(props)).not.toContain('ada@example.com');
  });

  it('includes an allow-listed value, capped in length', () => {
    const props = formFieldProps({ tag: 'select', name: 'size', allow: true, value: 'x'.repeat(500) });
    expect(props?.value).toHaveLength(MAX_VALUE_LENGTH);
    expect(props?.form).toBe('');
  });

  it('never sends a password, even when allow-listed', () => {
    const props = formFieldProps({
      tag: 'input',
      type: 'password',
      name: 'pw',
      allow: true,
      value: 'hunter2',
    });
    expect(props).toEqual({ form: '', field: 'pw', kind: 'password' });
  });

  it('names the field by id when it has no name, and skips unnamed or hidden fields', () => {
    expect(formFieldProps({ tag: 'textarea', id: 'msg', allow: false })?.field).toBe('msg');
    expect(formFieldProps({ tag: 'input', allow: false, value: 'x' })).toBeUndefined();
    expect(formFieldProps({ tag: 'input', type: 'hidden', name: 'csrf', allow: true })).toBeUndefined();
  });
});

describe('searchProps', () => {
  it('sends only the query length unless the field is allow-listed', () => {
    expect(searchProps('  red shoes ', false)).toEqual({ length: 9 });
    expect(searchProps('  red shoes ', true)).toEqual({ query: 'red shoes' });
  });
});
