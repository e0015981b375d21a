/**
 * The demo shop Worker exactly as deployed, plus what the tests need and
 * production does not have:
 *
 * - `GET /__test/events` answers how many events the isolate's event log
 *   forwarded (a queue cannot be counted from outside);
 * - `POST /__test/enqueue` sends its JSON body to the event queue as is (a
 *   redelivery, a message for a visitor the edge never saw);
 * - `GET /__test/profile?visitor=` answers the stored profile (decrypted);
 * - `GET /__test/drained` answers whether every message this isolate sent
 *   to the queue has been consumed and acked (the consumer alone writes
 *   profiles, so a test that counts stored profiles waits for it);
 * - the queue consumer runs over a KV namespace whose first write of the
 *   profile of a visitor named `fail-once-*` fails, to show the retry.
 */
import worker from '../../examples/cloudflare/worker.js';
import {
  atRestCodecFromEnv,
  createKvProfileStore,
  type ExecutionContextLike,
  type KVNamespaceLike,
  type QueueBatchLike,
  type QueueLike,
  type QueueMessage,
  type TesseraEnv,
} from '../../src/runtimes/cloudflare/index.js';
import { engineStores } from '../helpers/engine-ports.js';

export { TesseraLedger, TesseraProfiles } from '../../examples/cloudflare/worker.js';

const failed = new Set<string>();
const queued = { sent: 0, acked: 0 };

/** The queue binding, counting what is sent through it. */
function counted(env: TesseraEnv): TesseraEnv {
  const q = env.TESSERA_EVENTS;
  if (!q) return env;
  const events: QueueLike<QueueMessage> = {
    send: (body) => {
      queued.sent++;
      return q.send(body);
    },
    sendBatch: (messages) => {
      const list = [...messages];
      queued.sent += list.length;
      return q.sendBatch(list);
    },
  };
  return { ...env, TESSERA_EVENTS: events };
}

function failingOnce(kv: KVNamespaceLike): KVNamespaceLike {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === 'put') {
        const put: KVNamespaceLike['put'] = (key, value, options) => {
          if (key.startsWith('p:fail-once-') && !failed.has(key)) {
            failed.add(key);
            return Promise.reject(new Error('injected KV failure'));
          }
          return target.put(key, value, options);
        };
        return put;
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export default {
  async fetch(request: Request, env: TesseraEnv, ctx: ExecutionContextLike): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/__test/events') {
      const engine = await worker.engine(env);
      return Response.json({ count: await engineStores(engine).events.count() });
    }
    if (url.pathname === '/__test/drained')
      return Response.json({ drained: queued.sent === queued.acked, ...queued });
    if (url.pathname === '/__test/enqueue') {
      await counted(env).TESSERA_EVENTS!.sendBatch(
        ((await request.json()) as QueueMessage[]).map((body) => ({ body })),
      );
      return new Response(null, { status: 204 });
    }
    if (url.pathname === '/__test/profile') {
      const codec = atRestCodecFromEnv(env);
      const store = createKvProfileStore({ kv: env.TESSERA_KV!, ...(codec ? { codec } : {}) });
      return Response.json((await store.get(url.searchParams.get('visitor') ?? '')) ?? null);
    }
    return worker.fetch(request, counted(env), ctx);
  },
  async queue(batch: QueueBatchLike<QueueMessage>, env: TesseraEnv, ctx: ExecutionContextLike) {
    // Acks counted, so `/__test/drained` can tell when everything sent was consumed.
    const messages = batch.messages.map((m) => ({
      id: m.id,
      body: m.body,
      ...(m.attempts !== undefined ? { attempts: m.attempts } : {}),
      ack: () => {
        queued.acked++;
        m.ack();
      },
      retry: (o?: { delaySeconds?: number }) => m.retry(o),
    }));
    return worker.queue(
      { queue: batch.queue, messages },
      { ...env, TESSERA_KV: failingOnce(env.TESSERA_KV!) },
      ctx,
    );
  },
};
