/**
 * `tessera experiment list | show KEY | promote KEY VARIANT | pause KEY |
 * resume KEY | stop KEY` against a running node's admin API (`--url`,
 * `--admin-token` or TESSERA_ADMIN_TOKEN). `promote --write site.json` also
 * records the promotion in the site file, so it outlives the process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SiteConfig } from '../../core/config.js';

interface Conn {
  url: string;
  adminToken?: string;
}

async function call(c: Conn, method: string, path: string, body?: unknown): Promise<unknown> {
  if (!c.adminToken) throw new Error('[tessera] [experiment] set --admin-token or TESSERA_ADMIN_TOKEN');
  const res = await fetch(`${c.url.replace(/\/$/, '')}/admin/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${c.adminToken}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as { error?: string };
  if (!res.ok) throw new Error(json.error ?? `[tessera] [experiment] ${res.status}`);
  return json;
}

interface ExperimentOut {
  key: string;
  status: string;
  promoted: string | null;
  arms: Array<{ arm: string; visitors: number; converted: number; conversion: number }>;
  comparisons: Array<{
    arm: string;
    lift: number;
    liftCi: { lo: number; hi: number };
    pSequential: number;
    significant: boolean;
  }>;
  srm: { pass: boolean; p: number };
}

function describe(e: ExperimentOut): string {
  const lines = [
    `${e.key} (${e.status}${e.promoted ? ` → ${e.promoted}` : ''}), SRM ${e.srm.pass ? 'pass' : 'FAIL'}`,
  ];
  for (const a of e.arms)
    lines.push(
      `  ${a.arm.padEnd(16)} ${a.visitors} visitors, ${a.converted} converted (${(a.conversion * 100).toFixed(2)}%)`,
    );
  for (const c of e.comparisons)
    lines.push(
      `  lift of ${c.arm}: ${(c.lift * 100).toFixed(1)}% [${(c.liftCi.lo * 100).toFixed(1)}%, ${(c.liftCi.hi * 100).toFixed(1)}%], sequential p ${c.pSequential.toPrecision(3)}${c.significant ? ' — concluded' : ''}`,
    );
  return lines.join('\n');
}

/** Record `promoted` for an experiment in a site file. */
export function writePromotion(file: string, key: string, variant: string): void {
  const site = JSON.parse(readFileSync(file, 'utf8')) as SiteConfig;
  const exp = site.experiments?.find((e) => e.key === key);
  if (!exp) throw new Error(`[tessera] [experiment] ${file} has no experiment "${key}"`);
  if (!exp.variants.some((v) => v.key === variant))
    throw new Error(`[tessera] [experiment] experiment "${key}" has no variant "${variant}"`);
  exp.promoted = variant;
  writeFileSync(file, `${JSON.stringify(site, null, 2)}\n`);
}

export function registerExperiment(program: Command): void {
  const cmd = program.command('experiment').description("inspect and steer a running node's experiments");
  const conn = (c: Command) =>
    c
      .option('--url <url>', 'the node', process.env.TESSERA_URL ?? 'http://127.0.0.1:8787')
      .option('--admin-token <token>', 'admin token', process.env.TESSERA_ADMIN_TOKEN);
  conn(cmd.command('list').description('every experiment with its statistics')).action(async (o: Conn) => {
    const r = (await call(o, 'GET', 'experiments')) as { experiments: ExperimentOut[] };
    console.log(r.experiments.map(describe).join('\n\n') || 'no experiments');
  });
  conn(cmd.command('show <key>').description('one experiment')).action(async (key: string, o: Conn) => {
    console.log(describe((await call(o, 'GET', `experiments/${encodeURIComponent(key)}`)) as ExperimentOut));
  });
  conn(
    cmd
      .command('promote <key> <variant>')
      .description('make a variant the default for everybody')
      .option('--write <site.json>', 'also record the promotion in this site file'),
  ).action(async (key: string, variant: string, o: Conn & { write?: string }) => {
    if (o.write) writePromotion(o.write, key, variant);
    if (o.adminToken) {
      console.log(
        describe(
          (await call(o, 'POST', `experiments/${encodeURIComponent(key)}/promote`, {
            variant,
          })) as ExperimentOut,
        ),
      );
    } else if (!o.write) throw new Error('[tessera] [experiment] set --admin-token (or --write site.json)');
    else console.log(`[tessera] ${o.write}: ${key} → ${variant}`);
  });
  for (const [name, what] of [
    ['pause', 'stop assigning visitors'],
    ['resume', 'assign visitors again (undoes a promotion)'],
    ['stop', 'bandit: stop learning and promote the leader'],
  ] as const) {
    conn(cmd.command(`${name} <key>`).description(what)).action(async (key: string, o: Conn) => {
      console.log(
        describe((await call(o, 'POST', `experiments/${encodeURIComponent(key)}/${name}`)) as ExperimentOut),
      );
    });
  }
}
