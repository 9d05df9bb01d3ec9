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

/**
 * Ctrl-C leaves the run going: say so, close what this process started, and exit 130. Returns a
 * check the caller uses to stay quiet about the aborted wait (it is not a failure of the run).
 */
export function leaveRunningOnInterrupt(session: Session, say: (line: string) => void, what: string): () => boolean {
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    const where = session.started === 'nothing' ? 'continues on the running worker' : 'continues the next time a worker runs';
    say(`\ninterrupted: ${what} ${where}; run the same command again to attach.`);
    void session.close().finally(() => process.exit(130));
  });
  return () => interrupted;
}
