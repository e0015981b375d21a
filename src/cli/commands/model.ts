/**
 * `tessera model list|show|promote|rollback|import`: the model registry of a
 * deployment, through the same store, data dir, prefix and bus settings as
 * `serve` (flags > TESSERA_* > --config file). A promotion to production or a
 * rollback writes the aliases, then announces the new production version on
 * the bus: every node loads it from the store and swaps it in. Nodes without a
 * bus see the aliases change on their next poll. `--models` names a model
 * store of its own instead of the store's: `cloudflare-kv://ACCOUNT/NAMESPACE`
 * is the registry a Cloudflare Worker reads (its isolates poll the aliases).
 */
import type { Command } from 'commander';
import { publishEnvelope } from '../../bus/envelopes.js';
import type { ModelAlias, ModelAliases, ModelMeta, ModelStore } from '../../core/ports.js';
import { promoteModel, registerModel, rollbackModel } from '../../models/model-registry.js';
import { openBus, openModels, openStore } from '../../registry.js';
import type { NodeConfig } from '../../runtimes/node/config.js';
import { importArtifact, importOnnx } from './model-import.js';
import { resolveCommandConfig } from './serve.js';

type Flags = Record<string, unknown> & { json?: boolean; alias?: string; models?: string };

/** `--models`, else `TESSERA_MODELS_URL`: a model store of its own; undefined: the store's. */
const modelsUrl = (o: Flags) => o.models ?? (process.env.TESSERA_MODELS_URL || undefined);

async function withModels<T>(
  modelsUrl: string | undefined,
  c: NodeConfig,
  fn: (models: ModelStore) => Promise<T>,
): Promise<T> {
  if (modelsUrl) {
    const models = await openModels(modelsUrl, { dataDir: c.dataDir, prefix: c.prefix });
    try {
      return await fn(models);
    } finally {
      await (models as { close?: () => Promise<void> }).close?.();
    }
  }
  const stores = await openStore(c.store, { dataDir: c.dataDir, prefix: c.prefix });
  try {
    return await fn(stores.models);
  } finally {
    await stores.close();
  }
}

/** Tells the nodes on the bus that production is now `version`; no bus, nothing to tell. */
async function announce(c: NodeConfig, version: string): Promise<boolean> {
  if (!c.bus) return false;
  const node = `cli-${process.pid}`;
  const bus = await openBus(c.bus, { dataDir: c.dataDir, prefix: c.prefix, nodeId: node });
  try {
    await publishEnvelope(bus, 'models', { kind: 'model', node, payload: new TextEncoder().encode(version) });
    return true;
  } finally {
    await bus.close();
  }
}

function aliasOf(value: string | undefined): ModelAlias {
  const alias = value ?? 'production';
  if (alias !== 'production' && alias !== 'candidate')
    throw new Error(`[tessera] [models] --alias must be production or candidate, not "${alias}"`);
  return alias;
}

const when = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 19));

function labels(a: ModelAliases, version: string): string {
  return [a.production === version ? 'production' : '', a.candidate === version ? 'candidate' : '']
    .filter(Boolean)
    .join(',');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function listText(metas: ModelMeta[], a: ModelAliases): string {
  const rows = [['VERSION', 'ALIASES', 'ALGORITHM', 'EVENTS', 'LAST EVENT', 'CREATED', 'MIB']];
  for (const m of [...metas].reverse())
    rows.push([
      m.version,
      labels(a, m.version),
      m.algorithm ?? '-',
      String(m.data?.count ?? '-'),
      when(m.data?.last),
      when(m.created),
      (m.bytes / 1024 / 1024).toFixed(2),
    ]);
  return table(rows);
}

function aliasesText(a: ModelAliases): string {
  return `production ${a.production ?? 'none'}, candidate ${a.candidate ?? 'none'}, history ${a.history.length}`;
}

const print = (json: boolean | undefined, value: unknown, text: string) =>
  console.log(json ? JSON.stringify(value, null, 2) : text);

/** The settings flags the model commands share with `serve`. */
function configOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'JSON config file, as for serve (TESSERA_CONFIG)')
    .option('--store <url>', 'store holding the models: sqlite:PATH, memory: or redis://... (TESSERA_STORE)')
    .option(
      '--models <url>',
      "a model store instead of the store's: file:PATH, redis://..., or cloudflare-kv://ACCOUNT/NAMESPACE (a Worker's; CLOUDFLARE_API_TOKEN) (TESSERA_MODELS_URL)",
    )
    .option('--bus <url>', 'bus to announce a new production version on (TESSERA_BUS)')
    .option('--prefix <name>', 'namespace of keys and subjects (TESSERA_PREFIX; default tessera)')
    .option('--data-dir <dir>', 'data directory (TESSERA_DATA_DIR; default .tessera)')
    .option('--json', 'print JSON');
}

