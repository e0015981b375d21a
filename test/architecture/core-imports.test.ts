/**
 * The core runs on any Web-standard runtime (workerd, Deno, browsers): no
 * file in src/core outside tests may import `node:` modules, bare Node
 * builtins, or the drivers and hosts around it (stores, bus, runtimes, cli,
 * admin).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const coreDir = fileURLToPath(new URL('../../src/core', import.meta.url));
const NODE_BUILTINS = new Set([
  'fs',
  'path',
  'crypto',
  'os',
  'http',
  'https',
  'net',
  'url',
  'util',
  'stream',
  'zlib',
  'buffer',
  'child_process',
  'worker_threads',
  'events',
]);

/** Folders of drivers and hosts around the core: the core imports none of them. */
const DRIVER_AREAS = [
  'profiles',
  'logs',
  'models',
  'bus',
  'connections',
  'cluster',
  'registry.ts',
  'runtimes',
  'cli',
  'admin',
];
const srcDir = fileURLToPath(new URL('../../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|js|mjs)$/.test(e.name) && !/\.test\.|test-helpers/.test(e.name) ? [p] : [];
  });
}

/** Every module specifier: static imports and re-exports, dynamic import(), require(). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

function violation(file: string, spec: string): string | undefined {
  if (spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]!)) return 'a Node builtin';
  if (spec.startsWith('.')) {
    const target = relative(coreDir, join(file, '..', spec));
    if (target.startsWith('..')) {
      const area = target.split(/[\\/]/)[1];
      if (DRIVER_AREAS.includes(area ?? '')) return `the ${area} layer`;
    }
  }
  return undefined;
}

describe('src/core imports', () => {
  it('finds the core sources to check', () => {
    expect(sourceFiles(coreDir).length).toBeGreaterThan(20);
  });

  it('imports no node: module and no driver, runtime, CLI or admin code', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(coreDir)) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        const why = violation(file, spec);
        if (why) problems.push(`${relative(coreDir, file)} imports "${spec}" (${why})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('recognises the import forms it forbids', () => {
    const fake = join(coreDir, 'x', 'y.ts');
    const found = specifiers(
      `import { a } from 'node:fs';\nimport type { B } from "../../profiles/redis.js";\nexport * from '../../runtimes/node/app.js';\nconst m = await import('../../bus/nats.js');\nimport 'path';`,
    );
    expect(found.map((s) => violation(fake, s) !== undefined)).toEqual([true, true, true, true, true]);
    expect(violation(fake, '../profile/index.js')).toBeUndefined();
    expect(violation(fake, '../../profiles/sqlite.js')).toBe('the profiles layer');
    expect(violation(fake, '../../connections/redis.js')).toBe('the connections layer');
  });
});

/** `area/file.ts` of a relative specifier written in `file`, or undefined when it leaves src/. */
function srcArea(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = relative(srcDir, join(file, '..', spec));
  return target.startsWith('..') ? undefined : target.split(/[\\/]/)[0];
}

describe('src/cluster imports', () => {
  // Cluster sync, spool replay and degraded mode serve any runtime (a Worker too).
  it('imports no node: module and no runtime', () => {
    const dir = join(srcDir, 'cluster');
    const problems: string[] = [];
    for (const file of sourceFiles(dir)) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        const builtin = spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]!);
        if (builtin || srcArea(file, spec) === 'runtimes')
          problems.push(`${relative(srcDir, file)} imports "${spec}"`);
      }
    }
    expect(sourceFiles(dir).length).toBeGreaterThan(2);
    expect(problems).toEqual([]);
  });
});

describe('connection handling', () => {
  // One place connects to Redis and NATS and tracks their status: the drivers
  // of every port share it instead of reaching into each other's folders.
  it('bus, logs, profiles and models take connection helpers from src/connections only', () => {
    const problems: string[] = [];
    for (const area of ['bus', 'logs', 'profiles', 'models']) {
      for (const file of sourceFiles(join(srcDir, area))) {
        for (const spec of specifiers(readFileSync(file, 'utf8'))) {
          if (!spec.startsWith('.')) continue;
          const target = relative(srcDir, join(file, '..', spec));
          const [targetArea, name] = target.split(/[\\/]/);
          if (targetArea === 'connections' || targetArea === area) continue;
          // A connection or status helper anywhere but src/connections/.
          if (/connection|status/.test(name ?? ''))
            problems.push(`${relative(srcDir, file)} imports "${spec}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps no connection helper inside a port folder', () => {
    const misplaced = ['bus', 'logs', 'profiles', 'models'].flatMap((area) =>
      sourceFiles(join(srcDir, area))
        .map((f) => relative(srcDir, f))
        .filter((f) => /(connection|status)\.ts$/.test(f)),
    );
    expect(misplaced).toEqual([]);
  });
});
