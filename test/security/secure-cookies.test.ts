/**
 * `Secure` on every cookie Tessera sets, on Node: through `tessera serve
 * --secure-cookies`, `TESSERA_SECURE_COOKIES=1` (serve and dev), and off by
 * default for `tessera dev` on http://localhost. The real CLI runs as a child
 * process (through tsx), the way an operator starts it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../cluster/launcher.js';
import { CookieJar, jarFetch } from '../helpers/cookie-jar.js';

const root = resolve(import.meta.dirname, '../..');
const SECRET = 'secure-cookie-test-secret-secure-cookie-0';
const running = (
  JSON.parse(readFileSync(join(root, 'examples/shop/catalog.json'), 'utf8')) as Array<{
    id: string;
    category: string;
    in_stock: boolean;
  }>
).find((p) => p.category === 'running' && p.in_stock)!.id;

const started: Array<{ proc: ChildProcess; dir: string }> = [];
afterAll(async () => {
  for (const s of started) {
    s.proc.kill('SIGTERM');
    if (s.proc.exitCode === null) await new Promise((r) => s.proc.once('exit', r));
    rmSync(s.dir, { recursive: true, force: true });
  }
});

async function cli(command: 'dev' | 'serve', flags: string[], env: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-secure-'));
  const port = await freePort();
  const args = ['--import', 'tsx', join(root, 'src/cli/main.ts'), command, '--port', String(port)];
  args.push('--data-dir', dir, ...flags);
  const { TESSERA_SECURE_COOKIES: _inherited, ...base } = process.env;
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...base, TESSERA_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push({ proc, dir });
  const output: string[] = [];
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${command} did not start:\n${output.join('')}`)), 60_000);
    const onData = (d: Buffer) => {
      output.push(d.toString());
      if (/\[tessera\] .* on http:\/\//.test(output.join(''))) {
        clearTimeout(timer);
        res();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`${command} exited with ${code}:\n${output.join('')}`));
    });
  });
  return `http://127.0.0.1:${port}`;
}

/** The Set-Cookie lines of a consent, an item page (the digest) and a withdrawal, by cookie name. */
async function cookiesSet(base: string): Promise<Map<string, string[]>> {
  const jar = new CookieJar();
  const lines: string[] = [];
  const post = (events: unknown[]) =>
    jarFetch(jar, `${base}/collect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
  const consent = (personalization: boolean) => ({
    id: `c-${personalization}`,
    type: 'consent',
    ts: Date.now(),
    props: { personalization, analytics: personalization },
  });
  lines.push(...(await post([consent(true)])).headers.getSetCookie());
  lines.push(...(await jarFetch(jar, `${base}/product/${running}`)).headers.getSetCookie());
  lines.push(...(await post([consent(false)])).headers.getSetCookie());
  const byName = new Map<string, string[]>();
  for (const line of lines) {
    const name = line.slice(0, line.indexOf('='));
    byName.set(name, [...(byName.get(name) ?? []), line]);
  }
  return byName;
}

const secure = (line: string) => /;\s*Secure(;|$)/i.test(line);

describe('Secure cookies on Node', () => {
  it('sets tsr_id, tsr_p and tsr_consent without Secure by default for tessera dev on http://localhost', async () => {
    const set = await cookiesSet(await cli('dev', [], {}));
    expect([...set.keys()].sort()).toEqual(['tsr_consent', 'tsr_id', 'tsr_p']);
    for (const line of [...set.values()].flat()) expect(secure(line)).toBe(false);
  }, 90_000);

  it.each([
    ['tessera serve --secure-cookies', 'serve', ['--secure-cookies'], {}],
    ['TESSERA_SECURE_COOKIES=1 tessera serve', 'serve', [], { TESSERA_SECURE_COOKIES: '1' }],
    ['tessera dev --secure-cookies', 'dev', ['--secure-cookies'], {}],
    ['TESSERA_SECURE_COOKIES=true tessera dev', 'dev', [], { TESSERA_SECURE_COOKIES: 'true' }],
  ] as const)(
    'marks every cookie Secure with %s',
    async (_name, command, flags, env) => {
      const set = await cookiesSet(await cli(command, [...flags], env));
      expect([...set.keys()].sort()).toEqual(['tsr_consent', 'tsr_id', 'tsr_p']);
      // Each cookie is set and later cleared: both lines carry Secure.
      for (const line of [...set.values()].flat()) expect(secure(line), line).toBe(true);
    },
    90_000,
  );
});
