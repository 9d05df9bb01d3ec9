// What every client script shares: how it exits on bad input, and which stack log lines a person
// wants to see while a command waits.
import { ConfigError, loadConfig, type Config } from '../runtime/config';
import type { Session } from './session';

/** Prints `<command>: <message>` and exits; 2 means bad input (nothing was started), 1 a failure. */
export function exitWith(command: string, message: string, code = 2): never {
  process.stderr.write(`${command}: ${message}\n`);
  process.exit(code);
}

/** The validated configuration, or an exit naming the variable that is wrong. */
export function configOrExit(command: string): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) exitWith(command, err.message);
    throw err;
  }
}

/** Each simulator request and each callback is chatter for --verbose; the rest is worth showing. */
export function isStackMilestone(line: string): boolean {
  return !line.startsWith('simulator: ') && !line.startsWith('callback ');
}

/**
 * Where the embedded stack's log lines go: nowhere with --json (stdout is the result's), everything
 * with --verbose, otherwise only the milestones (each simulator request and callback is chatter).
 */
export function stackLogFor(say: (line: string) => void, opts: { json: boolean; verbose?: boolean }): (line: string) => void {
  if (opts.json) return () => {};
  if (opts.verbose) return say;
  return (line) => {
    if (isStackMilestone(line)) say(line);
  };
}

/** Exit codes after a signal, as a shell reports a process killed by it (128 + the signal number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** The clean stop after a signal may take this long (the worker's grace, then the dev server's); then the exit is forced. */
export const INTERRUPT_STOP_DEADLINE_MS = 30_000;

/**
 * Ctrl-C or SIGTERM leaves the run going (it is kept by the Temporal server): say so, run `stop`
 * (end the waits still in flight, then close what this process started) and exit 130 or 143. A
 * second signal, or a stop that overruns INTERRUPT_STOP_DEADLINE_MS, exits at once; the dev server's
 * exit hook still kills the server this process started. Returns a check the caller uses to stay
 * quiet about the aborted wait (it is not a failure of the run) and a release for a normal end.
 */
export function leaveRunningOnInterrupt(say: (line: string) => void, what: string, where: string, stop: () => Promise<void>): { interrupted: () => boolean; release: () => void } {
  let first: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (first) {
      say(`${signal} again: exiting now`);
      process.exit(SIGNAL_EXIT_CODES[first]);
    }
    first = signal;
    const code = SIGNAL_EXIT_CODES[signal];
    say(`\ninterrupted: ${what} ${where}; run the same command again to attach. (Ctrl-C again to exit at once)`);
    const deadline = setTimeout(() => {
      say(`stopping took longer than ${INTERRUPT_STOP_DEADLINE_MS / 1000} s: exiting`);
      process.exit(code);
    }, INTERRUPT_STOP_DEADLINE_MS);
    deadline.unref();
    stop()
      .catch((err: Error) => say(`while stopping: ${err.message}`))
      .finally(() => process.exit(code));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    interrupted: () => first !== undefined,
    release: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
