// `rollouts lab up|down|status|errors`: the local stack (lab/stack/) as background processes on
// loopback. Only the verbs are declared here: the lab's code (and the Kubernetes client it loads, a
// second of start-up) is imported when a lab verb runs, so the product's command never loads it.
import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { required, UsageError } from './usage.js';

const loadLab = () => import('../../lab/stack/lab.js');
const ERRORS_USAGE = 'rollouts lab errors IMAGE RATE';

export function addLab(program: Command, context: CommandContext): void {
  const { io } = context;
  const lab = program
    .command('lab')
    .description('the local stack as background processes on loopback (LAB_DIR, default .lab/)');
  lab
    .command('up')
    .description(
      'start Temporal, kube-apiserver, the mesh simulator, Prometheus and a worker; write .lab/env',
    )
    .action(async () => {
      context.exitCode = await (await loadLab()).labUp(io);
    });
  lab
    .command('down')
    .description('stop what lab up started (data stays)')
    .option('--purge', "also delete the lab's data: Temporal history, etcd, Prometheus, logs")
    .action(async (opts: { purge?: boolean }) => {
      context.exitCode = await (await loadLab()).labDown(io, { purge: opts.purge === true });
    });
  lab
    .command('status')
    .description('each component, its pid, whether it answers, its URL (exit 3 unless all are up)')
    .action(async () => {
      context.exitCode = await (await loadLab()).labStatus(io);
    });
  lab
    .command('errors')
    .description("set the mesh simulator's error rate for an image")
    .usage('IMAGE RATE')
    .argument('[IMAGE]', 'e.g. argoproj/rollouts-demo:green')
    .argument('[RATE]', 'a fraction (0.65) or a percentage (65%)')
    .action(async (imageArg: string | undefined, rateArg: string | undefined) => {
      const image = required(imageArg, 'the IMAGE', ERRORS_USAGE);
      const rateText = required(rateArg, 'the error RATE', ERRORS_USAGE);
      const { parseRate, RateError } = await import('../../lab/stack/rate.js');
      let rate: number;
      try {
        rate = parseRate(rateText);
      } catch (err) {
        throw err instanceof RateError ? new UsageError(`lab errors: ${err.message}`) : err;
      }
      context.exitCode = await (await loadLab()).labErrors(io, image, rate);
    });
}
