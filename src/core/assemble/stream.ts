/**
 * Origin mode: rewrite a proxied origin response in one streaming pass,
 * filling every slot as its element goes by. No shell and no buffering —
 * the right choice when the origin page cannot be cached (it differs per
 * request), at the cost of running the HTML parser on every request.
 * @module
 */
import { type HTMLRewriterFactory, SLOT_ATTRIBUTE, SLOT_SELECTOR } from './rewriter-types.js';

/**
 * Fills `data-tessera-slot` elements of `response` with `fills` (slot name →
 * HTML). Slots without a fill keep the origin's content. Responses that are
 * not HTML, or carry no body, pass through untouched.
 */
export function rewriteStream(
  response: Response,
  fills: Record<string, string>,
  makeRewriter: HTMLRewriterFactory,
): Response {
  if (response.body === null || !isHtml(response) || Object.keys(fills).length === 0) return response;
  return makeRewriter()
    .on(SLOT_SELECTOR, {
      element(el) {
        const name = el.getAttribute(SLOT_ATTRIBUTE);
        if (!name || !Object.hasOwn(fills, name)) return;
        const html = fills[name];
        if (html !== undefined) el.setInnerContent(html, { html: true });
      },
    })
    .transform(response);
}

/** A missing content-type is treated as HTML: origins that forget it are usually serving pages. */
function isHtml(response: Response): boolean {
  const type = response.headers.get('content-type');
  return type === null || /\b(?:text\/html|application\/xhtml\+xml)\b/i.test(type);
}
