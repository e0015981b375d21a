/**
 * GET of a site page: context → identity → profile → segments → slot rules
 * and recommendations → assembly from the variant's cached shell. The shell
 * (the page with its variant slots filled) is built once per variant key by
 * the HTMLRewriter; per request only the visitor's holes are filled.
 * @module
 */
import { buildShell, type Shell } from '../assemble/index.js';
import { tooVariedToShare } from '../cache/index.js';
import type { RequestLike } from '../context.js';
import { isPromise } from '../maybe-promise.js';
import type { RequestTrace } from '../tracer.js';
import type { Decision } from '../types.js';
import { setCookie } from './cookies.js';
import { decideRequestNow, type RequestDecision } from './decide-request.js';
import type { EngineState } from './engine-state.js';
import { pageBody } from './page-body.js';
import { htmlHeaders, variantHeaderPreset } from './page-headers.js';
import { PageReply } from './page-reply.js';
import { tracePage } from './page-trace.js';
import { encodePath } from './path.js';
import { renderPage } from './recommendation-html.js';
import { jsonReply, type Reply } from './reply.js';
import { printable, Timing } from './server-timing.js';

// Where engine.ts, the debug route and the public types have always found them.
export { type DecideOptions, decideRequest, type RequestDecision } from './decide-request.js';

/**
 * Not async: a page whose decision and shell need no wait (the usual case)
 * is made in one go, and only the steps that wait are chained.
 */
export function handlePage(req: RequestLike, s: EngineState, trace?: RequestTrace): Reply | Promise<Reply> {
  const t = new Timing(s.perf);
  const rd = decideRequestNow(req, s, t);
  return isPromise(rd) ? rd.then((d) => pageFor(req, s, trace, t, d)) : pageFor(req, s, trace, t, rd);
}

function pageFor(
  req: RequestLike,
  s: EngineState,
  trace: RequestTrace | undefined,
  t: Timing,
  rd: RequestDecision,
): Reply | Promise<Reply> {
  const { ctx, visitor, decision } = rd;
  const now = ctx.now;
  s.observer.segments(decision.segments, visitor.id);

  // The origin is asked only when this variant's shell is missing or stale.
  const shellKey = decision.cacheKey;
  const cached = s.shells.get(shellKey);
  if (cached && now - cached.builtAt < s.shellTtlMs) return assemble(s, trace, t, rd, cached.shell);
  return fromOrigin(req, s, trace, t, rd, shellKey);
}

/** The variant's shell missing or stale: the origin's page, built into a shell, then the page. */
async function fromOrigin(
  req: RequestLike,
  s: EngineState,
  trace: RequestTrace | undefined,
  t: Timing,
  rd: RequestDecision,
  shellKey: string,
): Promise<Reply> {
  const { ctx, visitor, decision } = rd;
  const cookies = visitor.cookies;
  const page = s.origin ? await s.origin.render(encodePath(ctx.path), req) : undefined;
  t.step('origin');
  if (!page) return jsonReply(404, { error: `[tessera] no page at ${encodePath(ctx.path)}`, status: 404 });
  if (!('html' in page)) return { status: page.status, headers: page.headers, cookies, body: page.body };
  if (page.status !== 200) {
    return {
      status: page.status,
      headers: htmlHeaders({ 'cache-control': 'no-store' }),
      cookies,
      body: page.html,
    };
  }
  const shell = await buildVariantShell(shellKey, page.html, decision, s, ctx.now);
  return assemble(s, trace, t, rd, shell);
}

/** The visitor's page from the variant's shell: holes filled, digest cookie sealed, headers set. */
function assemble(
  s: EngineState,
  trace: RequestTrace | undefined,
  t: Timing,
  rd: RequestDecision,
  shell: Shell,
): Reply | Promise<Reply> {
  const { ctx, visitor, ownProfile, segments, decision, item } = rd;
  const now = ctx.now;
  const cookies = visitor.cookies;
  for (const slot in decision.recommendations) {
    const n = decision.recommendations[slot]!.length;
    if (n > 0) s.observer.impression(slot, n);
  }
  const body = pageBody({
    visitorId: visitor.id,
    shell,
    decision,
    recSlots: s.compiled.recSlots,
    memo: s.memo,
    renderer: s.compiled,
    tiles: s.tiles,
    render: () => renderPage(shell, decision, s),
  });
  t.step('assemble');

  // The digest carries the device's own profile: a linked view in it would count the other devices twice.
  if (visitor.id && item && ownProfile) {
    const entry = { profile: ownProfile, changedAt: now };
    return s.profiles.sealDigest(visitor.id, entry, segments).then((sealed) => {
      cookies.push(setCookie(s.settings.cookies.profile, sealed, { secure: s.settings.secureCookies }));
      return reply(s, trace, t, rd, body);
    });
  }
  return reply(s, trace, t, rd, body);
}

function reply(
  s: EngineState,
  trace: RequestTrace | undefined,
  t: Timing,
  rd: RequestDecision,
  body: Reply['body'],
): Reply {
  const { ctx, visitor, profileSource, decision } = rd;
  // Shared only when made from the request alone, and not from its referrer.
  const perVisitor = visitor.id !== undefined || tooVariedToShare(decision.contextFields, ctx);
  // Per request, only Server-Timing (and the cookies) is new: the variant's header lines are ready.
  const preset = variantHeaderPreset(perVisitor, decision, s);
  const serverTiming = `${t.header()}, profile-src;desc="${profileSource}"`;
  s.experiments.monitor.decision(t.total(), visitor.id, decision.segments);
  t.eachStep((stage, ms) => {
    s.observer.stage(stage, ms / 1000);
  });
  if (trace) tracePage(trace, t, decision, profileSource);
  // Step names and the profile source printable: the line is too, and goes out without a scan.
  const checked = t.printable() && printable(profileSource);
  return new PageReply(preset, serverTiming, visitor.cookies, body, checked);
}

/** Build a variant's shell once, even when many requests miss at the same time. */
function buildVariantShell(
  key: string,
  html: string,
  decision: Decision,
  s: EngineState,
  now: number,
): Promise<Shell> {
  const variant: Record<string, string> = {};
  for (const [slot, contentId] of Object.entries(decision.content)) {
    const fragment = s.compiled.site.content?.[contentId];
    if (fragment !== undefined) variant[slot] = fragment;
  }
  // No reuse (framework middleware): the page is this request's own, it may
  // carry what the framework rendered for this visitor; never shared, never kept.
  if (s.shellTtlMs <= 0) return buildShell(html, { variant, holes: s.compiled.recSlots }, s.rewriter);
  const pending = s.shellBuilds.get(key);
  if (pending) return pending;
  const build = buildShell(html, { variant, holes: s.compiled.recSlots }, s.rewriter)
    .then((shell) => {
      s.shells.set(key, { shell, builtAt: now });
      return shell;
    })
    .finally(() => s.shellBuilds.delete(key));
  s.shellBuilds.set(key, build);
  return build;
}