export function registerModelCommands(program: Command): void {
  const model = program
    .command('model')
    .description('the model registry: versions, aliases, promotion, rollback');
  const config = (o: Flags) => resolveCommandConfig(o, process.env);

  configOptions(
    model.command('list').description('every model version, newest first, with its aliases'),
  ).action((o: Flags) =>
    withModels(modelsUrl(o), config(o), async (models) => {
      const [versions, aliases] = [await models.list(), await models.aliases()];
      print(o.json, { aliases, versions }, listText(versions, aliases));
    }),
  );

  configOptions(model.command('show <version>').description("one version's metadata")).action(
    (version: string, o: Flags) =>
      withModels(modelsUrl(o), config(o), async (models) => {
        const [versions, aliases] = [await models.list(), await models.aliases()];
        const meta = versions.find((m) => m.version === version);
        if (!meta) throw new Error(`[tessera] [models] no model version ${version}`);
        const out = { ...meta, aliases: labels(aliases, version).split(',').filter(Boolean) };
        print(o.json, out, JSON.stringify(out, null, 2));
      }),
  );

  configOptions(
    model
      .command('promote <version>')
      .description('point an alias at a version; production is announced to every node')
      .option('--alias <name>', 'production or candidate', 'production'),
  ).action((version: string, o: Flags) => {
    const c = config(o);
    const alias = aliasOf(o.alias);
    return withModels(modelsUrl(o), c, async (models) => {
      const aliases = await promoteModel(models, version, alias);
      const announced = alias === 'production' ? await announce(c, version) : false;
      print(o.json, { aliases, announced }, `[tessera] ${alias} is ${version} (${aliasesText(aliases)})`);
    });
  });

  configOptions(
    model.command('rollback').description('move production back to the previous production version'),
  ).action((o: Flags) => {
    const c = config(o);
    return withModels(modelsUrl(o), c, async (models) => {
      const aliases = await rollbackModel(models);
      const announced = await announce(c, aliases.production!);
      print(o.json, { aliases, announced }, `[tessera] rolled back: ${aliasesText(aliases)}`);
    });
  });

  configOptions(
    model
      .command('import [file]')
      .description(
        'register an artifact file (.tsra), or an ONNX session model (--onnx with --items), as a version',
      )
      .option('--onnx <file>', 'an ONNX session model with the inputs and output of docs/onnx.md')
      .option('--items <file>', 'with --onnx: JSON array of the item ids (or objects) in model index order')
      .option('--alias <name>', 'also point production or candidate at it'),
  ).action(async (file: string | undefined, o: Flags) => {
    const c = config(o);
    // Refuse what a node could not load, before anything is registered.
    const { artifact, algorithm } =
      typeof o.onnx === 'string' ? await importOnnx(o.onnx, o.items) : await importArtifact(file);
    await withModels(modelsUrl(o), c, async (models) => {
      const meta = await registerModel(models, artifact, { algorithm });
      const alias = o.alias === undefined ? undefined : aliasOf(o.alias);
      const aliases = alias ? await promoteModel(models, meta.version, alias) : await models.aliases();
      const announced = alias === 'production' ? await announce(c, meta.version) : false;
      print(
        o.json,
        { version: meta, aliases, announced },
        `[tessera] imported ${meta.version} (${aliasesText(aliases)})`,
      );
    });
  });
}
