/**
 * `/privacy/me`: the visitor's own access and erasure requests, authenticated
 * by their signed id cookie (nothing else: a visitor can only ever reach the
 * id the engine signed for them).
 *
 * | method | does                                                         |
 * |--------|--------------------------------------------------------------|
 * | GET    | `{ id, profile, links, events, consent }` held about them      |
 * | DELETE | erases all of it, everywhere, and clears the id/profile cookies |
 *
 * `DELETE /privacy/me/link` takes this browser out of the user it identified
 * as: the link goes, the user's profile no longer holds what this browser
 * did, and this browser's pages no longer reflect the user's other devices.
 *
 * Without a valid signed id the answer is 404 with a message and nothing
 * else: there is no id to look up, and a forged one does not verify.
 *
 * DELETE changes state on the strength of a cookie alone, so another site
 * must not be able to trigger it from the visitor's browser: it needs the
 * `X-Tessera-CSRF` header (a cross-origin page cannot send a custom header
 * without a CORS preflight, which is never granted) and no cross-site
 * `Origin` or `Sec-Fetch-Site` (403 otherwise).
 * @module
 */
import { parseCookies, type RequestLike } from '../context.js';
import type { EngineRoute, RouteContext } from '../engine-api.js';
import { isTesseraError, TesseraError } from '../errors.js';
import { clearCookie } from '../http/cookies.js';
import { encodePath } from '../http/path.js';
import { errorReply, jsonReply, type Reply } from '../http/reply.js';
import { CSRF_HEADER, crossSiteReason } from '../http/same-origin.js';

export const PRIVACY_PATH = '/privacy/me';
export const PRIVACY_LINK_PATH = '/privacy/me/link';

async function visitorOf(req: RequestLike, ctx: RouteContext): Promise<string> {
  const cookies = parseCookies(req.headers.get('cookie'));
  const id = await ctx.verifySignedId(cookies[ctx.settings.cookies.id]);
  if (!id)
    throw new TesseraError(404, '[tessera] [privacy] no data: this browser carries no valid visitor id');
  return id;
}

export async function handlePrivacyMe(req: RequestLike, ctx: RouteContext): Promise<Reply> {
  if (req.method !== 'GET' && req.method !== 'DELETE')
    throw new TesseraError(405, '[tessera] [privacy] use GET to see your data or DELETE to erase it');
  if (req.method === 'DELETE') refuseCrossSite(req);
  const id = await visitorOf(req, ctx);
  if (req.method === 'GET') return jsonReply(200, await ctx.profiles.export(id));
  const erased = await ctx.profiles.erase(id);
  const secure = ctx.settings.secureCookies;
  return jsonReply(200, { erased: true, ...erased }, [
    clearCookie(ctx.settings.cookies.id, secure),
    clearCookie(ctx.settings.cookies.profile, secure),
  ]);
}

/** `DELETE /privacy/me/link`: unlink this device from its user (linked-devices.ts). */
export async function handleUnlinkMe(req: RequestLike, ctx: RouteContext): Promise<Reply> {
  if (req.method !== 'DELETE')
    throw new TesseraError(405, '[tessera] [privacy] use DELETE to unlink this browser from your account');
  refuseCrossSite(req);
  const id = await visitorOf(req, ctx);
  const r = await ctx.profiles.unlink(id);
  // The digest cookie may carry a page decided on the user's profile: it goes too.
  return jsonReply(200, { unlinked: r.canonical !== undefined, otherDevices: r.devices }, [
    clearCookie(ctx.settings.cookies.profile, ctx.settings.secureCookies),
  ]);
}

function refuseCrossSite(req: RequestLike): void {
  const crossSite = crossSiteReason(req);
  if (crossSite !== undefined)
    throw new TesseraError(403, `[tessera] [privacy] cross-site erasure refused: ${crossSite}`);
  if (req.headers.get(CSRF_HEADER) === null)
    throw new TesseraError(403, `[tessera] [privacy] erasure needs the ${CSRF_HEADER} header`);
}

/** The route a runtime adds to `EnginePorts.routes`. */
export function privacyRoute(): EngineRoute {
  return {
    prefix: PRIVACY_PATH,
    async handle(req, ctx, path) {
      try {
        if (path === PRIVACY_LINK_PATH) return await handleUnlinkMe(req, ctx);
        if (path !== PRIVACY_PATH)
          throw new TesseraError(404, `[tessera] [privacy] no page ${encodePath(path)}`);
        return await handlePrivacyMe(req, ctx);
      } catch (e) {
        if (isTesseraError(e)) return errorReply(e);
        throw e;
      }
    },
  };
}
