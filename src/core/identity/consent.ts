/**
 * Consent state: the visitor's choice lives in a small cookie the browser
 * script can read (`p1.a0`: personalization yes, analytics no). Storing the
 * choice itself is strictly necessary, so it needs no consent.
 *
 * `p0.a0.d1` is "learn on my device only": the browser keeps the visitor's
 * history and trains on it (tessera/federated); the server stores none of
 * their events and keeps no profile, so `d1` always comes with `p0.a0`.
 *
 * Order (docs/security.md): Global Privacy Control or Do-Not-Track first —
 * the browser's standing opt-out wins even over a cookie that says yes,
 * because a script on the site can write that cookie without the visitor
 * acting; then the visitor's choice in the cookie; then the mode (opt-in
 * means no, opt-out yes).
 * @module
 */
import type { ConsentMode } from '../config.js';
import type { ConsentState, DecisionContext } from '../types.js';

export type ConsentSource = 'cookie' | 'gpc' | 'mode';

export interface ResolvedConsent extends ConsentState {
  source: ConsentSource;
}

export interface ConsentChoice {
  personalization: boolean;
  analytics: boolean;
  /** Learn on this device only: nothing of the visitor is stored on the server. */
  device?: boolean;
}

export function formatConsentCookie(c: ConsentChoice): string {
  if (c.device) return 'p0.a0.d1';
  return `p${c.personalization ? 1 : 0}.a${c.analytics ? 1 : 0}`;
}

/** A `d1` cookie grants the server nothing, whatever its `p` and `a` say. */
export function parseConsentCookie(v: string | undefined): ConsentChoice | undefined {
  if (!v) return undefined;
  const m = /^p([01])\.a([01])(\.d1)?$/.exec(v);
  if (!m) return undefined;
  if (m[3]) return { personalization: false, analytics: false, device: true };
  return { personalization: m[1] === '1', analytics: m[2] === '1' };
}

/** The browser says "do not track me" (Sec-GPC: 1 or DNT: 1): no personalization, no id. */
export function browserOptsOut(ctx: Pick<DecisionContext, 'gpc' | 'dnt'>): boolean {
  return ctx.gpc || ctx.dnt;
}

export function resolveConsent(ctx: DecisionContext, mode: ConsentMode, cookieName: string): ResolvedConsent {
  if (browserOptsOut(ctx))
    return { necessary: true, personalization: false, analytics: false, source: 'gpc' };
  const chosen = parseConsentCookie(ctx.cookies[cookieName]);
  if (chosen)
    return {
      necessary: true,
      personalization: chosen.personalization,
      analytics: chosen.analytics,
      source: 'cookie',
    };
  const granted = mode === 'opt-out';
  return { necessary: true, personalization: granted, analytics: granted, source: 'mode' };
}
