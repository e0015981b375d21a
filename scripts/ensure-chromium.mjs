// Makes sure the browser tests have a Chromium before `npm test` runs them.
//
// Which Chromium: Debian's package (`/usr/bin/chromium`, driven by
// playwright-core), never a browser download: this machine kind reaches the
// npm registry and Debian's packages only, and Playwright's own download is
// refused. On a fresh machine without it, this script installs it with
// apt-get when it runs as root (as CI and the sessions here do); otherwise it
// says what to run and fails, so the suite never starts half-equipped.
// `TESSERA_CHROMIUM` points at another binary instead.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.TESSERA_CHROMIUM || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!root || !hasApt || process.env.TESSERA_CHROMIUM) {
  console.error(
    `[tessera] [test] ${path} is missing: install Debian's Chromium (\`sudo apt-get install -y chromium\`) ` +
      'or set TESSERA_CHROMIUM to a Chromium binary, then run npm test again',
  );
  process.exit(1);
}

console.error("[tessera] [test] Chromium is missing: installing Debian's package (apt-get install chromium)");
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
} catch (e) {
  console.error(`[tessera] [test] could not install Chromium: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
if (!existsSync(path)) {
  console.error(`[tessera] [test] apt-get finished but ${path} is still missing`);
  process.exit(1);
}
