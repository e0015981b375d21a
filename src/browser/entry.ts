/**
 * The IIFE that `GET /tessera.js` serves: reads its own `<script>` tag,
 * builds the collector from the browser's cookies, crypto and transport,
 * installs `window.tessera` and wires the page. Nothing here may throw into
 * the host page.
 * @module
 */
import { createCollector, type TesseraBrowserApi } from './collector.js';
import { readCookie } from './consent.js';
import { guard, hideBanners, wireInteractions } from './dom-interactions.js';
import { wireLifecycle } from './dom-lifecycle.js';
import { newEventId } from './event.js';
import { createSender } from './transport.js';

const CONSENT_COOKIE = 'tsr_consent';

guard(() => {
  const w = window as Window & { tessera?: TesseraBrowserApi };
  if (w.tessera) return; // included twice: the first copy owns the page
  const script = document.currentScript;
  const attr = (name: string): string | null => (script ? script.getAttribute(name) : null);
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const c = createCollector({
    mode: attr('data-consent-mode') === 'opt-out' ? 'opt-out' : 'opt-in',
    readConsentCookie: () => readCookie(document.cookie, CONSENT_COOKIE),
    privacySignal: nav.globalPrivacyControl === true || nav.doNotTrack === '1',
    send: createSender(attr('data-endpoint') || '/collect'),
    now: Date.now,
    newId: () => newEventId(typeof crypto === 'object' ? crypto : undefined),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  });
  // consent, consentState and flush cannot throw; the rest take arbitrary input from the page.
  w.tessera = {
    consent: c.consent,
    track: guard(c.track),
    identify: guard(c.identify),
    feedback: guard(c.feedback),
    consentState: c.consentState,
    flush: c.flush,
  };
  if (c.consentState().chosen) hideBanners(document);
  wireInteractions(c, document, () => location.reload());
  // Without `defer` in <head>, wait for the markup the views and the main item live in.
  const start = guard(() => wireLifecycle(c, document, window));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
