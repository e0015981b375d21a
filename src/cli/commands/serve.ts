/**
 * `tessera dev` (the demo shop) and `tessera serve` (a node). `serve` takes
 * its settings from flags, environment variables and a JSON config file, in
 * that order of precedence (see runtimes/node/config.ts).
 */
import type { Command } from 'commander';
import type { LimitSettings } from '../../core/limits/index.js';
import { createNodeApp } from '../../runtimes/node/app.js';
import {
  configFromEnv,
  type NodeConfig,
  type RawConfig,
  readConfigFile,
  resolveNodeConfig,
} from '../../runtimes/node/config.js';
import { consoleLogger } from '../../runtimes/node/logger.js';
import { guardProcess } from '../../runtimes/node/process-guards.js';
import { consentMode, envPort, port } from '../options.js';

async function serve(c: NodeConfig): Promise<void> {
  const logger = consoleLogger('info');
  // A serving node logs what escaped every handler instead of exiting on it.
  guardProcess(logger);
  const app = await createNodeApp({
    logger,
    dataDir: c.dataDir,
    nodeId: c.nodeId,
    consentMode: c.consent,
    secureCookies: c.secureCookies,
    store: c.store,
    ...(c.secret ? { secret: c.secret } : {}),
    ...(c.keys ? { keys: c.keys } : {}),
    ...(c.keyCurrent ? { keyCurrent: c.keyCurrent } : {}),
    ...(c.site ? { siteDir: c.site } : {}),
    cluster: { bus: c.bus, log: c.log, prefix: c.prefix, testEndpoints: c.testEndpoints },
    limits: limitsOf(c),
  });
  const bound = await app.listen(c.port, c.host);
  const host = c.host === '0.0.0.0' ? 'localhost' : c.host;
  const h = app.engine.health();
  console.log(
    `[tessera] ${app.engine.settings.siteName} on http://${host}:${bound} (node ${c.nodeId}, store ${h.store}, log ${h.log}, bus ${c.bus ?? 'none'}, model ${h.model ?? 'none'})`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** `/collect` rate limits from the config: a rate of N per second allows bursts of 2N. */
function limitsOf(c: NodeConfig): Partial<LimitSettings> {
  const out: Partial<LimitSettings> = {};
  if (c.ipRate !== undefined) out.perIp = { rate: c.ipRate, burst: 2 * c.ipRate };
  if (c.visitorRate !== undefined) out.perVisitor = { rate: c.visitorRate, burst: 2 * c.visitorRate };
  if (c.trustedIpHeader !== undefined) out.trustedIpHeader = c.trustedIpHeader;
  if (c.allowedOrigins !== undefined) out.allowedOrigins = c.allowedOrigins.split(',').map((o) => o.trim());
  return out;
}

/** The flags commander saw, under the config's names (undefined = not given). */
function flagsOf(o: Record<string, unknown>): RawConfig {
  return {
    port: o.port,
    host: o.host,
    nodeId: o.nodeId,
    store: o.store,
    bus: o.bus,
    log: o.log,
    dataDir: o.dataDir,
    secret: o.secret,
    keys: o.keys,
    keyCurrent: o.keyCurrent,
    site: o.site,
    consent: o.consent,
    prefix: o.prefix,
    testEndpoints: o.testEndpoints,
    ipRate: o.ipRate,
    visitorRate: o.visitorRate,
    trustedIpHeader: o.trustedIpHeader,
    allowedOrigins: o.allowedOrigins,
    secureCookies: o.secureCookies,
  };
}

export function registerServe(program: Command): void {
  program
    .command('dev')
    .description('run the demo shop with the embedded store (PORT, default 8787)')
    .option('--port <n>', 'port', port, envPort())
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where the embedded store lives', '.tessera')
    .option('--consent <mode>', 'opt-in or opt-out', consentMode, 'opt-in' as const)
    .option('--secure-cookies', 'mark every cookie Secure, for HTTPS (TESSERA_SECURE_COOKIES=1; default off)')
    .action((o) =>
      serve(
        resolveNodeConfig({
          flags: { ...o, nodeId: 'dev', store: `sqlite:${o.dataDir}/tessera.db` },
          env: { secureCookies: configFromEnv(process.env).secureCookies },
        }),
      ),
    );

  program
    .command('serve')
    .description('run a Tessera node (flags > TESSERA_* environment > --config file > defaults)')
    .option('--config <file>', 'JSON file with any of the settings below (camelCase keys); or TESSERA_CONFIG')
    .option('--port <n>', 'port (TESSERA_PORT or PORT; default 8787)')
    .option('--host <host>', 'interface to listen on (TESSERA_HOST; default 127.0.0.1)')
    .option('--node-id <name>', 'node id, unique per process (TESSERA_NODE_ID; default node-1)')
    .option('--store <url>', 'profile store: sqlite:PATH, memory: or redis://host:port[/db] (TESSERA_STORE)')
    .option('--bus <url>', 'bus between nodes: nats://host:port, redis://host:port or memory: (TESSERA_BUS)')
    .option(
      '--log <url>',
      "event log: nats://host:port (JetStream) or redis://... (TESSERA_LOG; default: the store's)",
    )
    .option('--prefix <name>', 'namespace of keys, subjects and streams (TESSERA_PREFIX; default tessera)')
    .option(
      '--data-dir <dir>',
      'data directory: embedded store, spool, model (TESSERA_DATA_DIR; default .tessera)',
    )
    .option('--secret <secret>', 'cookie secret, the same on every node (TESSERA_SECRET)')
    .option('--keys <list>', 'key ring KID:SECRET,... for cookies and profiles at rest (TESSERA_KEYS)')
    .option('--key-current <kid>', 'the key id that encrypts; the others only decrypt (TESSERA_KEY_CURRENT)')
    .option('--site <dir>', 'site folder with shop.mjs (TESSERA_SITE; default: the demo shop)')
    .option('--consent <mode>', 'opt-in or opt-out (TESSERA_CONSENT; default opt-in)')
    .option('--test-endpoints', 'test-only /_tessera/ routes that dump profiles (TESSERA_TEST_ENDPOINTS=1)')
    .option(
      '--ip-rate <n>',
      '/collect batches per second per client IP, burst 2n (TESSERA_IP_RATE; default 50)',
    )
    .option(
      '--visitor-rate <n>',
      '/collect batches per second per visitor, burst 2n (TESSERA_VISITOR_RATE; default 20)',
    )
    .option('--trusted-ip-header <name>', 'client IP header set by your proxy (TESSERA_TRUSTED_IP_HEADER)')
    .option(
      '--allowed-origins <list>',
      'other origins whose pages may post to /collect, e.g. https://shop.example (TESSERA_ALLOWED_ORIGINS)',
    )
    .option('--secure-cookies', 'mark every cookie Secure, for HTTPS (TESSERA_SECURE_COOKIES=1; default off)')
    .action((o: Record<string, unknown>) => {
      const file = (o.config as string | undefined) ?? process.env.TESSERA_CONFIG;
      return serve(
        resolveNodeConfig({
          flags: flagsOf(o),
          env: configFromEnv(process.env),
          ...(file ? { file: readConfigFile(file) } : {}),
        }),
      );
    });
}
