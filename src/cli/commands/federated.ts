/**
 * `tessera federated simulate`: every user of a ratings file trains as a
 * federated client in-process, with secure aggregation and DP-FedAvg; the
 * result beside a centralized model of the same form and popularity.
 * Progress goes to stderr; with --json stdout is only the JSON object.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type SimulateReport, simulateFederated } from '../../federated/simulate.js';
import { AXES, type Axis, tuneFederated } from '../../federated/tune.js';
import { positiveInt } from '../options.js';

interface SimulateFlags {
  data: string;
  split: 'stratified';
  by: 'item' | 'user';
  ratio: number;
  seed: number;
  rounds: number;
  clientsPerRound: number;
  epsilon: number;
  delta: number;
  k: number;
  dim: number;
  clip: number;
  neighbours?: number;
  minClients?: number;
  dropout: number;
  json?: boolean;
}

function fraction(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

function share(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number in [0, 1)');
  return n;
}

function epsilon(v: string): number {
  if (/^inf(inity)?$/i.test(v)) return Number.POSITIVE_INFINITY;
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number or "inf"');
  return n;
}

function positive(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

const env = (name: string): string | undefined => process.env[name];

function table(r: SimulateReport): string {
  const row = (name: string, s: SimulateReport['federated']): string =>
    `${name.padEnd(12)} ${[s.map, s.ndcg, s.precision, s.recall].map((v) => v.toFixed(4).padStart(9)).join(' ')}`;
  return [
    `model           map@${r.k}   ndcg@${r.k}   prec@${r.k}    rec@${r.k}`,
    row('federated', r.federated),
    row('centralized', r.centralized),
    row('popularity', r.popularity),
    `ε=${r.epsilon === Number.POSITIVE_INFINITY ? 'inf' : r.epsilon.toFixed(3)} at δ=${r.delta} after ${r.rounds} rounds (z=${r.noise_multiplier.toFixed(3)}), ${r.clients} clients, ${r.clients_per_round} per round, ${r.dropped} dropped`,
  ].join('\n');
}

/** JSON cannot say Infinity: ε = ∞ is written as the string "inf". */
export function simulateJson(r: SimulateReport): object {
  const inf = (x: number): number | string => (Number.isFinite(x) ? x : 'inf');
  return { ...r, epsilon: inf(r.epsilon), round_epsilon: inf(r.round_epsilon) };
}

export async function federatedSimulateCommand(flags: SimulateFlags): Promise<SimulateReport> {
  const log = (m: string): void => {
    process.stderr.write(`[tessera] ${m}\n`);
  };
  const report = await simulateFederated({
    data: flags.data,
    by: flags.by,
    ratio: flags.ratio,
    seed: flags.seed,
    rounds: flags.rounds,
    clientsPerRound: flags.clientsPerRound,
    epsilon: flags.epsilon,
    delta: flags.delta,
    k: flags.k,
    dim: flags.dim,
    clip: flags.clip,
    dropout: flags.dropout,
    ...(flags.neighbours !== undefined ? { neighbours: flags.neighbours } : {}),
    ...(flags.minClients !== undefined ? { minClients: flags.minClients } : {}),
    log,
  });
  if (flags.json) {
    process.stderr.write(`${table(report)}\n`);
    process.stdout.write(`${JSON.stringify(simulateJson(report), null, 2)}\n`);
  } else process.stdout.write(`${table(report)}\n`);
  return report;
}

interface TuneFlags {
  data: string;
  by: 'item' | 'user';
  ratio: number;
  seed: number;
  clientsPerRound: number;
  epsilon: number;
  delta: number;
  k: number;
  axes?: Axis[];
  centre?: { rounds: number; learningRate: number; clip: number; epochs: number };
  json?: boolean;
}

function axes(v: string): Axis[] {
  const list = v.split(',').filter(Boolean);
  for (const a of list)
    if (!(AXES as string[]).includes(a)) throw new InvalidArgumentError(`axes are ${AXES.join(', ')}`);
  return list as Axis[];
}

function centre(v: string): NonNullable<TuneFlags['centre']> {
  const [rounds, learningRate, clip, epochs] = v.split(',').map(Number);
  if (![rounds, learningRate, clip, epochs].every((x) => x !== undefined && x > 0))
    throw new InvalidArgumentError('expected ROUNDS,LOCAL_LR,CLIP,LOCAL_EPOCHS');
  return { rounds: rounds!, learningRate: learningRate!, clip: clip!, epochs: epochs! };
}

