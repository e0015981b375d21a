/**
 * Tracing off costs nothing: a Node app started without an OTLP endpoint
 * loads no OpenTelemetry SDK, exporter or resource module (they are CommonJS,
 * so Node's module cache shows what was loaded). `@opentelemetry/api` alone
 * may be there: prom-client loads it for exemplars. Its own process (the
 * integration project isolates files), so no other test's imports count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createNodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';

const require = createRequire(import.meta.url);
const loadedSdk = () =>
  Object.keys((require('node:module') as { _cache: Record<string, unknown> })._cache).filter(
    (k) => k.includes('@opentelemetry') && !k.includes('@opentelemetry/api/'),
  );

it('loads no tracing SDK without an endpoint, and loads it with one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-traces-off-'));
  const base = {
    store: 'memory:',
    secret: 'traces-off-secret-traces-off-secret-0000',
    retrainMs: 0,
    modelPollMs: 0,
    logger: consoleLogger('error', { node: 'off', write: () => {} }),
  };
  try {
    const off = await createNodeApp({ ...base, dataDir: join(dir, 'off') });
    const res = await off.engine.fetch(new Request('http://shop.test/'));
    await res.text();
    expect(res.status).toBe(200);
    await off.close();
    expect(loadedSdk()).toEqual([]);
    // The same check sees the SDK once an endpoint is given (port 9: nothing listens, nothing is sent).
    const on = await createNodeApp({ ...base, dataDir: join(dir, 'on'), otlpEndpoint: 'http://127.0.0.1:9' });
    expect(loadedSdk().some((k) => k.includes('sdk-trace-node'))).toBe(true);
    await on.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
