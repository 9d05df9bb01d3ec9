// `npm start`: the whole system in the foreground (dev server unless TEMPORAL_ADDRESS is set, the
// simulator for providers without an API key, the callback endpoint, and the worker). Ctrl-C stops
// everything it started.
import { Command } from 'commander';
import { ConfigError, ENVIRONMENT_HELP, loadConfig } from '../runtime/config';
import { startStack } from '../stack/stack';
import { INTERRUPT_STOP_DEADLINE_MS, SIGNAL_EXIT_CODES, type StopSignal } from '../client/cli';

const program = new Command('start')
  .description('Run the music pipeline stack in the foreground until Ctrl-C.')
  .option('--no-worker', 'start the servers only (run workers elsewhere)')
  .addHelpText('after', `\nThen, in another terminal: npm run song -- --prompt "..."\n\n${ENVIRONMENT_HELP}`);

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ worker: boolean }>();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const stack = await startStack({ config, log, worker: opts.worker });
  log(`ready${stack.uiUrl ? `: open ${stack.uiUrl}` : ''} (Ctrl-C to stop)`);

  // The first signal stops everything in order (worker, endpoints, dev server) and never starts anything
  // again; a second one, or a stop that overruns its deadline, exits at once (the dev server's exit
  // hook still kills the server). Exit 0 after a clean stop, 130 / 143 after a forced one.
  let stopping: StopSignal | undefined;
  const shutdown = (signal: StopSignal) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    stopping = signal;
    log(`${signal}: stopping (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to exit at once)`);
    setTimeout(() => {
      log(`stopping took longer than ${INTERRUPT_STOP_DEADLINE_MS / 1000} s: exiting`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }, INTERRUPT_STOP_DEADLINE_MS).unref();
    stack
      .stop()
      .then(() => {
        log('stopped');
        process.exit(0);
      })
      .catch((err: Error) => {
        process.stderr.write(`start: ${err.message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  process.stderr.write(`start: ${err.message}\n`);
  process.exit(1);
});
