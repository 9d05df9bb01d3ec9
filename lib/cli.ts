// What every client script shares: how it exits on bad input, and which stack log lines a person
// wants to see while a command waits.
import { ConfigError, loadConfig, type Config } from './config';

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
