/**
 * Thin DOM wiring for what the visitor does: clicks on items and actions,
 * form fields, searches, and the declarative consent buttons. Delegated
 * listeners on the document, so markup added later is covered too. The
 * decisions (what to send) live in the pure modules.
 * @module
 */
import type { Collector } from './collector.js';
import type { ConsentChoice } from './consent.js';
import { formFieldProps, searchProps } from './fields.js';

const ITEM = '[data-tessera-item]';

/** `{ slot }` of the closest slot around an element, or undefined. */
export function slotProps(el: Element): { slot: string } | undefined {
  const slot = el.closest('[data-tessera-slot]')?.getAttribute('data-tessera-slot');
  return slot ? { slot } : undefined;
}

/** Hide every consent banner once the visitor has chosen. */
export function hideBanners(doc: Document): void {
  doc.querySelectorAll<HTMLElement>('[data-tessera-consent-banner]').forEach((el) => {
    el.hidden = true;
  });
}

/** Wrap a listener so that nothing it throws reaches the page. */
export function guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch {
      // The page matters more than a lost signal.
    }
  };
}

function onClick(c: Collector, doc: Document, reload: () => void, e: Event): void {
  const target = e.target;
  if (!(target instanceof Element)) return;
  const choice = target.closest('[data-tessera-consent]')?.getAttribute('data-tessera-consent');
  // accept, decline, device ("learn on my device only"); any other value declines, the safe reading.
  if (choice) {
    e.preventDefault();
    const yes = choice === 'accept';
    hideBanners(doc);
    // `device: false` with accept or decline changes nothing: the server reads only `device: true`.
    void c
      .consent({ personalization: yes, analytics: yes, device: choice === 'device' } as ConsentChoice)
      .then(reload);
    return;
  }
  const actionEl = target.closest('[data-tessera-action]');
  const itemEl = (actionEl ?? target).closest(ITEM);
  const item = itemEl?.getAttribute('data-tessera-item');
  if (!itemEl || !item) return;
  const action = actionEl?.getAttribute('data-tessera-action');
  const type = action === 'add_to_cart' || action === 'purchase' ? action : 'click';
  c.record(type, item, slotProps(itemEl), true);
}

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function onFieldInput(c: Collector, seen: Set<string>, e: Event): void {
  const el = e.target as Field | null;
  if (!el || !('form' in el) || el.closest('[data-tessera-search]')) return;
  const form = el.form;
  const props = formFieldProps({
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute('type'),
    name: el.getAttribute('name'),
    id: el.id,
    form: form && (form.id || form.getAttribute('name')),
    allow: el.hasAttribute('data-tessera-allow'),
    value: el.value,
  });
  // Once per field and page: the interaction is the signal, not each keystroke.
  if (!props) return;
  const key = `${props.form}/${props.field}`;
  if (seen.has(key)) return;
  seen.add(key);
  c.record('form', undefined, props, false);
}

function onSubmit(c: Collector, e: Event): void {
  // A submit event's target is always the form.
  const form = (e.target as Element).closest('form[data-tessera-search]');
  if (!form) return;
  const field = form.querySelector<HTMLInputElement>(
    '[data-tessera-search-field],input[type=search],input[name=q],input[type=text],input:not([type])',
  );
  if (field)
    c.record('search', undefined, searchProps(field.value, field.hasAttribute('data-tessera-allow')), false);
}

export function wireInteractions(c: Collector, doc: Document, reload: () => void): void {
  const seen = new Set<string>();
  doc.addEventListener(
    'click',
    guard((e: Event) => onClick(c, doc, reload, e)),
    true,
  );
  doc.addEventListener(
    'input',
    guard((e: Event) => onFieldInput(c, seen, e)),
    true,
  );
  doc.addEventListener(
    'change',
    guard((e: Event) => onFieldInput(c, seen, e)),
    true,
  );
  doc.addEventListener(
    'submit',
    guard((e: Event) => onSubmit(c, e)),
    true,
  );
}
