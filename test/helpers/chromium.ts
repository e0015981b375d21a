/** Debian's Chromium, driven by playwright-core: no browser downloads. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's package by default; `TESSERA_CHROMIUM` for another binary (scripts/ensure-chromium.mjs installs the default). */
export const CHROMIUM = process.env.TESSERA_CHROMIUM || '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `[tessera] [e2e] ${CHROMIUM} is missing: run \`apt-get install -y chromium\` (npm test does it when run as root) or set TESSERA_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}
