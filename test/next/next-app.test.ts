/**
 * examples/next under Next.js itself: `next build`, then `next start` on a
 * loopback port, checked from outside the way the demo shop is. The app is
 * copied to a temp folder with a node_modules of links (next, react,
 * react-dom from the repository; `tessera` to the repository itself, as
 * `npm i` of `file:../..` would link it), so the build's `.next/` and links
 * never land in the repository. `tessera` resolves to the built package
 * (dist/): `npm test` runs `npm run build` first. The middleware stays on
 * Next's edge runtime, with lol-html's WebAssembly loaded through Next's
 * `?module` mechanism (package.json `#lol-html`, edge-light condition).
 * The trained model comes from a loopback server at `TESSERA_MODEL_URL`
 * (the example's setting), so the recommendation slot has a list to change.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainShopModel } from '../../examples/cloudflare/train-model.js';
import { freePort, waitFor } from '../cluster/launcher.js';
import { running } from '../frameworks/shop-options.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';
import { recommendedCategories } from '../http/recommended.js';
import { root } from '../runtimes/spawn-runtime.js';

const SECRET = 'next-app-secret-next-app-secret-next-app-0';
const NEXT_BIN = join(root, 'node_modules/next/dist/bin/next');
/** What the built package must hold for the app: the entry, lol-html's glue for Next, the collector. */
const BUILT = [
  'dist/frameworks/next/index.js',
  'dist/frameworks/next/lol-html/html_rewriter.cjs',
  'dist/browser/tessera.min.js',
];

const catalog = JSON.parse(readFileSync(join(root, 'examples/shop/catalog.json'), 'utf8')) as Array<{
  id: string;
  category: string;
  in_stock?: boolean;
}>;
const runningIds = running(catalog);

let seq = 0;
const ev = (type: string, extra: Record<string, unknown> = {}) => ({
  id: `n${Date.now()}-${seq++}`,
  type,
  ts: Date.now(),
  ...extra,
});
/** The recommended slot's markup, to compare a visitor's list with a new visitor's. */
const recommendedSlot = (html: string) =>
  /data-tessera-slot="recommended"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
const heroOf = (html: string) => /data-hero="([^"]+)"/.exec(html)?.[1];

