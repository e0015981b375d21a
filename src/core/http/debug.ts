/**
 * The decision trace over HTTP: a page request that asks for it
 * (`X-Tessera-Debug: 1`, or `?tessera-debug` in the URL) and that the host
 * lets through (`EnginePorts.canDebug`: an admin token with `read:debug`)
 * gets, instead of the page, the decision behind it as JSON. Anyone else
 * gets the page as if they had not asked: a refusal would tell a visitor the
 * switch exists.
 *
 * Who may ask is the host's to say (the core knows nothing of admin
 * tokens), and the answer is never stored by a shared cache: it is about
 * one visitor and names the site's rules.
 * @module
 */
import type { RequestLike } from '../context.js';
import type { TraceEntry } from '../types.js';
import type { EngineState } from './engine-state.js';
import { decideRequest, type RequestDecision } from './page.js';
import { jsonReply, type Reply } from './reply.js';

export const DEBUG_HEADER = 'x-tessera-debug';
export const DEBUG_QUERY = 'tessera-debug';

/** Whether the request asks for the trace (cheap: a header and a substring, checked before any auth). */
export function asksForDebug(req: RequestLike): boolean {
  if (req.headers.get(DEBUG_HEADER) === '1') return true;
  const q = req.url.indexOf('?');
  if (q < 0 || !req.url.includes(DEBUG_QUERY, q)) return false;
  return new URL(req.url, 'http://x').searchParams.has(DEBUG_QUERY);
}

/** The page's decision with its full trace, as JSON for one operator's eyes. */
export async function debugReply(req: RequestLike, s: EngineState): Promise<Reply> {
  const rd = await decideRequest(req, s, undefined, { trace: true });
  const reply = jsonReply(200, debugDocument(rd, s));
  // Private and never stored, and a cache that keys on the URL alone must still tell it from the page.
  reply.headers['cache-control'] = 'no-store, private';
  reply.headers.vary = 'Authorization, X-Tessera-Debug';
  return reply;
}

function dataOf(trace: readonly TraceEntry[], step: string): Record<string, unknown> | undefined {
  return trace.find((e) => e.step === step)?.data;
}

/** The model version the recommendation steps name, when any ran. */
function decidingModel(trace: readonly TraceEntry[]): string | undefined {
  for (const e of trace) {
    const model = e.step.startsWith('recs:') ? e.data?.model : undefined;
    if (typeof model === 'string') return model;
  }
  return undefined;
}

/** `key=arm (why)` as the experiment step writes it. */
function armEntry(detail: string): { experiment: string; arm: string; why: string } {
  const m = /^(.*?)=(.*?)(?: \((\w+)\))?$/.exec(detail);
  const why = m?.[3] ?? 'assigned';
  return { experiment: m?.[1] ?? detail, arm: m?.[2] ?? '', why: WHY[why] ?? why };
}

const WHY: Record<string, string> = {
  new: 'new: bucketed by the visitor id now (counted as an exposure)',
  sticky: 'sticky: the arm this visitor was shown before',
  promoted: 'promoted: every visitor sees this arm',
};

export function debugDocument(rd: RequestDecision, s: EngineState): Record<string, unknown> {
  const { ctx, visitor, profile, decision } = rd;
  const trace = decision.trace;
  const site = s.compiled.site;
  const assigned = trace.filter((e) => e.step === 'experiment').map((e) => armEntry(e.detail));
  const experiments = (site.experiments ?? []).map((exp) => {
    const a = assigned.find((x) => x.experiment === exp.key);
    if (a) return a;
    const why =
      exp.status === 'paused'
        ? 'paused'
        : visitor.id === undefined
          ? 'not assigned: no personalization consent, so no id to bucket'
          : 'not assigned: outside its targeting or traffic share';
    return { experiment: exp.key, arm: null, why };
  });
  const content = s.compiled.contentSlots.map((slot) => ({
    slot,
    content: decision.content[slot] ?? null,
    ...dataOf(trace, `slot:${slot}`),
  }));
  const recommendations = s.compiled.recSlots.map((slot) => ({
    slot,
    ...(dataOf(trace, `recs:${slot}`) ?? {
      items: decision.recommendations[slot] ?? [],
      note: 'no model loaded',
    }),
  }));
  return {
    path: ctx.path,
    context: {
      device: ctx.device,
      country: ctx.country ?? null,
      region: ctx.region ?? null,
      language: ctx.language ?? null,
      timezone: ctx.timezone ?? null,
      localHour: ctx.localHour,
      referrerHost: ctx.referrerHost ?? null,
      utm: ctx.utm,
      gpc: ctx.gpc,
      dnt: ctx.dnt,
    },
    profile: {
      source: rd.profileSource,
      consent: visitor.consent,
      personalized: decision.personalized,
      listsForVisitor: decision.listsForVisitor,
      recentItems: profile?.recent.length ?? 0,
    },
    segments: (dataOf(trace, 'segments')?.matched as unknown[] | undefined) ?? [],
    experiments,
    content,
    recommendations,
    // The model that decided: the candidate's for a canary visitor (its recs entries say so), else production's.
    model: decidingModel(trace) ?? s.model.artifact?.version ?? null,
    variant: decision.cacheKey,
    contextFields: decision.contextFields,
    trace: trace.map(({ step, detail }) => ({ step, detail })),
  };
}
