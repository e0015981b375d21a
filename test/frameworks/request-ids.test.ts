/**
 * Express and Fastify hand Tessera a request id, as the Node server does: the
 * engine's log lines for a request carry it. Express takes the proxy's
 * `X-Request-Id` when it is a plain token and mints one otherwise; Fastify's
 * own request id (the `reqId` of its log lines) is used, so both name a
 * request alike.
 */
import { describe, expect, it } from 'vitest';
import { createKeyRing, newVisitorId, signId } from '../../src/core/identity/index.js';
import { parseSiteConfig } from '../../src/core/segments/index.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import type { Target } from '../helpers/node-target.js';
import { startExpress, startFastify } from './apps.js';
import { SECRET, shopForFramework } from './shop-options.js';

interface Line {
  msg: string;
  requestId?: string;
}

const DROPPED = '[tessera] [collect] browsers dropped events from their full queues';

async function started(start: typeof startExpress) {
  const { shop, options } = await shopForFramework();
  options.site = parseSiteConfig(options.site);
  const lines: Line[] = [];
  options.ports = {
    ...options.ports,
    logger: consoleLogger('debug', { write: (line) => lines.push(JSON.parse(line) as Line) }),
  };
  return { target: await start(shop, options), lines };
}

/** A batch from a consenting visitor whose browser says it dropped events: a warning on the request's path. */
async function postDropped(t: Target, headers: Record<string, string> = {}) {
  const cookie = `tsr_id=${await signId(createKeyRing(SECRET), newVisitorId())}; tsr_consent=p1.a1`;
  const res = await fetch(`${t.baseUrl}/collect`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', origin: t.baseUrl, ...headers },
    body: JSON.stringify({ events: [{ id: 'e1', type: 'page', ts: Date.now() }], dropped: 3 }),
  });
  expect(res.status).toBe(202);
}

describe.each([
  ['Express', startExpress],
  ['Fastify', startFastify],
] as const)('request ids on %s', (name, start) => {
  it('puts one id on the lines of each request, the proxy’s X-Request-Id when well formed', async () => {
    const { target, lines } = await started(start);
    try {
      await postDropped(target, { 'x-request-id': 'edge-abc.123' });
      await postDropped(target);
      const warned = lines.filter((l) => l.msg === DROPPED);
      expect(warned.length).toBeGreaterThanOrEqual(1);
      for (const l of warned) expect(l.requestId, `${name}: "${l.msg}" names its request`).toBeTruthy();
      // Fastify's own ids are `req-1`, `req-2`, … (its default genReqId).
      expect(warned[0]!.requestId).toMatch(name === 'Express' ? /^edge-abc\.123$/ : /^req-\d+$/);
    } finally {
      await target.close();
    }
  });
});
