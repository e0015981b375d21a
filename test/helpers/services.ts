/**
 * Tests that need Redis or NATS talk to the real server on this machine. When
 * it is not there they fail (never skip) with a message that says how to start it.
 */
import { connect } from 'node:net';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const NATS_SERVERS = '127.0.0.1:4222';

const START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';
const START_NATS =
  'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log';

/** Sends `probe` and resolves with the first bytes the server answers, or rejects. */
function ask(port: number, probe: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer'));
    }, timeoutMs);
    socket.once('connect', () => socket.write(probe));
    socket.once('data', (data) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

async function requireService(name: string, port: number, probe: string, expect: RegExp, start: string) {
  let answer: string;
  try {
    answer = await ask(port, probe);
  } catch (e) {
    throw new Error(`${name} is not answering on 127.0.0.1:${port}: start it with \`${start}\``, {
      cause: e,
    });
  }
  if (!expect.test(answer)) {
    throw new Error(
      `${name} on 127.0.0.1:${port} answered ${JSON.stringify(answer.slice(0, 80))}: start it with \`${start}\``,
    );
  }
}

export function requireRedis(): Promise<void> {
  return requireService('Redis', 6379, 'PING\r\n', /^\+PONG/, START_REDIS);
}

/** NATS greets every client with INFO; JetStream must be on (`"jetstream":true`). */
export function requireNats(): Promise<void> {
  return requireService('NATS with JetStream', 4222, '', /^INFO .*"jetstream":true/, START_NATS);
}

/** A prefix no other test run shares, so runs never see each other's keys or streams. */
export function uniquePrefix(tag: string): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${tag}`;
}
