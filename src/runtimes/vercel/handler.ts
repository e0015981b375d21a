/**
 * Tessera on Vercel Edge (and any edge runtime with `fetch` and no TCP):
 * the generic fetch handler with profiles in Redis over its REST protocol
 * (Vercel KV / Upstash: `KV_REST_API_URL` + `KV_REST_API_TOKEN`, or the
 * `UPSTASH_REDIS_REST_*` names), lol-html in WebAssembly as the
 * HTMLRewriter, the model artifact fetched once per isolate from
 * `TESSERA_MODEL_URL`, and events in the isolate's memory log
 * (deduplicated, counted; not durable). Without a REST endpoint, profiles
 * stay in the isolate's memory.
 * @module
 */
import { createRedisRestClient } from '../../connections/redis-rest.js';
import { createMemoryEventLog } from '../../logs/memory.js';
import { createRedisRestProfileStore } from '../../profiles/redis-rest.js';
import type { FetchHandler } from '../cloudflare/handler.js';
import { createEdgeHandler, type EdgeEnv, type EdgeSite } from '../edge/env-handler.js';
import { createNodeRewriter as wasmRewriter } from '../node/html-rewriter.js';

export interface VercelEdgeEnv extends EdgeEnv {
  KV_REST_API_URL?: string;
  KV_REST_API_TOKEN?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  TESSERA_REDIS_PREFIX?: string;
  TESSERA_MODEL_URL?: string;
}

export interface VercelEdgeHandlerOptions {
  /** `process.env` as Vercel gives it to an Edge Function. */
  env: VercelEdgeEnv;
  site: EdgeSite;
}

async function fetchModel(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`[tessera] [vercel] model ${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

export function createVercelEdgeHandler(o: VercelEdgeHandlerOptions): FetchHandler {
  const { env } = o;
  const url = env.KV_REST_API_URL ?? env.UPSTASH_REDIS_REST_URL;
  const token = env.KV_REST_API_TOKEN ?? env.UPSTASH_REDIS_REST_TOKEN;
  const modelUrl = env.TESSERA_MODEL_URL;
  return createEdgeHandler({
    env,
    site: o.site,
    node: 'vercel',
    ...(modelUrl ? { model: () => fetchModel(modelUrl) } : {}),
    ports: (codec) => ({
      ...(url && token
        ? {
            profiles: createRedisRestProfileStore({
              client: createRedisRestClient({ url, token }),
              ...(env.TESSERA_REDIS_PREFIX ? { prefix: env.TESSERA_REDIS_PREFIX } : {}),
              ...(codec ? { codec } : {}),
            }),
          }
        : {}),
      events: createMemoryEventLog(),
      rewriter: wasmRewriter,
    }),
  });
}
