// The exit codes every command uses, in one place, so a shell script or CI job can tell a partial
// album from a failed one, a typo from a crash, and a run waiting for a person from a finished one.
// The README's "Exit codes" table is this list; test/commands.test.ts checks a few of them on real
// processes.
import { CommanderError, type Command } from 'commander';

export const EXIT = {
  /** The command did what it was asked; a run it followed or showed succeeded (or is running fine). */
  success: 0,
  /** A run failed, or the command could not do its work (server unreachable, an unexpected error). */
  failed: 1,
  /** Bad input: an unknown option, a bad value, a bad configuration. Nothing was started or paid for. */
  badInput: 2,
  /** A run finished with some steps or tracks failed; the files of the others are kept. */
  partial: 3,
  /** A run waits for an operator: a submit whose outcome is unknown (`music resolve`). */
  needsAttention: 4,
  /** Ctrl-C (SIGINT): the command stopped waiting; the run it followed goes on. 128 + 2, as shells report it. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for a run's state, as results, track.json and the MusicState search attribute spell it. */
export function exitCodeForState(state: string): ExitCode {
  switch (state) {
    case 'succeeded':
    case 'running':
    case 'awaiting-choice':
    case 'queued':
      return EXIT.success;
    case 'partial':
      return EXIT.partial;
    case 'needs-attention':
      return EXIT.needsAttention;
    default:
      // failed, terminated, timed-out, cancelled, and anything this list does not know yet.
      return EXIT.failed;
  }
}

/**
 * Commander exits 1 on an unknown option or a bad value; ours is 2 (bad input), and 0 stays 0 for
 * --help and --version. Call it on a command before `parse()`.
 */
export function badInputExitsWith2(program: Command): Command {
  return program.exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? EXIT.success : EXIT.badInput);
  });
}
