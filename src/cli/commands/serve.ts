/**
 * `tessera serve` (a node) and `tessera dev` (the demo shop, what `npm start`
 * runs). Both take the same flags, `TESSERA_*` environment variables and JSON
 * config file (`--config` or `TESSERA_CONFIG`), in that order of precedence
 * (see runtimes/node/config.ts); `dev` only brings its own defaults, so the
 * demo can be configured like a node (its rate limits, say).
 */
import type { Command } from 'commander';
import type { LimitSettings } from '../../core/limits/index.js';
import { typescriptSessionRankers } from '../../models/onnx/ts-scorer.js';
import { createNodeApp, type NodeApp, type NodeAppOptions } from '../../runtimes/node/app.js';
import {
  configFromEnv,
  type NodeConfig,
  type RawConfig,
  readConfigFile,
  resolveNodeConfig,
} from '../../runtimes/node/config.js';
import { consoleLogger } from '../../runtimes/node/logger.js';
import { guardProcess } from '../../runtimes/node/process-guards.js';

/**
 * The demo shop's experiment `dev` starts running, so a newcomer's dashboard
 * shows visitors in arms. The shop's site.json keeps it paused: `serve`,
 * other hosts and the tests see the site as configured (`dev --paused` too).
 */
export const DEMO_EXPERIMENT = 'recs-strategy';

/** What `dev` changes: defaults only, under every flag, variable and file value. */
export const DEV_DEFAULTS: RawConfig = { nodeId: 'dev' };

/** The config a command runs with: its flags, the environment, the config file, then `defaults`. */
export function resolveCommandConfig(
  flags: Record<string, unknown>,
  env: Record<string, string | undefined>,
  defaults: RawConfig = {},
): NodeConfig {
  const file = (flags.config as string | undefined) ?? env.TESSERA_CONFIG;
  return resolveNodeConfig({
    flags: flagsOf(flags),
    env: configFromEnv(env),
    ...(file ? { file: readConfigFile(file) } : {}),
    defaults,
  });
}

/** The Node app a config describes. */
export function nodeAppOptions(c: NodeConfig): NodeAppOptions {
  return {
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
    ...(c.metricsPort !== undefined ? { metricsPort: c.metricsPort } : {}),
    ...(c.shutdownGraceMs !== undefined ? { shutdownGraceMs: c.shutdownGraceMs } : {}),
    ...(c.otlpEndpoint !== undefined ? { otlpEndpoint: c.otlpEndpoint } : {}),
    // `onnx` is the app's default (onnxruntime-web, loaded on the first model with an ONNX section).
    ...(c.sessionRanker === 'off' ? { sessionRanker: false as const } : {}),
    ...(c.sessionRanker === 'typescript' ? { sessionRanker: typescriptSessionRankers() } : {}),
    // Off: the site config's `federated.enabled` still decides.
    ...(c.federated ? { federatedSettings: true } : {}),
  };
}

/** Runs the demo's experiment unless an operator already paused or resumed it (its status is in the ledger). */
async function startDemoExperiment(x: NodeApp['engine']['experiments']): Promise<void> {
  if (!x.has(DEMO_EXPERIMENT) || x.ledger().status[DEMO_EXPERIMENT] !== undefined) return;
  await x.resume(DEMO_EXPERIMENT);
}

