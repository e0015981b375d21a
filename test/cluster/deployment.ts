/**
 * The start-up and teardown the multi-node cluster tests share: a temp dir
 * and a key prefix of the deployment's own, Redis and NATS (the machine's
 * servers, or a redis-server and a nats-server of the test's own that it may
 * stop and start), every node started at once with its store on that Redis
 * and its bus and event log on that NATS; then the nodes stopped and what
 * they left removed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATS_SERVERS, REDIS_URL, requireNats, requireRedis, uniquePrefix } from '../helpers/services.js';
import {
  type NodeProcess,
  type NodeSpec,
  removeDeployment,
  type ServiceProcess,
  startNatsServer,
  startNode,
  startRedisServer,
} from './launcher.js';

export interface ClusterDeployment {
  /** The temp dir: node data dirs (`<dir>/<id>`) and, with own servers, theirs. */
  readonly dir: string;
  /** The key prefix (Redis keys, JetStream stream) of this deployment alone. */
  readonly prefix: string;
  /** What `start` started, in the order of its ids. */
  readonly nodes: NodeProcess[];
  /** Where the nodes keep profiles, and their NATS (`host:port`); known once `start` resolves. */
  readonly redisUrl: string;
  readonly natsServers: string;
  /** The deployment's own servers (with `ownServers`), once `start` resolves. */
  readonly servers: { redis: ServiceProcess; nats: ServiceProcess } | undefined;
  /**
   * Starts the services (checks the machine's or spawns its own), then the nodes `ids` together;
   * `override` changes a node's spec (another NATS address, a fixed port).
   */
  start(ids: string[], override?: (id: string) => Partial<NodeSpec>): Promise<NodeProcess[]>;
  /** Stops every node, then removes the deployment: its servers and dir, or on the machine's servers its keys, log and dir. */
  stop(): Promise<void>;
}

/** `name` names the temp dir and tags the prefix. Call it at describe time: `dir` and `prefix` are there at once. */
export function clusterDeployment(name: string, o: { ownServers?: boolean } = {}): ClusterDeployment {
  const dir = mkdtempSync(join(tmpdir(), `tessera-${name}-`));
  const prefix = uniquePrefix(name).replace(/[^A-Za-z0-9_-]/g, '');
  const nodes: NodeProcess[] = [];
  let servers: { redis: ServiceProcess; nats: ServiceProcess } | undefined;

  const deployment: ClusterDeployment = {
    dir,
    prefix,
    nodes,
    get redisUrl() {
      return servers ? `redis://127.0.0.1:${servers.redis.port}` : REDIS_URL;
    },
    get natsServers() {
      return servers ? `127.0.0.1:${servers.nats.port}` : NATS_SERVERS;
    },
    get servers() {
      return servers;
    },
    async start(ids, override) {
      if (o.ownServers) {
        const [redis, nats] = await Promise.all([
          startRedisServer(join(dir, 'redis')),
          startNatsServer(join(dir, 'nats')),
        ]);
        servers = { redis, nats };
      } else {
        await requireRedis();
        await requireNats();
      }
      const spec = (id: string): NodeSpec => ({
        id,
        dataDir: join(dir, id),
        store: deployment.redisUrl,
        bus: `nats://${deployment.natsServers}`,
        log: `nats://${deployment.natsServers}`,
        prefix,
        ...override?.(id),
      });
      nodes.push(...(await Promise.all(ids.map((id) => startNode(spec(id))))));
      return nodes;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      if (servers) {
        await Promise.all([servers.redis.stop(), servers.nats.stop()]);
        rmSync(dir, { recursive: true, force: true });
      } else {
        await removeDeployment({ prefix, dir, natsServers: NATS_SERVERS, redisUrl: REDIS_URL });
      }
    },
  };
  return deployment;
}
