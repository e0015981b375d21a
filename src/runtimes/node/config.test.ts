import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv, readConfigFile, resolveNodeConfig } from './config.js';

describe('node config', () => {
  it('has defaults for a single embedded node', () => {
    const c = resolveNodeConfig({});
    expect(c).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      nodeId: 'node-1',
      store: 'sqlite:.tessera/tessera.db',
      prefix: 'tessera',
      consent: 'opt-in',
      testEndpoints: false,
    });
    expect(c.bus).toBeUndefined();
    expect(c.log).toBeUndefined();
  });

  it('reads --log-level and --metrics-port, or TESSERA_LOG_LEVEL and TESSERA_METRICS_PORT, and refuses bad values', () => {
    expect(resolveNodeConfig({})).toMatchObject({ logLevel: 'info' });
    expect(resolveNodeConfig({}).metricsPort).toBeUndefined();
    const env = configFromEnv({ TESSERA_LOG_LEVEL: 'warn', TESSERA_METRICS_PORT: '9464' });
    expect(resolveNodeConfig({ env })).toMatchObject({ logLevel: 'warn', metricsPort: 9464 });
    expect(resolveNodeConfig({ flags: { logLevel: 'debug' }, env }).logLevel).toBe('debug');
    expect(() => resolveNodeConfig({ flags: { logLevel: 'loud' } })).toThrow(/--log-level must be debug/);
    expect(() => resolveNodeConfig({ env: configFromEnv({ TESSERA_METRICS_PORT: 'x' }) })).toThrow(
      /TESSERA_METRICS_PORT must be a port number/,
    );
  });

  it('reads --shutdown-grace-ms or TESSERA_SHUTDOWN_GRACE_MS (default: the app’s 10 s) and refuses bad values', () => {
    expect(resolveNodeConfig({}).shutdownGraceMs).toBeUndefined();
    const env = configFromEnv({ TESSERA_SHUTDOWN_GRACE_MS: '25000' });
    expect(resolveNodeConfig({ env }).shutdownGraceMs).toBe(25_000);
    expect(resolveNodeConfig({ flags: { shutdownGraceMs: '0' }, env }).shutdownGraceMs).toBe(0);
    expect(() => resolveNodeConfig({ flags: { shutdownGraceMs: '2.5s' } })).toThrow(
      /--shutdown-grace-ms must be a whole number of milliseconds/,
    );
    expect(() => resolveNodeConfig({ env: configFromEnv({ TESSERA_SHUTDOWN_GRACE_MS: '-1' }) })).toThrow(
      /TESSERA_SHUTDOWN_GRACE_MS must be a whole number/,
    );
  });

  it('reads --otlp-endpoint, TESSERA_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; none means no tracing', () => {
    expect(resolveNodeConfig({}).otlpEndpoint).toBeUndefined();
    const otel = configFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(resolveNodeConfig({ env: otel }).otlpEndpoint).toBe('http://collector:4318');
    const both = configFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://o:4318',
      TESSERA_OTLP_ENDPOINT: 'http://t:4318',
    });
    expect(resolveNodeConfig({ env: both }).otlpEndpoint).toBe('http://t:4318');
    expect(
      resolveNodeConfig({ flags: { otlpEndpoint: 'https://f/v1/traces' }, env: both }).otlpEndpoint,
    ).toBe('https://f/v1/traces');
    expect(() => resolveNodeConfig({ flags: { otlpEndpoint: 'collector:4318' } })).toThrow(
      /--otlp-endpoint must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('takes flags over environment over file', () => {
    const c = resolveNodeConfig({
      flags: { nodeId: 'from-flag' },
      env: configFromEnv({ TESSERA_NODE_ID: 'from-env', TESSERA_BUS: 'nats://127.0.0.1:4222', PORT: '9000' }),
      file: { nodeId: 'from-file', bus: 'redis://127.0.0.1:6379', log: 'nats://127.0.0.1:4222', port: 1234 },
    });
    expect(c.nodeId).toBe('from-flag');
    expect(c.bus).toBe('nats://127.0.0.1:4222');
    expect(c.log).toBe('nats://127.0.0.1:4222');
    expect(c.port).toBe(9000);
  });

  it('puts a command’s defaults under every source the operator gives', () => {
    const defaults = { nodeId: 'dev', ipRate: 7 };
    expect(resolveNodeConfig({ defaults })).toMatchObject({ nodeId: 'dev', ipRate: 7 });
    expect(resolveNodeConfig({ defaults, file: { ipRate: 3 } }).ipRate).toBe(3);
    expect(resolveNodeConfig({ defaults, env: configFromEnv({ TESSERA_NODE_ID: 'env' }) }).nodeId).toBe(
      'env',
    );
    expect(resolveNodeConfig({ defaults, flags: { nodeId: 'flag' } }).nodeId).toBe('flag');
  });

  it('reads a JSON config file and refuses unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-config-'));
    const good = join(dir, 'tessera.json');
    writeFileSync(good, JSON.stringify({ store: 'redis://127.0.0.1:6379/2', nodeId: 'edge-fra' }));
    expect(resolveNodeConfig({ file: readConfigFile(good) })).toMatchObject({
      store: 'redis://127.0.0.1:6379/2',
      nodeId: 'edge-fra',
    });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ stroe: 'memory:' }));
    expect(() => readConfigFile(bad)).toThrow(/unknown setting stroe/);
    writeFileSync(bad, '{nope');
    expect(() => readConfigFile(bad)).toThrow(/is not JSON/);
    expect(() => readConfigFile(join(dir, 'missing.json'))).toThrow(/cannot read config file/);
  });

  it('marks cookies Secure from the flag, TESSERA_SECURE_COOKIES or the file key; off by default', () => {
    expect(resolveNodeConfig({}).secureCookies).toBe(false);
    expect(resolveNodeConfig({ flags: { secureCookies: true } }).secureCookies).toBe(true);
    expect(resolveNodeConfig({ env: configFromEnv({ TESSERA_SECURE_COOKIES: '1' }) }).secureCookies).toBe(
      true,
    );
    expect(resolveNodeConfig({ file: { secureCookies: true } }).secureCookies).toBe(true);
    expect(
      resolveNodeConfig({
        env: configFromEnv({ TESSERA_SECURE_COOKIES: 'false' }),
        file: { secureCookies: true },
      }).secureCookies,
    ).toBe(false);
    expect(() => resolveNodeConfig({ env: configFromEnv({ TESSERA_SECURE_COOKIES: 'yes' }) })).toThrow(
      /TESSERA_SECURE_COOKIES must be true or false/,
    );
  });

  it('names the source of a bad value', () => {
    expect(() => resolveNodeConfig({ env: { bus: 'kafka://x' } })).toThrow(
      '[tessera] [config] TESSERA_BUS "kafka://x": unknown bus scheme "kafka:" (known: memory:, nats://host:port, redis://host:port[/db])',
    );
    expect(() => resolveNodeConfig({ flags: { store: 'nats://127.0.0.1:4222' } })).toThrow(
      /--store .*sqlite:PATH/,
    );
    expect(() => resolveNodeConfig({ file: { port: 'eighty' } })).toThrow(
      /config file "port" must be a port/,
    );
    expect(() => resolveNodeConfig({ flags: { prefix: 'a.b' } })).toThrow(/--prefix must be/);
    expect(() => resolveNodeConfig({ flags: { secret: 'short' } })).toThrow(/at least 32/);
    expect(() => resolveNodeConfig({ flags: { consent: 'maybe' } })).toThrow(/opt-in or opt-out/);
  });
});

