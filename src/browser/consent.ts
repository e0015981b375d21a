/**
 * Consent as the collector sees it: the `tsr_consent` cookie the server sets
 * once the visitor chose, the site's consent mode, and the browser's privacy
 * signals (GPC, Do-Not-Track). Pure functions; the DOM reads happen in entry.ts.
 * @module
 */
import type { ConsentMode } from '../core/config.js';
import type { EventType } from '../core/types.js';

/** A visitor's choice, per category (`necessary` is implied). */
export interface ConsentChoice {
  personalization: boolean;
  analytics: boolean;
  /** "Learn on my device only": nothing is sent but the choice; tessera/federated learns on the device. */
  device?: boolean;
}

/** What the collector currently honours, and whether it came from a choice. */
export interface BrowserConsentState extends ConsentChoice {
  necessary: true;
  /** True once the visitor chose (cookie present or `consent()` called). */
  chosen: boolean;
}

/** The value of one cookie in a `document.cookie` string, URI-decoded. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split('; ')) {
    if (part.startsWith(`${name}=`)) {
      try {
        return decodeURIComponent(part.slice(name.length + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Parse the consent cookie value, e.g. `p1.a0`. Anything malformed counts as
 * no choice, so a broken cookie never grants more than the mode allows.
 */
export function parseConsentCookie(value: string | undefined): ConsentChoice | undefined {
  const m = value ? /^p([01])\.a([01])$/.exec(value.trim()) : null;
  return m ? { personalization: m[1] === '1', analytics: m[2] === '1' } : undefined;
}

/**
 * The choice in the `tsr_consent` cookie, straight from a `document.cookie`
 * string (`a=1; tsr_consent=p1.a0`). Like `parseConsentCookie`, anything
 * malformed counts as no choice.
 */
export function consentFromCookies(cookies: string): ConsentChoice | undefined {
  // `\b`, not `(?:;|$)`: `p0.a0.d1` ("learn on my device only") is a choice too, and grants p0.a0 here.
  const m = /(?:^|; )tsr_consent=p([01])\.a([01])\b/.exec(cookies);
  return m ? { personalization: m[1] === '1', analytics: m[2] === '1' } : undefined;
}

/**
 * Combine mode, signals and choice. GPC or DNT decline everything, even over
 * a stored choice (the server does the same, docs/security.md: a script can
 * write the cookie without the visitor acting); then an explicit choice
 * wins; without one, opt-out grants everything and opt-in grants nothing.
 */
export function resolveConsent(
  mode: ConsentMode,
  choice: ConsentChoice | undefined,
  privacySignal: boolean,
): BrowserConsentState {
  // GPC/DNT win even over a stored choice; the choice is still remembered as made.
  const granted = mode === 'opt-out' && !privacySignal;
  return {
    necessary: true,
    personalization: granted,
    analytics: granted,
    ...(privacySignal ? {} : choice),
    chosen: !!choice,
  };
}

/** Measurement-only signals: useless for personalization, so analytics consent is required. */
const ANALYTICS_ONLY: readonly string[] = ['scroll', 'dwell', 'form'];
/** Signals that tie the visitor to a person or to stated preferences. */
const PERSONAL_ONLY: readonly string[] = ['identify', 'feedback'];

/**
 * May an event of this type leave the browser? The consent event always may
 * (it is how a choice reaches the server); other events need the category
 * they serve, and behavioural events need at least one category.
 */
export function mayCollect(type: EventType, consent: ConsentChoice): boolean {
  if (type === 'consent') return true;
  if (ANALYTICS_ONLY.includes(type)) return consent.analytics;
  if (PERSONAL_ONLY.includes(type)) return consent.personalization;
  return consent.personalization || consent.analytics;
}