async function serve(c: NodeConfig, demo = false): Promise<void> {
  const logger = consoleLogger(c.logLevel, { node: c.nodeId });
  // A serving node logs what escaped every handler instead of exiting on it.
  guardProcess(logger);
  const app = await createNodeApp({ ...nodeAppOptions(c), logger });
  // The handlers go in before the node listens and says where: a signal that arrives without one
  // ends the process at once (the default action), write-behind profiles and all.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: the operator does not want to wait for the flush.
      logger.warn(`[tessera] ${signal} again: exiting without waiting for the shutdown to finish`);
      process.exit(1);
    }
    stopping = true;
    app.close().then(
      () => process.exit(0),
      (e) => {
        logger.error('[tessera] shutdown failed', { error: String(e) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (demo && c.site === undefined) await startDemoExperiment(app.engine.experiments);
  const bound = await app.listen(c.port, c.host);
  if (app.metricsPort !== undefined)
    logger.info(`[tessera] metrics on http://127.0.0.1:${app.metricsPort}/metrics`);
  if (c.otlpEndpoint !== undefined) logger.info(`[tessera] traces to ${c.otlpEndpoint} (OTLP/HTTP)`);
  const host = c.host === '0.0.0.0' ? 'localhost' : c.host;
  const h = app.engine.health();
  console.log(
    `[tessera] ${app.engine.settings.siteName} on http://${host}:${bound} (node ${c.nodeId}, store ${h.store}, log ${h.log}, bus ${c.bus ?? 'none'}, model ${h.model ?? 'none'})`,
  );
}

/** `/collect` rate limits from the config: a rate of N per second allows bursts of 2N. */
function limitsOf(c: NodeConfig): Partial<LimitSettings> {
  const out: Partial<LimitSettings> = {};
  if (c.ipRate !== undefined) out.perIp = { rate: c.ipRate, burst: 2 * c.ipRate };
  if (c.ipCeiling !== undefined) out.ipCeiling = { rate: c.ipCeiling, burst: 2 * c.ipCeiling };
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
    ipCeiling: o.ipCeiling,
    visitorRate: o.visitorRate,
    trustedIpHeader: o.trustedIpHeader,
    allowedOrigins: o.allowedOrigins,
    secureCookies: o.secureCookies,
    metricsPort: o.metricsPort,
    federated: o.federated,
    otlpEndpoint: o.otlpEndpoint,
    sessionRanker: o.sessionRanker,
    logLevel: o.logLevel,
    shutdownGraceMs: o.shutdownGraceMs,
  };
}

/**
 * The settings flags, shared by both commands. No commander defaults: a flag
 * left out must be undefined, or it would hide the environment and the file.
 */
export function nodeOptions(cmd: Command, nodeIdDefault: string): Command {
  return cmd
    .option('--config <file>', 'JSON file with any of the settings below (camelCase keys); or TESSERA_CONFIG')
    .option('--port <n>', 'port (TESSERA_PORT or PORT; default 8787)')
    .option('--host <host>', 'interface to listen on (TESSERA_HOST; default 127.0.0.1)')
    .option('--node-id <name>', `node id, unique per process (TESSERA_NODE_ID; default ${nodeIdDefault})`)
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
      '/collect batches per second per client IP without a valid visitor id, burst 2n (TESSERA_IP_RATE; default 200)',
    )
    .option(
      '--ip-ceiling <n>',
      '/collect batches per second per client IP, visitors included, burst 2n (TESSERA_IP_CEILING; default 5000)',
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
    .option(
      '--federated',
      "run on-device learning rounds on /federated/ with the site config's `federated` settings (TESSERA_FEDERATED=1; default: the site's federated.enabled)",
    )
    .option(
      '--metrics-port <n>',
      'also serve /metrics without a token on 127.0.0.1:<n> (TESSERA_METRICS_PORT; default: only on the main port, with a read:metrics token)',
    )
    .option(
      '--otlp-endpoint <url>',
      'send OpenTelemetry traces over OTLP/HTTP, e.g. http://127.0.0.1:4318 (TESSERA_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; default: no tracing)',
    )
    .option(
      '--session-ranker <engine>',
      "what runs a model's session network: onnx (onnxruntime-web wasm), typescript (the same graph in plain TypeScript, no wasm) or off (neighbour lists only) (TESSERA_SESSION_RANKER; default onnx)",
    )
    .option('--log-level <level>', 'debug, info, warn or error (TESSERA_LOG_LEVEL; default info)')
    .option(
      '--shutdown-grace-ms <ms>',
      'at SIGTERM, how long requests in flight get before their connections are closed (TESSERA_SHUTDOWN_GRACE_MS; default 10000)',
    );
}

export function registerServe(program: Command): void {
  nodeOptions(
    program
      .command('dev')
      .description('run the demo shop: `serve` with node id "dev" (same flags, TESSERA_* and config file)'),
    'dev',
  )
    .option(
      '--paused',
      `keep the demo's experiments paused, as its site.json has them (default: ${DEMO_EXPERIMENT} runs)`,
    )
    .action((o: Record<string, unknown>) =>
      serve(resolveCommandConfig(o, process.env, DEV_DEFAULTS), o.paused !== true),
    );

  nodeOptions(
    program
      .command('serve')
      .description('run a Tessera node (flags > TESSERA_* environment > --config file > defaults)'),
    'node-1',
  ).action((o: Record<string, unknown>) => serve(resolveCommandConfig(o, process.env)));
}
