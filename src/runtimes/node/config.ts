/**
 * The settings of `tessera serve` and `tessera dev`, from flags, environment
 * variables and a JSON config file, with that precedence (flags > env > file
 * > the command's defaults > built-in defaults), validated once with errors
 * that name where a bad value came from. Both commands read the same sources;
 * `dev` only brings its own defaults.
 *
 * Backends are URLs: `sqlite:PATH`, `memory:`, `redis://host:port[/db]`,
 * `nats://host:port`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { TesseraError } from '../../core/errors.js';
import { driverUrlProblem } from '../../registry.js';
import { keyRingFrom } from './key-ring-config.js';
import { isLevel, type Level } from './logger.js';

/** What runs a model's session network (`--session-ranker`). */
export type SessionRankerChoice = 'onnx' | 'typescript' | 'off';

function isSessionRankerChoice(x: string): x is SessionRankerChoice {
  return x === 'onnx' || x === 'typescript' || x === 'off';
}

export interface NodeConfig {
  port: number;
  host: string;
  nodeId: string;
  /** Profile store (and, unless `log` is given, the event log beside it). */
  store: string;
  /** Bus between nodes; undefined: a single node. */
  bus?: string;
  /** Event log, when not the store's own. */
  log?: string;
  dataDir: string;
  secret?: string;
  /** Key ring `KID:SECRET,...` (cookie sealing and encryption at rest); without it, `secret` is key k1. */
  keys?: string;
  /** The key id that encrypts (default: the last of `keys`). */
  keyCurrent?: string;
  site?: string;
  consent: 'opt-in' | 'opt-out';
  /** Namespace of keys, subjects and streams, one per deployment. */
  prefix: string;
  /** Test-only routes under `/_tessera/` (profile dumps). Never in production. */
  testEndpoints: boolean;
  /** `/collect` batches per second per client IP without a verified visitor id (burst twice that); undefined = the engine default. */
  ipRate?: number;
  /** `/collect` batches per second per client IP, visitors included (burst twice that); undefined = the engine default. */
  ipCeiling?: number;
  /** `/collect` batches per second per visitor (burst twice that). */
  visitorRate?: number;
  /** Header that carries the client IP behind a proxy (`cf-connecting-ip`, `x-forwarded-for`). */
  trustedIpHeader?: string;
  /** Origins besides the node's own whose pages may post to `/collect`, comma-separated. */
  allowedOrigins?: string;
  /** Every cookie Tessera sets carries `Secure` (behind HTTPS); off by default for http://localhost. */
  secureCookies: boolean;
  /** Run the federated-learning round endpoints (site.json's `federated` section gives the settings). */
  federated: boolean;
  /** Also serve `/metrics` without a token on this port, on 127.0.0.1. */
  metricsPort?: number;
  /** Send OpenTelemetry traces over OTLP/HTTP here (a base URL, or the full `/v1/traces` URL). */
  otlpEndpoint?: string;
  /**
   * What runs a model's session network (GRU4Rec): `onnx` (onnxruntime-web's wasm, the default),
   * `typescript` (the same graph in plain TypeScript, read from the artifact's ONNX bytes: no wasm), or
   * `off` (neighbour lists only).
   */
  sessionRanker: SessionRankerChoice;
  /** Least level logged: debug, info, warn or error. */
  logLevel: Level;
  /** At shutdown, how long requests in flight get before their connections are closed (ms; default 10000). */
  shutdownGraceMs?: number;
}

/** Every setting as it may arrive, unparsed; undefined = not given here. */
export type RawConfig = { [K in keyof NodeConfig]?: unknown };

const KEYS: ReadonlyArray<keyof NodeConfig> = [
  'port',
  'host',
  'nodeId',
  'store',
  'bus',
  'log',
  'dataDir',
  'secret',
  'keys',
  'keyCurrent',
  'site',
  'consent',
  'prefix',
  'testEndpoints',
  'ipRate',
  'ipCeiling',
  'visitorRate',
  'trustedIpHeader',
  'allowedOrigins',
  'secureCookies',
  'federated',
  'metricsPort',
  'otlpEndpoint',
  'sessionRanker',
  'logLevel',
  'shutdownGraceMs',
];