describe('rate-limit settings', () => {
  it('reads the /collect rates from flags over env and refuses nonsense', () => {
    const c = resolveNodeConfig({ flags: { ipRate: '200' }, env: { ipRate: '5', visitorRate: '7' } });
    expect(c.ipRate).toBe(200);
    expect(c.visitorRate).toBe(7);
    expect(() => resolveNodeConfig({ env: { ipRate: '-1' } })).toThrow(
      /TESSERA_IP_RATE must be a positive number/,
    );
  });

  it('reads the per-IP ceiling from TESSERA_IP_CEILING, --ip-ceiling or the file', () => {
    expect(resolveNodeConfig({ env: configFromEnv({ TESSERA_IP_CEILING: '8000' }) }).ipCeiling).toBe(8000);
    expect(resolveNodeConfig({ flags: { ipCeiling: '900' }, file: { ipCeiling: 5 } }).ipCeiling).toBe(900);
    expect(() => resolveNodeConfig({ file: { ipCeiling: 0 } })).toThrow(
      /config file "ipCeiling" must be a positive number/,
    );
  });

  it('reads the origins allowed to post to /collect and refuses what is not an origin', () => {
    const c = resolveNodeConfig({
      env: { allowedOrigins: 'https://shop.example, https://www.shop.example' },
    });
    expect(c.allowedOrigins).toBe('https://shop.example, https://www.shop.example');
    expect(() => resolveNodeConfig({ flags: { allowedOrigins: 'shop.example' } })).toThrow(
      /--allowed-origins: "shop.example" is not an origin/,
    );
  });
});
