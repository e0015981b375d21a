/**
 * The NATS drivers against the real NATS with JetStream on 127.0.0.1:4222:
 * the JetStream event log through the shared suite, the core-subject bus
 * through the bus suite, and the cases only JetStream has.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus } from '../../src/bus/nats.js';
import { DependencyDownError } from '../../src/connections/status.js';
import { createJetStreamLog, dropJetStreamLog } from '../../src/logs/jetstream.js';
import { NATS_SERVERS, requireNats, uniquePrefix } from '../helpers/services.js';
import { testBus } from './bus.js';
import { testEventLog } from './event-log.js';
import { logged } from './fixtures.js';

beforeAll(async () => {
  await requireNats();
});

const prefixFor = () => uniquePrefix('').replace(/[^A-Za-z0-9_-]/g, '');

testEventLog('jetstream', async () => {
  const prefix = prefixFor();
  const events = await createJetStreamLog({ servers: NATS_SERVERS, prefix });
  return {
    events,
    async cleanup() {
      await events.close();
      await dropJetStreamLog({ servers: NATS_SERVERS, prefix });
    },
  };
});

testBus('nats', async () => {
  const prefix = `${prefixFor()}.bus`;
  const a = await createNatsBus({ servers: NATS_SERVERS, prefix });
  const b = await createNatsBus({ servers: NATS_SERVERS, prefix });
  return {
    a,
    b,
    async cleanup() {
      await a.close();
      await b.close();
    },
  };
});

describe('jetstream event log', () => {
  it('still skips a duplicate after the duplicate window, from another connection', async () => {
    const prefix = prefixFor();
    const first = await createJetStreamLog({ servers: NATS_SERVERS, prefix });
    await first.append([logged('v1', 'e1'), logged('v2', 'e1')]);
    // A second node has no memory of the first's msgIDs; the subject check still holds.
    const second = await createJetStreamLog({ servers: NATS_SERVERS, prefix });
    expect(await second.append([logged('v1', 'e1'), logged('v1', 'e2')])).toEqual([
      expect.objectContaining({ visitor: 'v1', id: 'e2' }),
    ]);
    expect(await second.count()).toBe(3);
    await first.close();
    await second.close();
    await dropJetStreamLog({ servers: NATS_SERVERS, prefix });
  });

  it('lets two nodes append the same events at once: each lands once', async () => {
    const prefix = prefixFor();
    const a = await createJetStreamLog({ servers: NATS_SERVERS, prefix });
    const b = await createJetStreamLog({ servers: NATS_SERVERS, prefix });
    const batch = Array.from({ length: 40 }, (_, i) => logged(`v${i % 4}`, `e${i}`));
    const [fromA, fromB] = await Promise.all([a.append(batch), b.append(batch)]);
    expect(fromA.length + fromB.length).toBe(40);
    expect(await a.count()).toBe(40);
    await a.close();
    await b.close();
    await dropJetStreamLog({ servers: NATS_SERVERS, prefix });
  });

  it('fails fast with "connection refused" and the address when nothing listens', async () => {
    const log = await createJetStreamLog({ servers: '127.0.0.1:4299', prefix: prefixFor() });
    const bus = await createNatsBus({ servers: '127.0.0.1:4299', prefix: 'x' });
    expect(log.status()).toBe('down');
    const error = await log.append([logged('v1', 'e1')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyDownError);
    expect((error as Error).message).toBe('[tessera] [nats] connection refused (127.0.0.1:4299)');
    expect((error as Error).cause).toBeDefined();
    await expect(bus.publish('deltas', new Uint8Array(1))).rejects.toThrow(
      '[tessera] [nats] connection refused (127.0.0.1:4299)',
    );
    await log.close();
    await bus.close();
  });

  it('refuses a prefix that is not one subject token', async () => {
    await expect(createJetStreamLog({ prefix: 'a.b' })).rejects.toThrow(
      /\[tessera\] \[nats\] invalid prefix "a.b"/,
    );
  });
});

describe('jetstream retention', () => {
  it('creates the stream with the configured maximum age, so old events expire on the server', async () => {
    const prefix = uniquePrefix('age');
    const day = 86_400_000;
    const log = await createJetStreamLog({ servers: NATS_SERVERS, prefix, maxAgeMs: 30 * day });
    try {
      await log.append([logged('v1', 'e1')]);
      const { connect } = await import('@nats-io/transport-node');
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: NATS_SERVERS });
      const info = await (await jetstreamManager(nc)).streams.info(`${prefix}-events`);
      await nc.close();
      expect(info.config.max_age).toBe(30 * day * 1_000_000);
    } finally {
      await log.close();
      await dropJetStreamLog({ servers: NATS_SERVERS, prefix });
    }
  });
});