/** Environment variable of each setting. */
export const ENV_NAMES: Record<keyof NodeConfig, string> = {
  port: 'TESSERA_PORT',
  host: 'TESSERA_HOST',
  nodeId: 'TESSERA_NODE_ID',
  store: 'TESSERA_STORE',
  bus: 'TESSERA_BUS',
  log: 'TESSERA_LOG',
  dataDir: 'TESSERA_DATA_DIR',
  secret: 'TESSERA_SECRET',
  keys: 'TESSERA_KEYS',
  keyCurrent: 'TESSERA_KEY_CURRENT',
  site: 'TESSERA_SITE',
  consent: 'TESSERA_CONSENT',
  prefix: 'TESSERA_PREFIX',
  testEndpoints: 'TESSERA_TEST_ENDPOINTS',
  ipRate: 'TESSERA_IP_RATE',
  ipCeiling: 'TESSERA_IP_CEILING',
  visitorRate: 'TESSERA_VISITOR_RATE',
  trustedIpHeader: 'TESSERA_TRUSTED_IP_HEADER',
  allowedOrigins: 'TESSERA_ALLOWED_ORIGINS',
  secureCookies: 'TESSERA_SECURE_COOKIES',
  federated: 'TESSERA_FEDERATED',
  metricsPort: 'TESSERA_METRICS_PORT',
  otlpEndpoint: 'TESSERA_OTLP_ENDPOINT',
  sessionRanker: 'TESSERA_SESSION_RANKER',
  logLevel: 'TESSERA_LOG_LEVEL',
  shutdownGraceMs: 'TESSERA_SHUTDOWN_GRACE_MS',
};

const FLAGS: Record<keyof NodeConfig, string> = {
  port: '--port',
  host: '--host',
  nodeId: '--node-id',
  store: '--store',
  bus: '--bus',
  log: '--log',
  dataDir: '--data-dir',
  secret: '--secret',
  keys: '--keys',
  keyCurrent: '--key-current',
  site: '--site',
  consent: '--consent',
  prefix: '--prefix',
  testEndpoints: '--test-endpoints',
  ipRate: '--ip-rate',
  ipCeiling: '--ip-ceiling',
  visitorRate: '--visitor-rate',
  trustedIpHeader: '--trusted-ip-header',
  allowedOrigins: '--allowed-origins',
  secureCookies: '--secure-cookies',
  federated: '--federated',
  metricsPort: '--metrics-port',
  otlpEndpoint: '--otlp-endpoint',
  sessionRanker: '--session-ranker',
  logLevel: '--log-level',
  shutdownGraceMs: '--shutdown-grace-ms',
};

function configError(message: string): TesseraError {
  return new TesseraError(400, `[tessera] [config] ${message}`);
}

