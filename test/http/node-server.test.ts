/**
 * What only the Node server can get wrong: the URL it builds from the
 * request line and the Host header, writing a reply to the socket, and the
 * detailed `/health` behind an admin token. (workerd builds `request.url`
 * itself and has no admin surface; the shared cases are in hardening.ts.)
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCommand } from '../../src/cli/commands/admin.js';
import type { Engine } from '../../src/core/engine.js';
import { jsonReply, type Reply } from '../../src/core/http/reply.js';
import { createNodeServer, listen } from '../../src/runtimes/node/server.js';
import { type SecurityTarget, startSecurityApp } from '../security/app.js';

const ADMIN = 'node-server-admin-token-node-server-admin-token';

/** A request with the Host header exactly as given (fetch would not send it). */
function raw(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the Node server', () => {
  let t: SecurityTarget;
  let reader: string;
  let writer: string;
  beforeAll(async () => {
    t = await startSecurityApp({ adminToken: ADMIN });
    const mint = async (name: string, scopes: string) => {
      const out: string[] = [];
      await tokenCommand({ dataDir: t.dir, scopes, name }, (l) => out.push(l));
      return out[0]!;
    };
    reader = await mint('reader', 'read:stats');
    writer = await mint('writer', 'write:config');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('routes by the request target, never by the Host header', async () => {
    const host = new URL(t.base).host;
    const bypass = await raw(t.base, '/api/profiles/someone', {
      host: `${host}/admin`,
      authorization: `Bearer ${ADMIN}`,
    });
    // The shop's own 404 page for /api/profiles/someone, not the admin API.
    expect(bypass.status).toBe(404);
    expect(bypass.type).toMatch(/^text\/html/);
    expect(bypass.body).not.toContain('[tessera] [admin]');
    for (const evil of ['evil.test/admin', 'evil.test/admin?', 'a@evil.test', 'evil.test#']) {
      const home = await raw(t.base, '/', { host: evil });
      expect(home.status, evil).toBe(200);
      expect(home.type).toMatch(/^text\/html/);
      expect(home.body).toContain('data-tessera-slot');
    }
  });

  it('reads an absolute-form request target by its path, not its authority', async () => {
    const res = await raw(t.base, 'http://evil.test/health', { host: new URL(t.base).host });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('tells the node, store, model and dependencies on /health only to a token with read:stats', async () => {
    const anonymous = (await (await fetch(`${t.base}/health`)).json()) as Record<string, unknown>;
    expect(anonymous).toEqual({ status: 'ok' });
    for (const token of [ADMIN, reader]) {
      const res = await fetch(`${t.base}/health`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const detail = (await res.json()) as Record<string, unknown>;
      expect(detail).toMatchObject({ status: 'ok', node: 'node-1', degraded: [] });
      expect(detail.store).toBeTypeOf('string');
      expect(detail.model).toBeTypeOf('string');
      expect(detail.dependencies).toBeTypeOf('object');
    }
    for (const token of [writer, 'tsr_not-a-token']) {
      const res = await fetch(`${t.base}/health`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
  });
});

describe('writing a reply', () => {
  const errors: string[] = [];
  let base: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const replies: Record<string, Reply> = {
      '/bad-status': { status: 1000, headers: {}, cookies: [], body: 'x' },
      '/bad-header': {
        status: 200,
        headers: { 'x-echo': 'a\r\nX-Evil: 1\u2603', 'bad name': 'x', 'content-type': 'text/plain' },
        cookies: ['c=1\n; Path=/'],
        body: 'ok',
      },
      '/bad-stream': {
        status: 200,
        headers: {},
        cookies: [],
        body: new ReadableStream({
          start(c) {
            c.enqueue(42 as unknown as Uint8Array);
          },
        }),
      },
    };
    const engine = {
      settings: { maxBodyBytes: 1024 },
      logger: { debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m) },
      handle: async (req: { url: string }) => replies[new URL(req.url).pathname] ?? jsonReply(200, { ok: 1 }),
    } as unknown as Engine;
    const server = createNodeServer(engine);
    const port = await listen(server, 0);
    base = `http://127.0.0.1:${port}`;
    close = () => new Promise((r) => server.close(() => r()));
    expect((server.address() as AddressInfo).port).toBe(port);
  });
  afterAll(() => close());

  it('answers 500, logs, and keeps serving when a reply cannot be written', async () => {
    const res = await fetch(`${base}/bad-status`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toBe('[tessera] internal error');
    expect(errors.some((e) => e.startsWith('[tessera] [node]'))).toBe(true);
    expect((await fetch(`${base}/fine`)).status).toBe(200);
  });

  it('encodes header values built from request data instead of failing on them', async () => {
    const res = await fetch(`${base}/bad-header`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-echo')).toBe('a%0D%0AX-Evil: 1%E2%98%83');
    expect(res.headers.get('x-evil')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual(['c=1%0A; Path=/']);
    expect(await res.text()).toBe('ok');
  });

  it('closes the connection when a streamed body fails midway, and keeps serving', async () => {
    await expect(fetch(`${base}/bad-stream`).then((r) => r.text())).rejects.toThrow();
    expect((await fetch(`${base}/fine`)).status).toBe(200);
  });
});
