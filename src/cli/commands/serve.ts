/** `tessera dev` (the demo shop) and `tessera serve` (a node). */
import type { Command } from 'commander';
import { createNodeApp } from '../../runtimes/node/app.js';
import { consentMode, envPort, port } from '../options.js';

interface ServeOptions {
  port: number;
  host: string;
  store?: string;
  dataDir: string;
  site?: string;
  nodeId: string;
  consent: 'opt-in' | 'opt-out';
}

async function serve(o: ServeOptions): Promise<void> {
  const app = await createNodeApp({
    dataDir: o.dataDir,
    nodeId: o.nodeId,
    consentMode: o.consent,
    ...(o.store ? { store: o.store } : {}),
    ...(o.site ? { siteDir: o.site } : {}),
  });
  const bound = await app.listen(o.port, o.host);
  const host = o.host === '0.0.0.0' ? 'localhost' : o.host;
  const s = app.engine.state;
  console.log(
    `[tessera] ${s.compiled.site.name} on http://${host}:${bound} (node ${o.nodeId}, store ${s.store.name}, model ${s.model.artifact?.version ?? 'none'})`,
  );
  const stop = () => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function registerServe(program: Command): void {
  program
    .command('dev')
    .description('run the demo shop with the embedded store (PORT, default 8787)')
    .option('--port <n>', 'port', port, envPort())
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'where the embedded store lives', '.tessera')
    .option('--consent <mode>', 'opt-in or opt-out', consentMode, 'opt-in' as const)
    .action((o) => serve({ ...o, nodeId: 'dev' }));

  program
    .command('serve')
    .description('run a Tessera node')
    .option('--port <n>', 'port', port, envPort())
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--node-id <name>', 'node id (unique per process)', process.env.TESSERA_NODE_ID ?? 'node-1')
    .option('--store <url>', 'profile store: sqlite:PATH or memory:', process.env.TESSERA_STORE)
    .option('--data-dir <dir>', 'data directory', process.env.TESSERA_DATA_DIR ?? '.tessera')
    .option('--site <dir>', 'site folder with shop.mjs (default: the demo shop)')
    .option('--consent <mode>', 'opt-in or opt-out', consentMode, 'opt-in' as const)
    .action((o) => serve(o));
}
