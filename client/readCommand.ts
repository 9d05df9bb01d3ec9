// What `music status`, `list` and `show` share: their filter options, the connection for reading,
// and how they end (exit codes from client/exitCodes.ts; with --json, errors as `{ "error": … }`).
import { Command, InvalidArgumentError, Option } from 'commander';
import { configOrExit } from './cli';
import { EXIT, badInputExitsWith2 } from './exitCodes';
import { KIND_NAMES, RUN_STATES, RunNotFoundError, type RunFilter, type RunKind, type RunState } from './runCatalog';
import { NoRunsYetError, openForReading, type ReadConnection } from './readConnection';
import { PROVIDER_NAMES } from '../providers/model';

export interface ReadOptions {
  json: boolean;
  start: boolean;
}

/** A command with --json and --no-start, and bad input exiting 2. */
export function readCommand(name: string, description: string): Command {
  return badInputExitsWith2(
    new Command(name)
      .description(description)
      .option('--json', 'print one JSON document and nothing else on stdout', false)
      .option('--no-start', 'when the embedded Temporal server is not running, say so instead of starting it to read .data/'),
  );
}

/** The filter options of `status` and `list`. */
export function addFilterOptions(program: Command): Command {
  return program
    .addOption(new Option('--provider <name>', 'only runs at this provider').choices(PROVIDER_NAMES))
    .addOption(new Option('--state <state>', 'only runs in this state').choices(RUN_STATES))
    .addOption(new Option('--kind <kind>', 'only songs, pipelines, albums or batches').choices(KIND_NAMES))
    .option('--album <id>', "only this album's run and its tracks", albumId)
    .option('--children', 'also the runs inside albums and batches (each track, each album of a batch)', false);
}

function albumId(value: string): string {
  if (!/^[\w.:-]+$/.test(value)) throw new InvalidArgumentError('an album id has only letters, digits and . _ : -');
  return value;
}

export function filterOf(opts: { provider?: string; state?: RunState; kind?: RunKind; album?: string; children?: boolean }): RunFilter {
  return { provider: opts.provider, state: opts.state, kind: opts.kind, album: opts.album, children: opts.children };
}

/**
 * Opens a connection for reading, runs `work`, closes, and sets the exit code `work` answers.
 * `whenNoRuns` answers for a project that has never run anything (list: nothing; show: not found).
 */
export async function runReadCommand(command: string, opts: ReadOptions, work: (conn: ReadConnection) => Promise<number>, whenNoRuns?: () => number): Promise<void> {
  const config = configOrExit(command);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  let code: number;
  let conn: ReadConnection | undefined;
  try {
    conn = await openForReading(config, { startDevServer: opts.start, say: opts.json ? undefined : say });
    code = await work(conn);
  } catch (err) {
    if (err instanceof NoRunsYetError && whenNoRuns) {
      if (!opts.json) say(err.message);
      code = whenNoRuns();
    } else {
      const message = (err as Error).message;
      code = err instanceof RunNotFoundError || err instanceof NoRunsYetError ? EXIT.badInput : EXIT.failed;
      if (opts.json) process.stdout.write(`${JSON.stringify({ error: message }, null, 2)}\n`);
      say(`${command}: ${message}`);
    }
  } finally {
    await conn?.close().catch(() => {});
  }
  // Not process.exit(): stdout may still be draining into a pipe.
  process.exitCode = code;
}
