/**
 * The demo shop served by each framework's own server, with Tessera's
 * middleware in front: the framework renders the shop's pages on its own
 * routes (setting a session cookie and a header of its own, as apps do) and
 * answers a JSON API route Tessera must leave alone.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express, { type Request, type Response } from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import type { Shop } from '../../examples/shop/shop.mjs';
import { tessera as tesseraExpress } from '../../src/frameworks/express/index.js';
import { tessera as tesseraFastify } from '../../src/frameworks/fastify/index.js';
import { tessera as tesseraHono } from '../../src/frameworks/hono/index.js';
import type { TesseraMiddlewareOptions } from '../../src/frameworks/middleware.js';
import { builtCollector } from '../../src/runtimes/node/index.js';
import type { Target } from '../helpers/node-target.js';
import { frameworkTarget } from './shop-options.js';

const APP_COOKIE = 'app_session=abc123; Path=/; HttpOnly';

/** The app "logs in" on `?login=1`: its own cookie, which Tessera must keep. */
function logsIn(url: string): boolean {
  return new URL(url, 'http://x').searchParams.has('login');
}

function pagePath(url: string): string {
  return new URL(url, 'http://x').pathname;
}

export async function startHonoOnNode(shop: Shop, options: TesseraMiddlewareOptions): Promise<Target> {
  const app = new Hono();
  // Hono runs anywhere, so it is handed the collector's source (on Node: the built file).
  const mw = tesseraHono({ collector: builtCollector(), ...options });
  app.use(mw);
  app.get('/api/ping', (c) => c.json({ pong: true }));
  app.get('/shop.css', (c) => c.body(shop.assets['/shop.css']!.body, 200, { 'content-type': 'text/css' }));
  app.get('*', (c) => {
    const page = shop.render(pagePath(c.req.url))!;
    if (logsIn(c.req.url)) c.header('set-cookie', APP_COOKIE);
    c.header('x-app', 'hono');
    return c.html(page.html, page.status as 200);
  });
  const { port, close } = await new Promise<{ port: number; close: () => Promise<void> }>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({
        port: info.port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
  return frameworkTarget(`http://127.0.0.1:${port}`, mw.engine, close);
}

export async function startExpress(shop: Shop, options: TesseraMiddlewareOptions): Promise<Target> {
  const app = express();
  const mw = tesseraExpress(options);
  app.use(mw);
  app.get('/api/ping', (_req, res) => {
    res.json({ pong: true });
  });
  app.get('/shop.css', (_req, res) => {
    res.type('text/css').send(shop.assets['/shop.css']!.body);
  });
  app.use((req: Request, res: Response) => {
    const page = shop.render(pagePath(req.originalUrl))!;
    if (logsIn(req.originalUrl)) res.setHeader('set-cookie', APP_COOKIE);
    res.setHeader('x-app', 'express');
    res.status(page.status).type('html').send(page.html);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const port = (server.address() as AddressInfo).port;
  return frameworkTarget(`http://127.0.0.1:${port}`, mw.engine, async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
}

export async function startFastify(shop: Shop, options: TesseraMiddlewareOptions): Promise<Target> {
  const app = Fastify();
  await app.register(tesseraFastify, options);
  app.get('/api/ping', async () => ({ pong: true }));
  app.get('/shop.css', async (_req, reply) => reply.type('text/css').send(shop.assets['/shop.css']!.body));
  const page = async (req: { url: string }, reply: import('fastify').FastifyReply) => {
    const p = shop.render(pagePath(req.url))!;
    if (logsIn(req.url)) reply.header('set-cookie', APP_COOKIE);
    return reply.code(p.status).header('x-app', 'fastify').type('text/html; charset=utf-8').send(p.html);
  };
  app.get('/*', page);
  app.get('/', page);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const engine = (app as unknown as { tessera: import('../../src/core/engine.js').Engine }).tessera;
  return frameworkTarget(
    `http://127.0.0.1:${port}`,
    async () => engine,
    () => app.close(),
  );
}
