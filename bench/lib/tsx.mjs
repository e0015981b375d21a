// Runs a benchmark that imports TypeScript sources (src/) through tsx, so it
// needs no build. The child prints human lines, then one `JSON:` line.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function runTsx(script) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, '..', script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`[tessera] [bench] ${script} exited with ${r.status}`);
  const lines = r.stdout.trim().split('\n');
  const json = lines.find((l) => l.startsWith('JSON:'));
  return {
    lines: lines.filter((l) => !l.startsWith('JSON:')),
    result: json ? JSON.parse(json.slice(5)) : {},
  };
}
