// `music show <run> [--json]`: one run in detail: state, folder, credits, steps, tracks or albums,
// failures, what it waits for, and the files its record lists. The exit code is the run's state
// (0 succeeded or running, 3 partial, 4 needs attention, 1 failed).
import { readCommand, runReadCommand } from '../client/readCommand';
import { describeRun, resolveRunId } from '../client/runCatalog';
import { detailText } from '../client/runCatalogText';
import { exitCodeForState } from '../client/exitCodes';

const program = readCommand('show', 'Show one song, pipeline, album or batch run in detail.')
  .argument('<run>', "a workflow id (as `music list` prints it), the unique beginning of one, or the run's output folder")
  .addHelpText(
    'after',
    `
Exit code: 0 succeeded or running, 3 partial, 4 needs attention, 1 failed (see README, Exit codes).
Examples:
  music show song-rain-1a2b3c
  music show album-rainy-day-songs --json
  music show out/singles/song-rain-1a2b3c`,
  );

async function main(): Promise<void> {
  program.parse();
  const [given] = program.args as [string];
  const opts = program.opts<{ json: boolean; start: boolean }>();
  await runReadCommand('show', opts, async ({ client }) => {
    const detail = await describeRun(client, await resolveRunId(client, given));
    process.stdout.write(opts.json ? `${JSON.stringify(detail, null, 2)}\n` : detailText(detail));
    return exitCodeForState(detail.state);
  });
}

void main();
