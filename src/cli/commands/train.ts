/** `tessera train`: the model from the event log, into the model store, with a progress bar. */
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { createNodeApp } from '../../runtimes/node/app.js';

interface TrainFlags {
  dataDir: string;
  store?: string;
  site?: string;
  algorithm: string;
  perUser?: number;
  candidate?: boolean;
}

function nonNegativeIntOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

/** A bar on a terminal; plain lines when stderr is a pipe or a file (CI logs stay readable). */
function progress(): { step(name: string, index: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) {
    return {
      step: (name, index, total) => process.stderr.write(`[tessera] train ${index + 1}/${total}: ${name}\n`),
      stop: () => {},
    };
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format: '[tessera] train [{bar}] {value}/{total} {step}',
    barCompleteChar: '#',
    barIncompleteChar: '-',
    hideCursor: true,
  });
  let started = false;
  return {
    step(name, index, total) {
      if (!started) bar.start(total, index, { step: name });
      else bar.update(index, { step: name });
      started = true;
    },
    stop() {
      if (!started) return;
      bar.update(bar.getTotal(), { step: 'done' });
      bar.stop();
    },
  };
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the recommendation model from the event log and store it; running servers pick it up')
    .option('--data-dir <dir>', 'data directory', '.tessera')
    .option('--store <url>', 'store holding the event log', process.env.TESSERA_STORE)
    .option('--site <dir>', 'site folder with shop.mjs (default: the demo shop)')
    .option(
      '--algorithm <name>',
      'blend (attributes + co-occurrence), or a trained model: ease, itemknn, als, bpr, ensemble ' +
        '(a validation-weighted blend of ease, itemknn, als and bpr), gru4rec (the blend plus a GRU4Rec session model in ONNX)',
      'blend',
    )
    .option(
      '--per-user <n>',
      "with a trained model: items in each known visitor's precomputed list (default 20; 0 = none)",
      nonNegativeIntOption,
    )
    .option(
      '--candidate',
      'register the model as the candidate instead of serving it (TESSERA_TRAIN_CANDIDATE=1)',
    )
    .action(async (o: TrainFlags) => {
      const env = process.env.TESSERA_PER_USER;
      const perUser = o.perUser ?? (env === undefined || env === '' ? undefined : nonNegativeIntOption(env));
      const candidate = o.candidate === true || process.env.TESSERA_TRAIN_CANDIDATE === '1';
      const app = await createNodeApp({
        dataDir: o.dataDir,
        retrainMs: 0,
        modelPollMs: 0,
        trainIfEmpty: false,
        ...(o.store ? { store: o.store } : {}),
        ...(o.site ? { siteDir: o.site } : {}),
      });
      const bar = progress();
      const lines: string[] = [];
      try {
        const r = await app.train({
          ...(o.algorithm !== 'blend' ? { algorithm: o.algorithm } : {}),
          ...(perUser !== undefined ? { perUser } : {}),
          ...(candidate ? { candidate: true } : {}),
          onStep: bar.step,
          log: (l) => lines.push(l),
        });
        bar.stop();
        for (const l of lines) console.error(`[tessera] ${l}`);
        const s = r.stats;
        const params = Object.entries(s.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        console.log(
          `[tessera] ${candidate ? 'candidate ' : ''}model ${r.version} (${s.algorithm}${params ? ` ${params}` : ''}): ${r.items} items ` +
            `(${s.newItems} new), ${r.interactions} interactions, ${s.contexts} context lists, ` +
            `${s.userLists} visitor lists, ` +
            `${(r.bytes / 1024 / 1024).toFixed(2)} MiB, ${r.ms.toFixed(0)} ms`,
        );
      } finally {
        bar.stop();
        await app.close();
      }
    });
}