/** Prints the procedure, every trial's validation score and the choice; the test split is never read. */
export async function federatedTuneCommand(flags: TuneFlags): Promise<void> {
  const log = (m: string): void => {
    process.stderr.write(`[tessera] ${m}\n`);
  };
  const { axes: only, centre: around, ...rest } = flags;
  const r = await tuneFederated({
    ...rest,
    ...(only ? { axes: only } : {}),
    ...(around ? { centre: around } : {}),
    log,
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const lines = [
    r.procedure,
    `fit: ${r.fitInteractions} interactions of ${r.fitUsers} users; validation: ${r.validationInteractions}`,
    `rounds  local-lr  clip  local-epochs  val-ndcg@${flags.k}`,
    ...r.trials.map(
      (t) =>
        `${String(t.rounds).padStart(6)}  ${String(t.learningRate).padStart(8)}  ${String(t.clip).padStart(4)}  ${String(t.epochs).padStart(12)}  ${t.ndcg.toFixed(4).padStart(11)}${t === r.best ? '  ← chosen' : ''}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerFederated(program: Command): void {
  const federated = program.command('federated').description('federated learning with differential privacy');
  federated
    .command('tune')
    .description(
      'choose rounds, local learning rate, clip and local epochs on a validation split carved from the training data',
    )
    .requiredOption('--data <file>', 'ratings file (split here, as simulate splits it)')
    .addOption(
      new Option('--by <group>', 'stratify per item or per user').choices(['item', 'user']).default('item'),
    )
    .option(
      '--ratio <r>',
      'share of each group in training (and in the fit part of training)',
      fraction,
      0.75,
    )
    .option('--seed <n>', 'seed of the split (the validation split uses seed + 1)', nonNegativeInt, 42)
    .option('--clients-per-round <n>', 'clients per round', positiveInt, Number.POSITIVE_INFINITY)
    .option('--epsilon <e>', 'the budget the defaults are chosen for, or "inf"', epsilon, 8)
    .option('--delta <d>', 'δ of the (ε, δ) guarantee', fraction, 1e-5)
    .option('--k <n>', 'list length', positiveInt, 10)
    .option(
      '--axes <list>',
      `axes to vary, comma-separated (default all: ${AXES.join(',')}); "" for the centre only`,
      axes,
    )
    .option(
      '--centre <r,lr,clip,epochs>',
      'the setting the axes vary around (default: the current defaults)',
      centre,
    )
    .option('--json', 'print the trials as JSON on stdout')
    .action(async (flags: TuneFlags) => {
      await federatedTuneCommand(flags);
    });
  federated
    .command('simulate')
    .description(
      'run every user of a ratings file as a federated client; compare with centralized and popularity',
    )
    .requiredOption('--data <file>', 'ratings file (split here)')
    .addOption(
      new Option('--split <split>', 'how --data is split').choices(['stratified']).default('stratified'),
    )
    .addOption(
      new Option('--by <group>', 'stratify per item or per user').choices(['item', 'user']).default('item'),
    )
    .option('--ratio <r>', 'share of each group in training', fraction, 0.75)
    .option('--seed <n>', 'seed of the split, initialization and client order', nonNegativeInt, 42)
    .addOption(
      new Option('--rounds <n>', 'federated rounds (TESSERA_FL_ROUNDS)')
        .argParser(positiveInt)
        .default(positiveInt(env('TESSERA_FL_ROUNDS') ?? '30')),
    )
    .addOption(
      new Option('--clients-per-round <n>', 'clients per round (TESSERA_FL_CLIENTS_PER_ROUND)')
        .argParser(positiveInt)
        .default(
          env('TESSERA_FL_CLIENTS_PER_ROUND') === undefined
            ? Number.POSITIVE_INFINITY
            : positiveInt(env('TESSERA_FL_CLIENTS_PER_ROUND')!),
          'every client',
        ),
    )
    .addOption(
      new Option('--epsilon <e>', 'total privacy budget ε, or "inf" for no noise (TESSERA_FL_EPSILON)')
        .argParser(epsilon)
        .default(epsilon(env('TESSERA_FL_EPSILON') ?? '8')),
    )
    .addOption(
      new Option('--delta <d>', 'δ of the (ε, δ) guarantee (TESSERA_FL_DELTA)')
        .argParser(fraction)
        .default(fraction(env('TESSERA_FL_DELTA') ?? '1e-5')),
    )
    .option('--k <n>', 'list length', positiveInt, 10)
    .option('--dim <n>', 'embedding dimension', positiveInt, 16)
    .option('--clip <c>', 'per-client L2 bound C', positive, 1)
    .option(
      '--neighbours <n>',
      'masking neighbours per client (default 2·⌈log2 clients per round⌉)',
      positiveInt,
    )
    .option('--min-clients <n>', 'a round closes only with this many survivors (default half)', positiveInt)
    .option('--dropout <p>', 'share of clients that drop mid-round, to exercise recovery', share, 0)
    .option('--json', 'print the result as JSON on stdout')
    .action(async (flags: SimulateFlags) => {
      await federatedSimulateCommand(flags);
    });
}
