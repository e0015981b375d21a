#!/usr/bin/env node
/**
 * The `tessera` command: dev (demo shop), serve, train.
 * @module
 */
import { Command, InvalidArgumentError } from 'commander';
import { createNodeApp } from '../runtimes/node/app.js';

const program = new Command();
program.name('tessera').description('Edge personalization engine').version('0.1.0');

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer 0-65535');
  return n;
}

function consent(v: string): 'opt-in' | 'opt-out' {
  if (v !== 'opt-in' && v !== 'opt-out') throw new InvalidArgumentError('use opt-in or opt-out');
  return v;
}

async function serve(o: {
  port: number;
  host: string;
  store?: string;
  dataDir: string;
  site?: string;
  nodeId: string;
  consent: 'opt-in' | 'opt-out';
}) {
  const app = await createNodeApp({
    dataDir: o.dataDir,
    nodeId: o.nodeId,
    consentMode: o.consent,
    ...(o.store ? { store: o.store } : {}),
    ...(o.site ? { siteDir: o.site } : {}),
  });
  const bound = await app.listen(o.port, o.host);
  console.log(
    `[tessera] ${app.engine.compiled.site.name} on http://${o.host === '0.0.0.0' ? 'localhost' : o.host}:${bound} (node ${o.nodeId}, store ${app.engine.state.store.name}, model ${app.engine.state.model.artifact?.version ?? 'none'})`,
  );
  const stop = () => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const envPort = process.env.PORT ? port(process.env.PORT) : 8787;

program
  .command('dev')
  .description('run the demo shop with the embedded store (PORT, default 8787)')
  .option('--port <n>', 'port', port, envPort)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--data-dir <dir>', 'where the embedded store lives', '.tessera')
  .option('--consent <mode>', 'opt-in or opt-out', consent, 'opt-in' as const)
  .action((o) => serve({ ...o, nodeId: 'dev' }));

program
  .command('serve')
  .description('run a Tessera node')
  .option('--port <n>', 'port', port, envPort)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--node-id <name>', 'node id (unique per process)', process.env.TESSERA_NODE_ID ?? 'node-1')
  .option('--store <url>', 'profile store: sqlite:PATH or memory:', process.env.TESSERA_STORE)
  .option('--data-dir <dir>', 'data directory', process.env.TESSERA_DATA_DIR ?? '.tessera')
  .option('--site <dir>', 'site folder with shop.mjs (default: the demo shop)')
  .option('--consent <mode>', 'opt-in or opt-out', consent, 'opt-in' as const)
  .action((o) => serve(o));

program
  .command('train')
  .description('train the recommendation model from the event log and store it')
  .option('--data-dir <dir>', 'data directory', '.tessera')
  .option('--store <url>', 'store holding the event log', process.env.TESSERA_STORE)
  .option('--site <dir>', 'site folder with shop.mjs (default: the demo shop)')
  .action(async (o: { dataDir: string; store?: string; site?: string }) => {
    const app = await createNodeApp({
      dataDir: o.dataDir,
      retrainMs: 0,
      ...(o.store ? { store: o.store } : {}),
      ...(o.site ? { siteDir: o.site } : {}),
    });
    const r = await app.train();
    console.log(
      `[tessera] model ${r.version}: ${r.items} items, ${r.interactions} interactions, ${r.ms.toFixed(0)} ms`,
    );
    await app.close();
  });

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
