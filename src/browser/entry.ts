/**
 * The IIFE that `GET /tessera.js` serves: reads its own `<script>` tag,
 * builds the collector from the browser's cookies, crypto and transport,
 * installs `window.tessera` and wires the page. Nothing here may throw into
 * the host page.
 * @module
 */
import { createCollector, type TesseraBrowserApi } from './collector.js';
import { guard, hideBanners, wireInteractions } from './dom-interactions.js';
import { wireLifecycle } from './dom-lifecycle.js';
import { RETRY_BASE_MS } from './retry.js';
import { createSender } from './transport.js';

/** Where the unacknowledged queue waits for the next page of this tab. */
const QUEUE_KEY = 'tsr_queue';
/** The on-device learning module; a variable, so the bundler leaves the import to the browser. */
const FEDERATED_MODULE: string = '/tessera-federated.js';

guard(() => {
  const w = window as Window & { tessera?: TesseraBrowserApi };
  if (w.tessera) return; // included twice: the first copy owns the page
  const script = document.currentScript;
  const attr = (name: string) => script?.getAttribute(name);
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const c = createCollector({
    // Read as opt-out only when it says so (consent.ts compares it): anything else is opt-in.
    mode: attr('data-consent-mode') as 'opt-in' | 'opt-out',
    readCookies: () => document.cookie,
    privacySignal: nav.globalPrivacyControl === true || nav.doNotTrack === '1',
    send: createSender(attr('data-endpoint') || '/collect'),
    load: () => sessionStorage.getItem(QUEUE_KEY),
    save: guard((value: string | undefined) =>
      value ? sessionStorage.setItem(QUEUE_KEY, value) : sessionStorage.removeItem(QUEUE_KEY),
    ),
    retryBase: Number(attr('data-retry-base')) || RETRY_BASE_MS,
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
  // "Learn on my device only": the on-device module, fetched only for these visitors.
  if (/=p0\.a0\.d1/.test(document.cookie)) import(FEDERATED_MODULE);
  wireInteractions(c, document, () => location.reload());
  // Without `defer` in <head>, wait for the markup the views and the main item live in.
  const start = guard(() => wireLifecycle(c, document, window));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
