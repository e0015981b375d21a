/**
 * `tessera admin token --scopes read:stats,write:config [--name N]` mints a
 * scoped admin token, prints it once (alone on stdout; the note on stderr)
 * and stores only its hash in
 * `<data-dir>/admin-tokens.json` (mode 0600); `--list` shows the names,
 * scopes and creation times; `--revoke NAME` removes one. A running server
 * picks changes up at its next admin call.
 *
 * `--kv` mints a token for a Cloudflare Worker instead: nothing is written
 * here; stderr shows the `wrangler kv key put` that stores its hash in the
 * Worker's `TESSERA_KV` (see admin/kv.ts).
 *
 * `tessera admin sweep [--retention-days N] [--store sqlite:PATH]` deletes
 * profiles and events older than the retention period now.
 *
 * `tessera admin reencrypt` rewrites stored profiles under the current key
 * (see reencrypt.ts).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  mintToken,
  parseScopes,
  readTokenFile,
  type TokenRecord,
  tokenFilePath,
  writeTokenFile,
} from '../../admin/index.js';
import { kvTokenEntry } from '../../admin/kv.js';
import { DEFAULT_RETENTION_DAYS, retentionCutoff, sweepRetention } from '../../core/privacy/index.js';
import { createSqliteStore } from '../../profiles/sqlite.js';
import { positiveInt } from '../options.js';
import { type ReencryptOptions, reencryptCommand } from './reencrypt.js';

interface TokenOpts {
  dataDir: string;
  scopes?: string;
  name?: string;
  list?: boolean;
  revoke?: string;
  kv?: boolean;
}

/** A shell word in single quotes. */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The wrangler command that adds `record` to a Worker's TESSERA_KV. */
export function wranglerPut(record: TokenRecord): string {
  const { key, value } = kvTokenEntry(record);
  return `npx wrangler kv key put --binding TESSERA_KV ${shellQuote(key)} ${shellQuote(value)}`;
}

/**
 * `print` gets what a script captures (the token, the list); `note` gets what
 * a person reads (stderr), so `TOKEN=$(tessera admin token --scopes ...)`
 * holds only the token.
 */
export async function tokenCommand(
  o: TokenOpts,
  print: (line: string) => void = console.log,
  note: (line: string) => void = console.error,
): Promise<void> {
  if (o.kv) {
    if (!o.scopes) throw new Error('[tessera] [admin] give --scopes with --kv');
    const scopes = parseScopes(o.scopes);
    const { token, record } = await mintToken(o.name ?? `token-${Date.now().toString(36)}`, scopes);
    print(token);
    note(
      `# ${record.name} (${scopes.join(',')}): shown once. Store its hash in the Worker's KV (revoke: kv key delete):`,
    );
    note(wranglerPut(record));
    return;
  }
  const path = tokenFilePath(resolve(o.dataDir));
  const records = readTokenFile(path);
  if (o.list) {
    if (records.length === 0) note(`no admin tokens in ${path}`);
    for (const r of records)
      print(`${r.name}\t${r.scopes.join(',')}\tcreated ${new Date(r.createdAt).toISOString()}`);
    return;
  }
  if (o.revoke !== undefined) {
    const kept = records.filter((r) => r.name !== o.revoke);
    if (kept.length === records.length) throw new Error(`[tessera] [admin] no token named "${o.revoke}"`);
    writeTokenFile(path, kept);
    print(`revoked ${o.revoke}`);
    return;
  }
  if (!o.scopes) throw new Error('[tessera] [admin] give --scopes, --list or --revoke NAME');
  const scopes = parseScopes(o.scopes);
  const name = o.name ?? `token-${records.length + 1}-${Date.now().toString(36)}`;
  if (records.some((r) => r.name === name))
    throw new Error(`[tessera] [admin] a token named "${name}" exists`);
  const { token, record } = await mintToken(name, scopes);
  writeTokenFile(path, [...records, record]);
  print(token);
  note(`# ${name} (${scopes.join(',')}): shown once, only its hash is stored in ${path}`);
}

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('Admin tokens and data retention');
  admin
    .command('token')
    .description('Create (--scopes), list (--list) or revoke (--revoke NAME) scoped admin tokens')
    .option(
      '--scopes <list>',
      'comma-separated: read:stats, write:config, admin:profiles, read:metrics, read:debug, write:models',
    )
    .option('--name <name>', 'a name for the token (shown in the audit log)')
    .option('--list', 'list token names, scopes and creation times')
    .option('--revoke <name>', 'remove the token with this name')
    .option(
      '--kv',
      'for a Cloudflare Worker: print the token, and on stderr the wrangler command that stores its hash in TESSERA_KV',
    )
    .option('--data-dir <dir>', 'data directory', '.tessera')
    .action((o: TokenOpts) => tokenCommand(o));
  admin
    .command('sweep')
    .description('Delete profiles and events older than the retention period')
    .option('--retention-days <n>', 'keep this many days', positiveInt, DEFAULT_RETENTION_DAYS)
    .option('--data-dir <dir>', 'data directory', '.tessera')
    .option('--store <spec>', 'sqlite:PATH (default sqlite:<data-dir>/tessera.db)')
    .action(async (o: { retentionDays: number; dataDir: string; store?: string }) => {
      const spec = o.store ?? `sqlite:${join(resolve(o.dataDir), 'tessera.db')}`;
      if (!spec.startsWith('sqlite:'))
        throw new Error(`[tessera] [admin] sweep works on sqlite:PATH stores; got "${spec}"`);
      const path = spec.slice('sqlite:'.length);
      if (!existsSync(path)) throw new Error(`[tessera] [admin] no database at ${path}: nothing to sweep`);
      const stores = await createSqliteStore({ path });
      try {
        const r = await sweepRetention(
          stores.profiles,
          stores.events,
          retentionCutoff(Date.now(), o.retentionDays),
        );
        console.log(
          `deleted ${r.profiles} profiles and ${r.events} events older than ${new Date(r.before).toISOString()}`,
        );
      } finally {
        await stores.close();
      }
    });
  admin
    .command('reencrypt')
    .description('Rewrite every stored profile under the current key (the last step of a key rotation)')
    .option('--data-dir <dir>', 'data directory (its secret file is key k1 without --keys)', '.tessera')
    .option('--store <url>', 'sqlite:PATH or redis://host:port[/db] (default sqlite:<data-dir>/tessera.db)')
    .option('--keys <list>', 'key ring KID:SECRET,... (TESSERA_KEYS)')
    .option('--key-current <kid>', 'the key to encrypt with (TESSERA_KEY_CURRENT)')
    .option('--prefix <name>', 'Redis key namespace (default tessera)')
    .action(async (o: ReencryptOptions) => {
      await reencryptCommand(o);
    });
}
