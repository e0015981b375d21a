/**
 * The fuzz grammar against a REAL node:http server (the demo shop, memory
 * store): the crash this guards against was in writing the reply, which the
 * in-process suite (handler.fuzz.test.ts, `engine.handle`) never reaches.
 * Every case's status, headers and body are checked, then `GET /health`
 * must answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createNodeApp, type NodeApp } from '../../src/runtimes/node/app.js';
import { consoleLogger } from '../../src/runtimes/node/logger.js';
import { hostileRequest, rawRequestLine } from './grammar.js';
import { newCounts, report, sendChecked, sendRaw } from './wire.js';

let app: NodeApp;
let dir: string;
let base: string;
let item: string;
const counts = newCounts();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-fuzz-'));
  app = await createNodeApp({
    dataDir: dir,
    store: 'memory:',
    secret: 'server-fuzz-secret-server-fuzz-secret-00',
    consentMode: 'opt-out',
    retrainMs: 0,
    modelPollMs: 0,
    adminToken: 'server-fuzz-admin-token-server-fuzz-admin',
    logger: consoleLogger('error'),
    // This suite is about what one request can do, not about rate limits.
    limits: { perIp: { rate: 1e9, burst: 1e9 }, perVisitor: { rate: 1e9, burst: 1e9 } },
  });
  base = `http://127.0.0.1:${await app.listen(0)}`;
  item = [...app.engine.catalog.keys()][0]!;
}, 60_000);

afterAll(async () => {
  console.log(report('Node, a real node:http server', counts));
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a real Node server under hostile requests', () => {
  it('answers every route with encoded control, non-ASCII and smuggled characters and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest(item), (r) => sendChecked(base, r, counts)),
      { numRuns: 7500 },
    );
  }, 120_000);

  it('answers raw request lines and Host headers no client library would send, and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequestLine(item), (r) => sendRaw(base, r, counts)),
      { numRuns: 2000 },
    );
  }, 120_000);
});
