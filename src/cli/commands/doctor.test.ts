import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctorCommand } from './doctor.js';

const SECRET = 'doctor-suite-secret-doctor-suite-secret-0';
const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tessera-doctor-'));
  chmodSync(d, 0o700);
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function doctor(flags: Record<string, unknown>, env: Record<string, string | undefined> = {}) {
  const lines: string[] = [];
  const code = await doctorCommand(flags, { TESSERA_SECRET: SECRET, ...env }, (l) => lines.push(l));
  return { code, text: lines.join('\n') };
}

const levelOf = (text: string, check: string) =>
  new RegExp(`^(ok|warn|fail)\\s+${check}\\s`, 'm').exec(text)?.[1];

describe('tessera doctor', () => {
  it('passes a memory store with a good secret: every check ok or warn, exit 0', async () => {
    const r = await doctor({ dataDir: dataDir(), store: 'memory:' });
    expect(r.code).toBe(0);
    for (const check of ['data dir', 'key ring', 'store', 'log', 'bus', 'clock skew'])
      expect(levelOf(r.text, check), check).toBe('ok');
    expect(levelOf(r.text, 'model')).toBe('warn');
    expect(r.text).toContain('tessera train');
  });

  it('passes a SQLite store that exists, and says when the data dir is readable by others', async () => {
    const dir = dataDir();
    const db = join(dir, 'tessera.db');
    const first = await doctor({ dataDir: dir, store: `sqlite:${db}` });
    expect(levelOf(first.text, 'store')).toBe('warn'); // no database yet; doctor creates none
    writeFileSync(db, '', { mode: 0o600 });
    const ok = await doctor({ dataDir: dir, store: `sqlite:${db}` });
    expect(ok.code).toBe(0);
    expect(levelOf(ok.text, 'store')).toBe('ok');
    chmodSync(dir, 0o755);
    const loose = await doctor({ dataDir: dir, store: `sqlite:${db}` });
    expect(loose.code).toBe(1);
    expect(levelOf(loose.text, 'data dir')).toBe('fail');
    expect(loose.text).toContain(`chmod 700 ${dir}`);
  });

  it('fails a Redis store on a closed port with how to fix it, exit 1', async () => {
    const r = await doctor({ dataDir: dataDir(), store: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(levelOf(r.text, 'store')).toBe('fail');
    expect(r.text).toMatch(/fix: start Redis at redis:\/\/127\.0\.0\.1:1/);
  }, 20_000);

  it('fails a short secret, saying how long it must be', async () => {
    const r = await doctor({ dataDir: dataDir(), store: 'memory:' }, { TESSERA_SECRET: 'too-short' });
    expect(r.code).toBe(1);
    expect(levelOf(r.text, 'config')).toBe('fail');
    expect(r.text).toMatch(/at least 32 characters/);
  });

  it('fails a short secret kept in the data dir as a key ring problem', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'secret'), 'short', { mode: 0o600 });
    const r = await doctor({ dataDir: dir, store: 'memory:' }, { TESSERA_SECRET: undefined });
    expect(r.code).toBe(1);
    expect(levelOf(r.text, 'key ring')).toBe('fail');
    expect(r.text).toContain('openssl rand -base64 32');
  });

  it('passes the real Redis and NATS: store, log, bus round trip and clock skew against Redis TIME', async () => {
    const r = await doctor({
      dataDir: dataDir(),
      store: 'redis://127.0.0.1:6379',
      log: 'nats://127.0.0.1:4222',
      bus: 'redis://127.0.0.1:6379',
      prefix: `doctor${process.pid}`,
      json: true,
    });
    const doc = JSON.parse(r.text) as { status: string; checks: Array<{ check: string; level: string }> };
    expect(r.code).toBe(0);
    const level = Object.fromEntries(doc.checks.map((c) => [c.check, c.level]));
    expect(level).toMatchObject({ store: 'ok', log: 'ok', bus: 'ok', 'clock skew': 'ok', 'key ring': 'ok' });
    expect(doc.checks.find((c) => c.check === 'clock skew')).toMatchObject({
      message: expect.stringMatching(/Redis at redis:\/\/127\.0\.0\.1:6379/),
    });
  }, 30_000);

  it('exits 1 from the built CLI on a failure and 2 on an unknown flag', () => {
    const cli = join(process.cwd(), 'dist/cli/main.js');
    const env = { ...process.env, TESSERA_SECRET: SECRET };
    const failed = spawnSync(
      process.execPath,
      [cli, 'doctor', '--data-dir', dataDir(), '--store', 'redis://127.0.0.1:1'],
      {
        env,
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/^fail\s+store/m);
    const usage = spawnSync(process.execPath, [cli, 'doctor', '--no-such-flag'], { env, encoding: 'utf8' });
    expect(usage.status).toBe(2);
  }, 30_000);
});
