import { describe, expect, it } from 'vitest';
import { DecisionMemo } from '../decision-memo.js';
import type { Decision, RecommendedItem } from '../types.js';
import { type PageBodyInput, pageBody } from './page-body.js';

const decisionWith = (lists: Record<string, RecommendedItem[]>, personalized = true): Decision =>
  ({ recommendations: lists, personalized, listsForVisitor: personalized }) as unknown as Decision;

function setup() {
  let renders = 0;
  const memo = new DecisionMemo();
  const shell = {};
  const site = {};
  const tiles = {};
  const input = (decision: Decision, over: Partial<PageBodyInput> = {}): PageBodyInput => ({
    visitorId: 'v1',
    shell,
    decision,
    recSlots: ['recommended'],
    memo,
    renderer: site,
    tiles,
    render: () => {
      renders++;
      return ['<p>', `page ${renders}`, new TextEncoder().encode('</p>')];
    },
    ...over,
  });
  return { input, renders: () => renders, memo };
}

const text = (b: ReturnType<typeof pageBody>) =>
  b instanceof Uint8Array
    ? new TextDecoder().decode(b)
    : b.map((c) => (typeof c === 'string' ? c : new TextDecoder().decode(c))).join('');

describe('pageBody', () => {
  it('renders a returning visitor’s page once while the shell and the memoized lists stay the same', () => {
    const { input, renders } = setup();
    const list = [{ item: 'a', score: 1, reason: 'r' }];
    const first = pageBody(input(decisionWith({ recommended: list })));
    const again = pageBody(input(decisionWith({ recommended: list })));
    expect(renders()).toBe(1);
    expect(again).toBe(first);
    expect(text(again)).toBe('<p>page 1</p>');
  });

  it('renders again when the lists, the shell, the heading or the template changed', () => {
    const { input, renders } = setup();
    const list = [{ item: 'a', score: 1, reason: 'r' }];
    pageBody(input(decisionWith({ recommended: list })));
    // Equal content in a new array is a new list (a new profile version): rendered again.
    expect(text(pageBody(input(decisionWith({ recommended: [...list] }))))).toBe('<p>page 2</p>');
    const sameList = decisionWith({ recommended: [...list] });
    pageBody(input(sameList));
    pageBody(input(sameList, { shell: {} }));
    pageBody(input(sameList, { tiles: {} }));
    pageBody(input({ ...sameList, listsForVisitor: false } as Decision));
    expect(renders()).toBe(6);
  });

  it('keeps nothing for a visitor without a profile or without an id, and nothing past a new memo', () => {
    const { input, renders } = setup();
    const list: RecommendedItem[] = [];
    pageBody(input(decisionWith({ recommended: list }, false)));
    pageBody(input(decisionWith({ recommended: list }, false)));
    pageBody(input(decisionWith({ recommended: list }), { visitorId: undefined }));
    pageBody(input(decisionWith({ recommended: list }), { visitorId: undefined }));
    expect(renders()).toBe(4);
    const d = decisionWith({ recommended: list });
    pageBody(input(d));
    // An erasure replaces the memo: what was kept for it is gone with it.
    pageBody(input(d, { memo: new DecisionMemo() }));
    expect(renders()).toBe(6);
  });

  it('keeps pages per visitor: another visitor with the same inputs gets their own render', () => {
    const { input, renders } = setup();
    const d = decisionWith({ recommended: [] });
    pageBody(input(d));
    pageBody(input(d, { visitorId: 'v2' }));
    expect(renders()).toBe(2);
  });
});
