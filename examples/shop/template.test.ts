import { describe, expect, it } from 'vitest';
import { compileTemplate, escapeHtml } from './template.mjs';

describe('shop templates', () => {
  it('escapes double-brace values and keeps triple-brace fragments as they are', () => {
    const t = compileTemplate('<p title="{{title}}">{{title}}</p>{{{fragment}}}');
    expect(t({ title: `"Tom" & <Jerry's>`, fragment: '<b>hi</b>' })).toBe(
      '<p title="&quot;Tom&quot; &amp; &lt;Jerry&#39;s&gt;">&quot;Tom&quot; &amp; &lt;Jerry&#39;s&gt;</p><b>hi</b>',
    );
  });

  it('renders numbers and leaves text around holes untouched', () => {
    expect(compileTemplate('$ {{ price }} / {{n}}')({ price: 9.5, n: 0 })).toBe('$ 9.5 / 0');
    expect(compileTemplate('no holes')({})).toBe('no holes');
  });

  it('throws, naming the template, when a value is missing', () => {
    expect(() => compileTemplate('{{a}}{{b}}', 'card.html')({ a: 1 })).toThrow(
      /card\.html: no value for \{\{b\}\}/,
    );
  });

  it('escapes every character that can break out of text or a quoted attribute', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});
