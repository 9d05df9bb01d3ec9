// `music list [--provider P] [--state S] [--kind K] [--album A] [--limit N] [--json]`: past and
// running runs, newest first.
import { InvalidArgumentError } from 'commander';
import { addFilterOptions, filterOf, readCommand, runReadCommand } from '../client/readCommand';
import { listRuns, type RunKind, type RunState } from '../client/runCatalog';
import { runTable } from '../client/runCatalogText';
import { EXIT } from '../client/exitCodes';

const program = addFilterOptions(readCommand('list', 'List past and running songs, pipelines, albums and batches, newest first.'))
  .option('--limit <n>', 'at most this many runs', parseLimit, 20)
  .option('--all', 'every run, however many')
  .addHelpText(
    'after',
    `
Runs inside albums and batches (each track's song run) are listed with --children or --album.
Examples:
  music list --state failed
  music list --provider acedata --kind album --json
  music list --album rainy-day-songs`,
  );

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('--limit takes a whole number from 1');
  return n;
}

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ json: boolean; start: boolean; provider?: string; state?: RunState; kind?: RunKind; album?: string; children: boolean; limit: number; all?: boolean }>();
  const filter = { ...filterOf(opts), limit: opts.all ? undefined : opts.limit };
  await runReadCommand(
    'list',
    opts,
    async ({ client }) => {
      const runs = await listRuns(client, filter);
      process.stdout.write(opts.json ? `${JSON.stringify({ runs }, null, 2)}\n` : runTable(runs));
      return EXIT.success;
    },
    () => {
      if (opts.json) process.stdout.write(`${JSON.stringify({ runs: [] }, null, 2)}\n`);
      return EXIT.success;
    },
  );
}

void main();
