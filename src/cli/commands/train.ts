/** `tessera train`: the model from the event log, into the model store. */
import type { Command } from 'commander';
import { createNodeApp } from '../../runtimes/node/app.js';

export function registerTrain(program: Command): void {
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
}
