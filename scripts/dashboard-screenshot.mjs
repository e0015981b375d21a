// The README's dashboard screenshot (docs/dashboard.png): starts the demo
// (`tessera dev`, the built CLI) on a free port with a fresh data dir, drives
// it with `tessera simulate --url` in waves for about a minute, then opens
// /admin in Debian's Chromium (playwright-core) and saves the page.
//
//   npm run build && node scripts/dashboard-screenshot.mjs [seconds] [out.png]

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.argv[2] ?? 75);
const out = process.argv[3] ?? join(root, 'docs/dashboard.png');
const token = `screenshot-${Math.random().toString(36).slice(2)}-token`;
const cli = join(root, 'dist/cli/main.js');
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-screenshot-'));
const env = { ...process.env, TESSERA_ADMIN_TOKEN: token };

const server = spawn(process.execPath, [cli, 'dev', '--port', '0', '--data-dir', dataDir], {
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const base = await new Promise((resolve, reject) => {
    let text = '';
    server.stdout.on('data', (d) => {
      text += d;
      const m = /on (http:\/\/[^\s]+)/.exec(text);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`tessera dev exited (${code})`)));
  });
  console.log(`demo on ${base}; simulating for ${seconds} s`);
  const until = Date.now() + seconds * 1000;
  for (let seed = 1; Date.now() < until; seed++) {
    const args = [
      cli,
      'simulate',
      '--url',
      base,
      '--admin-token',
      token,
      '--visitors',
      '60',
      '--seed',
      String(seed),
    ];
    await new Promise((resolve, reject) =>
      spawn(process.execPath, [...args, '--concurrency', '2', '--json'], { env, stdio: 'ignore' }).once(
        'exit',
        (code) => (code === 0 ? resolve() : reject(new Error(`simulate exited ${code}`))),
      ),
    );
  }
  const browser = await chromium.launch({
    executablePath: process.env.TESSERA_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1180 }, deviceScaleFactor: 1 });
  await page.goto(`${base}/admin?token=${token}`);
  for (const name of ['traffic', 'latency', 'ctr', 'conversion'])
    await page.locator(`[data-chart="${name}"] canvas`).waitFor();
  await page.locator('[data-experiment]').first().waitFor();
  await page.waitForTimeout(2500);
  await page.screenshot({ path: out });
  await browser.close();
  console.log(`saved ${out}`);
} finally {
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
