#!/usr/bin/env node
/**
 * The `tessera` command. Each command lives in its own file under
 * `commands/` and registers itself here.
 * @module
 */
import { Command } from 'commander';
import { registerAdmin } from './commands/admin.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEval } from './commands/eval.js';
import { registerExperiment } from './commands/experiment.js';
import { registerFederated } from './commands/federated.js';
import { registerModelCommands } from './commands/model.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerTrain } from './commands/train.js';

const program = new Command();
program.name('tessera').description('Edge personalization engine').version('0.1.0');
registerServe(program);
registerTrain(program);
registerEval(program);
registerSimulate(program);
registerExperiment(program);
registerFederated(program);
registerAdmin(program);
registerModelCommands(program);
registerDoctor(program);

program.parseAsync().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