function collect(base: string, jar: CookieJar, events: unknown[]) {
  return jarFetch(jar, `${base}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
}

/** Next's environment: no telemetry, production, not Vitest's NODE_ENV=test. */
function nextEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NEXT_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}

/** The example as `npm i` in examples/next would leave it, in a temp folder. */
function copyApp(): { dir: string; app: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-next-app-'));
  const app = join(dir, 'examples/next');
  cpSync(join(root, 'examples/next'), app, {
    recursive: true,
    filter: (src) => !/[\\/](\.next|node_modules)$/.test(src),
  });
  // middleware.ts imports ../shop/site.json and ../shop/catalog.json.
  symlinkSync(join(root, 'examples/shop'), join(dir, 'examples/shop'), 'dir');
  mkdirSync(join(app, 'node_modules'));
  for (const pkg of ['next', 'react', 'react-dom'])
    symlinkSync(join(root, 'node_modules', pkg), join(app, 'node_modules', pkg), 'dir');
  symlinkSync(root, join(app, 'node_modules/tessera'), 'dir');
  // The README's step: the built collector in public/.
  mkdirSync(join(app, 'public'));
  copyFileSync(join(root, 'dist/browser/tessera.min.js'), join(app, 'public/tessera.js'));
  return { dir, app };
}

function run(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

let tmp: string;
let app: string;
let server: ChildProcess | undefined;
let serverOutput = '';
let base: string;
let buildOutput: string;
let modelServer: Server | undefined;

/** Where the middleware fetches the trained model from (`TESSERA_MODEL_URL`), as a deployment would. */
async function serveModel(): Promise<string> {
  const model = Buffer.from(await trainShopModel());
  modelServer = createServer((_req, res) => res.end(model));
  await new Promise<void>((r) => modelServer!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(modelServer.address() as AddressInfo).port}/model.tsra`;
}

beforeAll(async () => {
  const missing = BUILT.filter((f) => !existsSync(join(root, f)));
  if (missing.length)
    throw new Error(
      `[test] the package is not built (${missing.join(', ')} missing): run \`npm run build\` first`,
    );
  ({ dir: tmp, app } = copyApp());

  const started = Date.now();
  const build = await run(spawn(process.execPath, [NEXT_BIN, 'build'], { cwd: app, env: nextEnv() }));
  buildOutput = build.output;
  if (build.code !== 0) throw new Error(`[test] next build exited ${build.code}:\n${build.output}`);
  console.log(`[next] next build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`[next] ${/ƒ Middleware.*$/m.exec(buildOutput)?.[0] ?? 'no middleware line'}`);

  const modelUrl = await serveModel();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: app,
    env: nextEnv({ TESSERA_SECRET: SECRET, TESSERA_SECURE_COOKIES: 'false', TESSERA_MODEL_URL: modelUrl }),
  });
  for (const stream of [server.stdout, server.stderr])
    stream?.on('data', (d: Buffer) => {
      serverOutput += d.toString();
    });
  await waitFor(
    'next start',
    async () => ((await fetch(`${base}/tessera.js`)).ok ? true : undefined),
    60_000,
  );
}, 300_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  modelServer?.closeAllConnections();
  await new Promise((r) => (modelServer ? modelServer.close(r) : r(undefined)));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('examples/next under next build + next start', () => {
  let anonymousList: string;

  it('builds the middleware for the edge runtime, with lol-html as a WebAssembly module Next loads', () => {
    expect(buildOutput).toMatch(/ƒ Middleware\s+[\d.]+ kB/);
    const manifest = JSON.parse(readFileSync(join(app, '.next/server/middleware-manifest.json'), 'utf8')) as {
      middleware: Record<string, { wasm: Array<{ name: string }> }>;
    };
    expect(manifest.middleware['/']?.wasm).toHaveLength(1);
  });

  it("serves a new visitor Next's page with the default hero and no identifier (opt-in)", async () => {
    const jar = new CookieJar();
    const res = await jarFetch(jar, `${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tessera-variant')).toBeTruthy();
    const html = await res.text();
    expect(html).toContain('<title>Tessera on Next.js</title>');
    // The slot filled by the middleware: the shop's default hero, not app/page.jsx's placeholder.
    expect(heroOf(html)).toBe('default');
    expect(html).not.toContain('Gear for every trail</h1>');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(recommendedCategories(html)).toEqual([]); // not personalized
    anonymousList = recommendedSlot(html);
  });

  it('personalizes the home page after consent and three views of one category sent to /collect', async () => {
    const jar = new CookieJar();
    const consent = await collect(base, jar, [
      ev('consent', { props: { personalization: true, analytics: true } }),
    ]);
    expect(consent.status).toBe(202);
    expect(jar.cookies.get('tsr_id')).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    const views = await collect(
      base,
      jar,
      runningIds.slice(0, 3).map((item) => ev('view', { item })),
    );
    expect(views.status).toBe(202);
    expect(((await views.json()) as { stored: number }).stored).toBe(3);

    const res = await jarFetch(jar, `${base}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(heroOf(html)).toBe('running');
    const cats = recommendedCategories(html);
    expect(cats).toHaveLength(10);
    expect(cats.filter((c) => c === 'running').length).toBeGreaterThanOrEqual(6);
    expect(res.headers.get('x-tessera-segments')).toContain('runners');
    expect(res.headers.get('cache-control')).toMatch(/private/);
    expect(recommendedSlot(html)).not.toBe(anonymousList);
  });

  it('answers /collect in the middleware (Next has no such route) and serves /tessera.js from public/', async () => {
    expect((await fetch(`${base}/collect`)).status).toBe(405);
    expect((await fetch(`${base}/no-such-page`)).status).toBe(404);
    const js = await fetch(`${base}/tessera.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toBe(readFileSync(join(root, 'dist/browser/tessera.min.js'), 'utf8'));
  });

  it('erases the visitor on DELETE /privacy/me: cookie cleared, profile gone, default hero again', async () => {
    const jar = new CookieJar();
    await collect(base, jar, [ev('consent', { props: { personalization: true, analytics: true } })]);
    await collect(
      base,
      jar,
      runningIds.slice(3, 6).map((item) => ev('view', { item })),
    );
    expect(heroOf(await (await jarFetch(jar, `${base}/`)).text())).toBe('running');
    const old = jar.cookies.get('tsr_id')!;
    const me = await jarFetch(jar, `${base}/privacy/me`, { headers: { 'x-tessera-csrf': '1' } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { events: unknown[] }).events.length).toBeGreaterThanOrEqual(3);

    const erased = await jarFetch(jar, `${base}/privacy/me`, {
      method: 'DELETE',
      headers: { 'x-tessera-csrf': '1' },
    });
    expect(erased.status).toBe(200);
    expect(jar.cookies.has('tsr_id')).toBe(false);
    expect(heroOf(await (await jarFetch(jar, `${base}/`)).text())).toBe('default');
    const after = await fetch(`${base}/privacy/me`, { headers: { cookie: `tsr_id=${old}` } });
    if (after.status === 200) {
      const x = (await after.json()) as { profile: unknown; events: unknown[] };
      expect(x.profile).toBeNull();
      expect(x.events).toEqual([]);
    } else {
      expect(after.status).toBe(404);
    }
    expect(serverOutput).not.toMatch(/Error/);
  });
});
