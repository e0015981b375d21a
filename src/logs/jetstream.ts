/**
 * The event log on NATS JetStream: one stream per deployment, at-least-once
 * (`append` resolves only after the server acknowledged every new event),
 * deduplicated by (visitor, event id) for as long as the event is in the log.
 *
 * Subjects are `<prefix>.events.<visitorHash>.<eventHash>` (SHA-256, hex):
 * - dedupe: each event is published with `Nats-Expected-Last-Subject-Sequence: 0`,
 *   so the server refuses a second message on the same subject, atomically, at
 *   any age; the `msgID` (`<visitorHash>:<eventHash>`) also lets the duplicate
 *   window (2 min) answer a quick retry without that check. An event erased by
 *   `deleteVisitor` may be appended again, as with the other logs.
 * - erasure: `deleteVisitor` purges `<prefix>.events.<visitorHash>.>`.
 * - cost: JetStream indexes every subject, so memory grows with the number of
 *   events kept (tens of bytes each); bound the log with `maxAgeMs`.
 * The cursor is the stream sequence, which the server never reuses.
 * @module
 */
import { createHash } from 'node:crypto';
import type { JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
import { type NatsConnectionOptions, natsError, openNats } from '../connections/nats.js';
import type { ConnectionState } from '../connections/status.js';
import type { TesseraError } from '../core/errors.js';
import type { EventLog } from '../core/ports.js';
import type { LoggedEvent } from '../core/types.js';

export interface JetStreamLogOptions extends NatsConnectionOptions {
  /** Subject prefix and stream name stem, one per deployment (default `tessera`). */
  prefix?: string;
  /** Drop events older than this (default 0: keep them). */
  maxAgeMs?: number;
  /** How long to wait for each acknowledgement (default 5000 ms). */
  ackTimeoutMs?: number;
}

export type JetStreamLog = EventLog & ConnectionState;

/** The server's answer when a message already exists on the subject. */
const WRONG_LAST_SEQUENCE = 10071;
const STREAM_NOT_FOUND = 10059;

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

interface Api {
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export async function createJetStreamLog(opts: JetStreamLogOptions = {}): Promise<JetStreamLog> {
  const prefix = opts.prefix ?? 'tessera';
  if (!/^[A-Za-z0-9_-]+$/.test(prefix))
    throw natsError(`invalid prefix ${JSON.stringify(prefix)}: use [A-Za-z0-9_-]`);
  const stream = `${prefix}-events`;
  const root = `${prefix}.events`;
  const handle = openNats(opts);
  await handle.settled();
  const ackTimeout = opts.ackTimeoutMs ?? 5000;
  let api: Promise<Api> | undefined;
  let closed = false;

  const translate = (op: string, e: unknown): TesseraError => handle.failure(op, e);

  /** The clients, and the stream made sure of once per connection (again after a failure). */
  const ready = async (op: string): Promise<Api> => {
    if (closed) throw natsError(`${op}: the event log is closed`);
    const nc = await handle.get(op);
    api ??= (async () => {
      const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
      const jsm = await jetstreamManager(nc);
      try {
        await jsm.streams.info(stream);
      } catch (e) {
        if ((e as { code?: number }).code !== STREAM_NOT_FOUND) throw e;
        await jsm.streams.add({
          name: stream,
          subjects: [`${root}.>`],
          max_age: Math.max(0, opts.maxAgeMs ?? 0) * 1_000_000,
        });
      }
      return { js: jetstream(nc), jsm };
    })().catch((e) => {
      api = undefined;
      throw e;
    });
    try {
      return await api;
    } catch (e) {
      throw translate(op, e);
    }
  };

  const publishOne = async ({ js }: Api, e: LoggedEvent): Promise<boolean> => {
    const vh = hash(e.visitor);
    const eh = hash(e.id);
    try {
      const ack: PubAck = await js.publish(`${root}.${vh}.${eh}`, JSON.stringify(e), {
        msgID: `${vh}:${eh}`,
        expect: { lastSubjectSequence: 0 },
        timeout: ackTimeout,
      });
      return !ack.duplicate;
    } catch (err) {
      if ((err as { code?: number }).code === WRONG_LAST_SEQUENCE) return false;
      throw err;
    }
  };

  return {
    name: 'jetstream',
    status: () => (closed ? 'down' : handle.status()),
    onStatus: (listener) => handle.onStatus(listener),
    async append(events) {
      if (events.length === 0) return [];
      const a = await ready('append');
      // A duplicate inside the batch: keep the first, as the server would.
      const seen = new Set<string>();
      const unique = events.filter((e) => {
        const key = JSON.stringify([e.visitor, e.id]);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      // All in flight at once on one connection: the server keeps their order.
      const results = await Promise.allSettled(unique.map((e) => publishOne(a, e)));
      const failed = results.find((r) => r.status === 'rejected');
      // The caller retries the batch; what did land is then skipped as a duplicate.
      if (failed) throw translate('append', failed.reason);
      return unique.filter((_, i) => (results[i] as PromiseFulfilledResult<boolean>).value);
    },
    async read(after, limit) {
      const { js, jsm } = await ready('read');
      const from = Math.max(0, Math.floor(after));
      if (limit <= 0) return { events: [], cursor: from };
      try {
        const info = await jsm.streams.info(stream);
        if (info.state.messages === 0 || info.state.last_seq <= from) return { events: [], cursor: from };
        const { AckPolicy, DeliverPolicy } = await import('@nats-io/jetstream');
        const ci = await jsm.consumers.add(stream, {
          ack_policy: AckPolicy.None,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: from + 1,
          inactive_threshold: 30_000_000_000,
          mem_storage: true,
        });
        try {
          const want = Math.min(Math.floor(limit), ci.num_pending);
          const events: LoggedEvent[] = [];
          let cursor = from;
          if (want > 0) {
            const consumer = await js.consumers.get(stream, ci.name);
            const batch = await consumer.fetch({ max_messages: want, expires: 2000 });
            for await (const m of batch) {
              events.push(m.json<LoggedEvent>());
              cursor = m.seq;
              if (events.length >= want) break;
            }
          }
          return { events, cursor };
        } finally {
          await jsm.consumers.delete(stream, ci.name).catch(() => undefined);
        }
      } catch (e) {
        throw translate('read', e);
      }
    },
    async deleteVisitor(visitor) {
      const { jsm } = await ready('deleteVisitor');
      try {
        const r = await jsm.streams.purge(stream, { filter: `${root}.${hash(visitor)}.>` });
        return r.purged;
      } catch (e) {
        throw translate('deleteVisitor', e);
      }
    },
    async count() {
      const { jsm } = await ready('count');
      try {
        return (await jsm.streams.info(stream)).state.messages;
      } catch (e) {
        throw translate('count', e);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/** Deletes a deployment's stream and everything in it (tests, teardown). */
export async function dropJetStreamLog(opts: JetStreamLogOptions = {}): Promise<void> {
  const handle = openNats(opts);
  try {
    const nc = await handle.get('drop');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`${opts.prefix ?? 'tessera'}-events`).catch(() => false);
  } finally {
    await handle.close();
  }
}
