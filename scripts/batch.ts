// `music batch FILES... [--max-albums N]`: make many albums, a few at a time, in one durable batch.
import { Command, InvalidArgumentError } from 'commander';
import { planAlbum, type AlbumPlan } from '../album/manifest/plan';
import { ENVIRONMENT_HELP } from '../runtime/config';
import { exitWith, configOrExit, stackLogFor } from '../client/cli';
import { EXIT, badInputExitsWith2 } from '../client/exitCodes';
import { followRun } from '../client/followRun';
import { batchView } from '../client/progressLines';
import { followProgress } from '../client/terminalProgress';
import { printBatchResult } from '../client/terminalSummary';
import { startOrAttach } from '../client/runs';
import { openSession } from '../client/session';
import { outputFolderProblem } from '../client/outputFolder';
import { shortHash } from '../runtime/slug';
import { batchProgressQuery } from '../contracts/batchMessages';
import type { BatchAlbumSummary, BatchPipelineInput } from '../contracts/batchPipeline';
import { batchPipeline } from '../album/batchPipeline';

const program = badInputExitsWith2(new Command('batch')
  .description('Make several albums in one durable batch run, a bounded number at a time.')
  .argument('<files...>', 'album manifests')
  // Commander appends the default to the description itself.
  .option('--max-albums <n>', 'albums in production at once', parseCount, 2)
  .option('--out <dir>', 'output folder (default: OUT_DIR or ./out)')
  .option('--no-callbacks', 'do not ask providers for webhooks; poll only')
  .option('--json', 'print one JSON document with every album', false)
  .addHelpText('after', `\nEvery manifest is checked (and priced) before anything starts. Ctrl-C leaves the batch running; the same command attaches again.\nExit codes: 0 every album succeeded, 3 some did not, 1 none did or the batch failed, 2 bad input, 130 interrupted.\n\n${ENVIRONMENT_HELP}`));

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new InvalidArgumentError('--max-albums takes a whole number from 1 to 50');
  return n;
}

async function main(): Promise<void> {
  program.parse();
  const files = program.args;
  const opts = program.opts<{ maxAlbums: number; out?: string; callbacks: boolean; json: boolean }>();
  const config = configOrExit('batch');
  const plans: AlbumPlan[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const planned = await planAlbum(file, config, { out: opts.out, callbacks: opts.callbacks });
    if (planned.ok) plans.push(planned.plan);
    // Some errors (a missing file) already start with the file's name.
    else problems.push(...planned.errors.map((e) => (e.startsWith(`${file}:`) ? e : `${file}: ${e}`)));
  }
  const ids = plans.map((p) => p.album.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) problems.push(`album ${duplicate} is listed twice`);
  for (const p of plans) {
    const folderProblem = await outputFolderProblem(p.input.outDir, opts.out !== undefined ? '--out' : 'OUT_DIR', config);
    if (folderProblem) problems.push(folderProblem);
  }
  if (problems.length > 0) exitWith('batch', `nothing was started:\n${problems.map((p) => `  ${p}`).join('\n')}`);

  const say = (line: string) => process.stderr.write(`${line}\n`);
  const total = plans.reduce((n, p) => n + p.estimate.total, 0);
  if (!opts.json) for (const p of plans) say(`${p.album.title} (${p.album.tracks.length} tracks, ${p.album.provider}): about ${p.estimate.total} credits`);
  if (!opts.json) say(`batch total: about ${total} credits\n`);

  const session = await openSession(config, stackLogFor(say, opts));
  const workflowId = `batch-${shortHash(ids)}`;
  const progress = followProgress(batchProgressQuery, 2000, (display) => batchView(ids, display));
  const input: BatchPipelineInput = { albums: plans.map((p) => p.input), maxAlbums: opts.maxAlbums };
  await followRun(session, {
    workflowId,
    start: async () => {
      const { handle } = await startOrAttach(session, batchPipeline, { workflowId, args: [input], staticSummary: `batch of ${plans.length} albums` });
      say(`batch run ${workflowId}`);
      return handle;
    },
    watch: (handle, show) => progress.watch(handle, show),
    print: (done: BatchAlbumSummary[]) => {
      process.exitCode = batchExitCode(done);
      progress.finish(done);
      printBatchResult(workflowId, done, new Map(plans.map((p) => [p.album.id, p.input.outDir])), opts.json);
    },
    outageSubject: `batch ${workflowId}`,
    interruptSubject: `batch ${workflowId}`,
    // main's catch tells it as `batch: <message>` and exits 1.
    failure: 'rethrow',
    json: opts.json,
    say,
  });
}

/** Every album succeeded: 0; none did: 1 (failed); anything between: 3 (partial). */
function batchExitCode(done: BatchAlbumSummary[]): number {
  if (done.every((d) => d.status === 'succeeded')) return EXIT.success;
  return done.some((d) => d.status !== 'failed') ? EXIT.partial : EXIT.failed;
}

main().catch((err: Error) => exitWith('batch', err.message, EXIT.failed));
