/**
 * What the cluster tests start: Tessera nodes as child processes (the real
 * `tessera serve` through tsx), their own redis-server and nats-server on
 * spare ports, and a TCP proxy that can cut a node off from a server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
export const CLUSTER_SECRET = 'cluster-test-secret-cluster-test-secret-0123';
/** Lets the tests read each node's details on /health (dependencies, spool, bus counters). */
export const CLUSTER_ADMIN_TOKEN = 'cluster-test-admin-token-cluster-test-admin';

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
}

export interface NodeSpec {
  id: string;
  dataDir: string;
  store: string;
  bus?: string;
  log?: string;
  prefix: string;
  /** Fixed port, so a restarted node comes back where clients expect it (default: a free one). */
  port?: number;
}

export interface NodeProcess {
  readonly spec: NodeSpec;
  readonly url: string;
  readonly port: number;
  proc: ChildProcess;
  output: string[];
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), and wait for the exit. */
  stop(): Promise<void>;
  restart(): Promise<void>;
}

function spawnNode(spec: NodeSpec, port: number, output: string[]): ChildProcess {
  mkdirSync(spec.dataDir, { recursive: true });
  const args = ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve', '--port', String(port)];
  args.push('--node-id', spec.id, '--store', spec.store, '--prefix', spec.prefix, '--data-dir', spec.dataDir);
  if (spec.bus) args.push('--bus', spec.bus);
  if (spec.log) args.push('--log', spec.log);
  args.push('--test-endpoints');
  // Every test client shares 127.0.0.1: the per-IP limit is not what these tests are about.
  args.push('--ip-rate', '100000', '--visitor-rate', '100000');
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, TESSERA_SECRET: CLUSTER_SECRET, TESSERA_ADMIN_TOKEN: CLUSTER_ADMIN_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return proc;
}

async function untilListening(proc: ChildProcess, output: string[], id: string): Promise<void> {
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`node ${id} did not start in 30 s:\n${output.join('')}`)),
      30_000,
    );
    const onData = (d: Buffer) => {
      if (/\[tessera\] .* on http:\/\//.test(d.toString())) {
        clearTimeout(timer);
        proc.stdout?.off('data', onData);
        res();
      }
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`node ${id} exited with ${code}:\n${output.join('')}`));
    });
  });
}

const exited = (proc: ChildProcess) =>
  proc.exitCode !== null || proc.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => proc.once('exit', () => r()));

export async function startNode(spec: NodeSpec): Promise<NodeProcess> {
  const port = spec.port ?? (await freePort());
  const output: string[] = [];
  const node: NodeProcess = {
    spec,
    port,
    url: `http://127.0.0.1:${port}`,
    proc: spawnNode(spec, port, output),
    output,
    async kill() {
      node.proc.kill('SIGKILL');
      await exited(node.proc);
    },
    async stop() {
      node.proc.kill('SIGTERM');
      await Promise.race([exited(node.proc), sleep(5000)]);
      if (node.proc.exitCode === null) await node.kill();
    },
    async restart() {
      node.proc = spawnNode(spec, port, output);
      await untilListening(node.proc, output, spec.id);
    },
  };
  await untilListening(node.proc, output, spec.id);
  return node;
}

/**
 * A TCP proxy to `127.0.0.1:targetPort`; `cut()` drops every connection and
 * refuses new ones; `delay(ms)` holds every chunk that long in each direction.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  delay(ms: number): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let cut = false;
  let delayMs = 0;
  /** Same delay for every chunk, so timers fire in arrival order and the stream stays in order. */
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => {
      if (delayMs === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), delayMs);
    });
  const server: Server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    port,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      cut = false;
    },
    delay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A server process of our own (redis-server, nats-server) that the test may stop and start again. */
export interface ServiceProcess {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function ready(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      // A connection from the port to itself (TCP simultaneous open, possible when nothing
      // listens on a port in the ephemeral range) is not a server.
      const self = s.localPort === port;
      s.destroy();
      res(!self);
    });
    s.once('error', () => res(false));
  });
}

async function ownService(
  name: string,
  cmd: string,
  args: (port: number) => string[],
): Promise<ServiceProcess> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const start = async () => {
    const p = spawn(cmd, args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d) => {
      err += d.toString();
    });
    let exitedEarly: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
    const failed = new Promise<never>((_, rej) => {
      p.once('error', (e) =>
        rej(new Error(`cannot start ${name} (${cmd}): ${e.message}; is it installed?`, { cause: e })),
      );
      // Exited before it listened (port taken, data dir locked): say so, rather than let a
      // probe that reaches something else on the port pass it as ready.
      exitedEarly = (code, signal) =>
        rej(new Error(`${name} exited before it was ready on port ${port} (${signal ?? `code ${code}`})`));
      p.once('exit', exitedEarly);
    });
    proc = p;
    await Promise.race([
      failed,
      waitFor(`${name} on port ${port}`, async () => ((await ready(port)) ? true : undefined), 10_000),
    ])
      .catch((e: Error) => {
        throw new Error(`${e.message}\n${err}`, { cause: e });
      })
      .finally(() => {
        if (exitedEarly) p.off('exit', exitedEarly);
      });
  };
  await start();
  return {
    port,
    start,
    async stop() {
      if (!proc) return;
      const p = proc;
      proc = undefined;
      p.kill('SIGTERM');
      await Promise.race([exited(p), sleep(5000)]);
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGKILL');
        await exited(p);
      }
    },
  };
}

export function startRedisServer(dir: string): Promise<ServiceProcess> {
  mkdirSync(dir, { recursive: true });
  // Append-only with fsync on every write, so a stop and start keeps every acknowledged write.
  return ownService('redis-server', 'redis-server', (port) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
  ]);
}

export function startNatsServer(dir: string): Promise<ServiceProcess> {
  mkdirSync(dir, { recursive: true });
  return ownService('nats-server', 'nats-server', (port) => [
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    '-js',
    '-sd',
    dir,
  ]);
}

/**
 * Tear down what a Redis + NATS deployment under `prefix` left behind: its
 * JetStream log, every Redis key under the prefix, and the nodes' data dirs.
 */
export async function removeDeployment(o: {
  prefix: string;
  dir: string;
  natsServers: string;
  redisUrl: string;
}): Promise<void> {
  const { dropJetStreamLog } = await import('../../src/logs/jetstream.js');
  await dropJetStreamLog({ servers: o.natsServers, prefix: o.prefix }).catch(() => undefined);
  const { Redis } = await import('ioredis');
  const r = new Redis(o.redisUrl);
  const keys = await r.keys(`${o.prefix}:*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
  rmSync(o.dir, { recursive: true, force: true });
}
