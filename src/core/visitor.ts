/**
 * Who is asking, and what may we keep: the signed anonymous id and the
 * consent state of a request. Without personalization consent there is no id:
 * no identifier cookie is set and an existing one is cleared. An id that was
 * erased (its signature still verifies) is never used again: the visitor
 * gets a new one, so nothing grows under the old id.
 * @module
 */
import type { EngineSettings } from './config.js';
import { clearCookie, setCookie } from './http/cookies.js';
import {
  type KeyRing,
  newVisitorId,
  type ResolvedConsent,
  resolveConsent,
  signId,
  type VisitorIdSource,
  verifySignedIdNow,
} from './identity/index.js';
import type { DecisionContext } from './types.js';

export interface Visitor {
  /** Anonymous id; undefined without personalization consent. */
  id: string | undefined;
  consent: ResolvedConsent;
  /** True when the request carried an id cookie that was not ours (tampered, foreign or erased). */
  replaced: boolean;
  /** Set-Cookie lines the response must carry. */
  cookies: string[];
}

/** Whether an id was erased for good (see privacy/tombstones.ts). */
export type ErasedCheck = (id: string) => Promise<boolean>;

export async function resolveVisitor(
  ctx: DecisionContext,
  settings: EngineSettings,
  ring: KeyRing,
  erased?: ErasedCheck,
  mint: VisitorIdSource = newVisitorId,
): Promise<Visitor> {
  return resolveVisitorNow(ctx, settings, ring, erased, mint);
}

/**
 * `resolveVisitor`, without a promise when nothing needs one: no consent, or
 * an id cookie verified before whose id `knownLive` says is not erased (what
 * `erased` would answer false). The page path's usual case.
 */
export function resolveVisitorNow(
  ctx: DecisionContext,
  settings: EngineSettings,
  ring: KeyRing,
  erased?: ErasedCheck,
  mint: VisitorIdSource = newVisitorId,
  knownLive?: (id: string) => boolean,
): Visitor | Promise<Visitor> {
  const names = settings.cookies;
  const consent = resolveConsent(ctx, settings.consentMode, names.consent);
  const raw = ctx.cookies[names.id];
  const cookies: string[] = [];
  if (!consent.personalization) {
    if (raw !== undefined) cookies.push(clearCookie(names.id, settings.secureCookies));
    if (ctx.cookies[names.profile] !== undefined)
      cookies.push(clearCookie(names.profile, settings.secureCookies));
    return { id: undefined, consent, replaced: false, cookies };
  }
  // A cookie verified before is answered without a promise: one await less on every page.
  const checked = verifySignedIdNow(ring, raw);
  if (typeof checked === 'string' && knownLive?.(checked))
    return { id: checked, consent, replaced: false, cookies };
  return checkedVisitor(ctx, settings, ring, consent, checked, cookies, erased, mint);
}

/** The rest of `resolveVisitorNow`: the signature's answer awaited, the erasure asked, else a new id. */
async function checkedVisitor(
  ctx: DecisionContext,
  settings: EngineSettings,
  ring: KeyRing,
  consent: ResolvedConsent,
  checked: ReturnType<typeof verifySignedIdNow>,
  cookies: string[],
  erased: ErasedCheck | undefined,
  mint: VisitorIdSource,
): Promise<Visitor> {
  const names = settings.cookies;
  const raw = ctx.cookies[names.id];
  const verified = typeof checked === 'object' ? await checked : checked;
  if (verified && !(await erased?.(verified))) return { id: verified, consent, replaced: false, cookies };
  const id = mint();
  cookies.push(setCookie(names.id, await signId(ring, id), { secure: settings.secureCookies }));
  // A profile digest sealed for another (or an erased) id is useless now; drop it.
  if (ctx.cookies[names.profile] !== undefined)
    cookies.push(clearCookie(names.profile, settings.secureCookies));
  return { id, consent, replaced: raw !== undefined, cookies };
}

/** Mint an id for a visitor who just granted consent. */
export async function mintVisitor(
  settings: EngineSettings,
  ring: KeyRing,
  mint: VisitorIdSource = newVisitorId,
): Promise<{ id: string; cookie: string }> {
  const id = mint();
  return {
    id,
    cookie: setCookie(settings.cookies.id, await signId(ring, id), { secure: settings.secureCookies }),
  };
}