export function readConfigFile(path: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw configError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw configError(`config file ${path} is not JSON: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw configError(`config file ${path} must hold a JSON object`);
  const unknown = Object.keys(json).filter((k) => !KEYS.includes(k as keyof NodeConfig));
  if (unknown.length > 0)
    throw configError(
      `config file ${path}: unknown setting ${unknown.join(', ')} (known: ${KEYS.join(', ')})`,
    );
  return json as RawConfig;
}

export function configFromEnv(env: Record<string, string | undefined>): RawConfig {
  const out: RawConfig = {};
  for (const key of KEYS) {
    const v = env[ENV_NAMES[key]];
    if (v !== undefined && v !== '') out[key] = v;
  }
  if (out.port === undefined && env.PORT) out.port = env.PORT;
  // The OpenTelemetry variable every SDK reads, under Tessera's own.
  if (out.otlpEndpoint === undefined && env.OTEL_EXPORTER_OTLP_ENDPOINT)
    out.otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return out;
}

/**
 * Merges the sources (flags > env > file > the command's defaults > built-in
 * defaults) and validates the result; errors name the layer a value came from.
 */
export function resolveNodeConfig(layers: {
  flags?: RawConfig;
  env?: RawConfig;
  file?: RawConfig;
  /** Defaults of the command (`dev`), under every source the operator gives. */
  defaults?: RawConfig;
}): NodeConfig {
  const pick = (key: keyof NodeConfig): { value: unknown; from: string } | undefined => {
    if (layers.flags?.[key] !== undefined) return { value: layers.flags[key], from: FLAGS[key] };
    if (layers.env?.[key] !== undefined) return { value: layers.env[key], from: ENV_NAMES[key] };
    if (layers.file?.[key] !== undefined) return { value: layers.file[key], from: `config file "${key}"` };
    if (layers.defaults?.[key] !== undefined)
      return { value: layers.defaults[key], from: `the default of "${key}"` };
    return undefined;
  };
  const text = (key: keyof NodeConfig, fallback?: string): string | undefined => {
    const got = pick(key);
    if (!got) return fallback;
    if (typeof got.value !== 'string' || got.value.trim() === '')
      throw configError(`${got.from} must be a non-empty string`);
    return got.value.trim();
  };
  // Which schemes each key takes is the registry's to say (one table per port).
  const backend = (key: 'store' | 'bus' | 'log'): string | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    const problem = driverUrlProblem(key, value);
    if (problem) throw configError(`${pick(key)!.from} ${JSON.stringify(value)}: ${problem}`);
    return value;
  };

  const dataDir = text('dataDir', '.tessera')!;
  const portRaw = pick('port');
  const port = portRaw === undefined ? 8787 : Number(portRaw.value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw configError(
      `${portRaw?.from} must be a port number 0-65535, got ${JSON.stringify(portRaw?.value)}`,
    );
  const portOf = (key: 'port' | 'metricsPort'): number | undefined => {
    const got = pick(key);
    if (got === undefined) return undefined;
    const n = Number(got.value);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw configError(`${got.from} must be a port number 0-65535, got ${JSON.stringify(got.value)}`);
    return n;
  };
  const metricsPort = portOf('metricsPort');
  const otlpEndpoint = text('otlpEndpoint');
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(otlpEndpoint))
    throw configError(
      `${pick('otlpEndpoint')!.from} must be an http:// or https:// URL, got ${JSON.stringify(otlpEndpoint)}`,
    );
  const sessionRanker = text('sessionRanker', 'onnx')!;
  if (!isSessionRankerChoice(sessionRanker))
    throw configError(
      `${pick('sessionRanker')!.from} must be onnx, typescript or off, got ${JSON.stringify(sessionRanker)}`,
    );
  const logLevel = text('logLevel', 'info')!;
  if (!isLevel(logLevel))
    throw configError(
      `${pick('logLevel')!.from} must be debug, info, warn or error, got ${JSON.stringify(logLevel)}`,
    );
  const nodeId = text('nodeId', 'node-1')!;
  if (new TextEncoder().encode(nodeId).byteLength > 255)
    throw configError(`${pick('nodeId')!.from} is over 255 bytes`);
  const consent = text('consent', 'opt-in')!;
  if (consent !== 'opt-in' && consent !== 'opt-out')
    throw configError(`${pick('consent')!.from} must be opt-in or opt-out`);
  const prefix = text('prefix', 'tessera')!;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix))
    throw configError(`${pick('prefix')!.from} must be 1-64 of [A-Za-z0-9_-]`);
  const te = pick('testEndpoints');
  const testEndpoints = te !== undefined && (te.value === true || te.value === '1' || te.value === 'true');
  // Strict: a typo must not leave cookies without Secure while the operator thinks it is on.
  const sc = pick('secureCookies');
  let secureCookies = false;
  if (sc !== undefined) {
    if (sc.value === true || sc.value === '1' || sc.value === 'true') secureCookies = true;
    else if (!(sc.value === false || sc.value === '0' || sc.value === 'false'))
      throw configError(`${sc.from} must be true or false (1 or 0), got ${JSON.stringify(sc.value)}`);
  }

  const fl = pick('federated');
  let federated = false;
  if (fl !== undefined) {
    if (fl.value === true || fl.value === '1' || fl.value === 'true') federated = true;
    else if (!(fl.value === false || fl.value === '0' || fl.value === 'false'))
      throw configError(`${fl.from} must be true or false (1 or 0), got ${JSON.stringify(fl.value)}`);
  }

  const config: NodeConfig = {
    port,
    host: text('host', '127.0.0.1')!,
    nodeId,
    store: backend('store') ?? `sqlite:${dataDir}/tessera.db`,
    dataDir,
    consent,
    prefix,
    testEndpoints,
    secureCookies,
    federated,
    sessionRanker,
    logLevel,
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(otlpEndpoint !== undefined ? { otlpEndpoint } : {}),
  };
  const grace = pick('shutdownGraceMs');
  if (grace !== undefined) {
    const n = Number(grace.value);
    if (!Number.isInteger(n) || n < 0)
      throw configError(
        `${grace.from} must be a whole number of milliseconds (0 or more), got ${JSON.stringify(grace.value)}`,
      );
    config.shutdownGraceMs = n;
  }
  for (const key of ['ipRate', 'ipCeiling', 'visitorRate'] as const) {
    const got = pick(key);
    if (got === undefined) continue;
    const n = Number(got.value);
    if (!Number.isFinite(n) || n <= 0)
      throw configError(`${got.from} must be a positive number of batches per second`);
    config[key] = n;
  }
  const ipHeader = text('trustedIpHeader');
  if (ipHeader !== undefined) config.trustedIpHeader = ipHeader.toLowerCase();
  const origins = text('allowedOrigins');
  if (origins !== undefined) {
    for (const o of origins.split(',').map((x) => x.trim())) {
      if (!/^https?:\/\/[^/\s]+$/i.test(o))
        throw configError(
          `${pick('allowedOrigins')!.from}: "${o}" is not an origin like https://shop.example`,
        );
    }
    config.allowedOrigins = origins;
  }
  const bus = backend('bus');
  const log = backend('log');
  const secret = text('secret');
  const site = text('site');
  if (bus !== undefined) config.bus = bus;
  if (log !== undefined) config.log = log;
  if (secret !== undefined) {
    if (secret.length < 32) throw configError(`${pick('secret')!.from} must be at least 32 characters`);
    config.secret = secret;
  }
  if (site !== undefined) config.site = site;
  const keys = text('keys');
  const keyCurrent = text('keyCurrent');
  // Validated now, so a bad key list fails at start with the setting's name.
  if (keys !== undefined || keyCurrent !== undefined) keyRingFrom(keys, keyCurrent, () => 'k'.repeat(32));
  if (keys !== undefined) config.keys = keys;
  if (keyCurrent !== undefined) config.keyCurrent = keyCurrent;
  return config;
}
