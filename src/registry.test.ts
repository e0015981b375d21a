import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driverUrlProblem, openBus, openLog, openModels, openStore, parseDriverUrl } from './registry.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tessera-registry-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('driver URLs', () => {
  it('splits each known scheme into what its driver needs', () => {
    expect(parseDriverUrl('nats://127.0.0.1')).toEqual({ scheme: 'nats://', servers: '127.0.0.1:4222' });
    expect(parseDriverUrl('redis://localhost:6380/3')).toEqual({
      scheme: 'redis://',
      url: 'redis://localhost:6380/3',
    });
    expect(parseDriverUrl('sqlite:/tmp/x.db')).toEqual({ scheme: 'sqlite:', path: '/tmp/x.db' });
    expect(parseDriverUrl('file:/tmp/m.tsra')).toEqual({ scheme: 'file:', path: '/tmp/m.tsra' });
    expect(parseDriverUrl('memory:')).toEqual({ scheme: 'memory:' });
    expect(parseDriverUrl('nats://h:1/2')).toBeUndefined();
    expect(parseDriverUrl('http://h')).toBeUndefined();
  });

  it('accepts per port only the schemes that port has a driver for', () => {
    expect(driverUrlProblem('store', 'sqlite:/tmp/x.db')).toBeUndefined();
    expect(driverUrlProblem('bus', 'nats://h:4222')).toBeUndefined();
    expect(driverUrlProblem('log', 'memory:')).toBe(
      'unknown log scheme "memory:" (known: nats://host:port, redis://host:port[/db])',
    );
    expect(driverUrlProblem('store', 'nats://h:4222')).toMatch(
      /^unknown store scheme "nats:" \(known: .*sqlite:PATH/,
    );
  });

  it('names an unknown scheme and lists the known ones', () => {
    expect(driverUrlProblem('store', 'x:whatever')).toBe(
      'unknown store scheme "x:" (known: memory:, sqlite:PATH, redis://host:port[/db])',
    );
  });

  it("takes a Worker's KV namespace as a model store only", () => {
    expect(parseDriverUrl('cloudflare-kv://0123abcd/ns_1-2')).toEqual({
      scheme: 'cloudflare-kv://',
      account: '0123abcd',
      namespace: 'ns_1-2',
    });
    expect(driverUrlProblem('models', 'cloudflare-kv://acct/ns')).toBeUndefined();
    expect(driverUrlProblem('models', 'cloudflare-kv://acct')).toMatch(/^malformed models URL/);
    expect(driverUrlProblem('store', 'cloudflare-kv://acct/ns')).toMatch(
      /^unknown store scheme "cloudflare-kv:"/,
    );
  });

  it('tells a malformed URL of a known scheme from an unknown scheme', () => {
    expect(driverUrlProblem('bus', 'nats://h:1/2')).toBe(
      'malformed bus URL "nats://h:1/2" (use memory:, nats://host:port, redis://host:port[/db])',
    );
  });
});

describe('opening drivers', () => {
  it('refuses an unknown scheme with a config error', async () => {
    await expect(openStore('x:', { dataDir: tempDir() })).rejects.toThrow(
      '[tessera] [config] unknown store scheme "x:" (known: memory:, sqlite:PATH, redis://host:port[/db])',
    );
    await expect(openBus('kafka://k', { dataDir: tempDir() })).rejects.toThrow(/unknown bus scheme "kafka:"/);
  });

  it('opens memory: as a local store whose parts work', async () => {
    const s = await openStore('memory:', { dataDir: tempDir() });
    expect(s.local).toBe(true);
    expect(s.rateLimiter).toBeUndefined();
    await s.events.append([
      { id: 'e1', type: 'view', ts: 1, visitor: 'v', node: 'n', received: 1, item: 'i' },
    ]);
    expect(await s.events.count()).toBe(1);
    await s.models.put(new Uint8Array([1, 2]).buffer);
    expect(new Uint8Array((await s.models.get())!)).toEqual(new Uint8Array([1, 2]));
    await s.close();
  });

  it('opens sqlite:PATH with the model registry beside the database', async () => {
    const dir = tempDir();
    const s = await openStore(`sqlite:${join(dir, 'db', 'tessera.db')}`, { dataDir: dir });
    expect(s.profiles.name).toBe('sqlite');
    expect(s.local).toBe(true);
    expect(s.modelPaths).toEqual([join(dir, 'db', 'model.tsra'), join(dir, 'db', 'models', 'aliases.json')]);
    await s.models.put(new Uint8Array([7]).buffer);
    const { production } = await s.models.aliases();
    expect([...readFileSync(join(dir, 'db', 'models', `${production}.tsra`))]).toEqual([7]);
    await s.close();
  });

  it('puts the SQLite file under the data dir when sqlite: names no path', async () => {
    const dir = tempDir();
    const s = await openStore('sqlite:', { dataDir: dir });
    expect(s.modelPaths?.[0]).toBe(join(dir, 'model.tsra'));
    await s.close();
    expect(readFileSync(join(dir, 'tessera.db')).byteLength).toBeGreaterThan(0);
  });

  it('opens a memory bus and file: / memory: model stores, and refuses a log on memory:', async () => {
    const bus = await openBus('memory:', { dataDir: tempDir() });
    expect(bus.name).toBe('memory');
    await bus.close();
    const path = join(tempDir(), 'm.tsra');
    const file = await openModels(`file:${path}`, { dataDir: tempDir() });
    await file.put(new Uint8Array([3]).buffer);
    expect(new Uint8Array((await file.get())!)).toEqual(new Uint8Array([3]));
    expect((await openModels('memory:', { dataDir: tempDir() })).name).toBe('memory');
    await expect(openLog('memory:', { dataDir: tempDir() })).rejects.toThrow(/unknown log scheme "memory:"/);
  });

  it('loads no driver library until a URL asks for it', () => {
    // Static imports only reach the core; every driver is a dynamic import().
    const source = readFileSync(new URL('./registry.ts', import.meta.url), 'utf8');
    const statics = [...source.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    expect(statics.length).toBeGreaterThan(0);
    expect(statics.filter((s) => !s?.startsWith('./core/'))).toEqual([]);
    expect(source).toMatch(/import\('\.\/profiles\/sqlite\.js'\)/);
  });
});
