// `npm run album -- FILE [--out DIR] [--json] [--budget N]`: make an album from a manifest.
// `npm run album -- FILE --release-check [--json]`: check the album already made from it for release.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { planAlbum } from '../album/manifest/plan';
import { ENVIRONMENT_HELP } from '../runtime/config';
import { exitWith, configOrExit, stackLogFor } from '../client/cli';
import { badInputExitsWith2, EXIT, exitCodeForState } from '../client/exitCodes';
import { followRun } from '../client/followRun';
import { albumView } from '../client/progressLines';
import { followProgress } from '../client/terminalProgress';
import { trackStepsOf } from '../client/trackSteps';
import { creditsLine, reusedFileCount, reuseLine } from '../client/terminalSummary';
import { startOrAttach } from '../client/runs';
import { outputFolderProblem } from '../client/outputFolder';
import { openSession, type Session } from '../client/session';
import { albumProgressQuery } from '../contracts/albumMessages';
import type { AlbumPipelineInput, AlbumPipelineResult } from '../contracts/albumPipeline';
import type { AlbumDeliverySummary } from '../contracts/albumDelivery';
import { albumPipeline } from '../album/albumPipeline';
import { MusicAlbum, MusicProvider, MusicState } from '../contracts/searchAttributes';
import { loadAlbumManifest } from '../album/manifest/manifest';
import { checkRelease, ReleaseCheckInputError } from '../album/release/releaseCheck';
import { formatReleaseReport } from '../album/release/reportText';
import type { Config } from '../runtime/config';

const program = new Command('album')
  .description('Make a whole album from a YAML (or JSON) manifest, durably: one song run per track.')
  .argument('<file>', 'album manifest (see examples/)')
  .option('--out <dir>', 'output folder (default: OUT_DIR or ./out); the album goes to <out>/<album id>/')
  .option('--budget <credits>', 'refuse to start when the estimate exceeds this (overrides the manifest)', parseCredits)
  .option('--no-callbacks', 'do not ask the provider for webhooks; poll only')
  .option('--json', 'print one JSON document with every track and file', false)
  .option('--release-check', 'start nothing: check the album already made from this manifest for what a distributor would refuse (exit 3 if anything)', false)
  .addHelpText(
    'after',
    `
Examples:
  npm run album -- examples/rainy-day-album.yaml
  npm run album -- examples/instrumental-ep.yaml --budget 200 --json
  npm run album -- examples/rainy-day-album.yaml --release-check

The estimate (credits per track and step, from the price table; MUSIC_PRICES_FILE overrides it) is
printed before anything starts. Ctrl-C leaves the album running; running the same command again
attaches to it, and a finished album run again only pays for what is missing.

${ENVIRONMENT_HELP}`,
  );

function parseCredits(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--budget takes a positive number of credits');
  return n;
}

async function main(): Promise<void> {
  badInputExitsWith2(program).parse();
  const [file] = program.args as [string];
  const opts = program.opts<{ out?: string; budget?: number; callbacks: boolean; json: boolean; releaseCheck: boolean }>();
  const config = configOrExit('album');
  if (opts.releaseCheck) return releaseCheck(file, config, opts);
  const planned = await planAlbum(file, config, { out: opts.out, callbacks: opts.callbacks, budget: opts.budget });
  if (!planned.ok) exitWith('album', `${file}: nothing was started:\n${planned.errors.map((e) => `  ${e}`).join('\n')}`);
  const { album, input, estimateTable } = planned.plan;
  const albumDir = input.outDir;
  const folderProblem = await outputFolderProblem(albumDir, opts.out !== undefined ? '--out' : 'OUT_DIR', config);
  if (folderProblem) exitWith('album', `${folderProblem}; nothing was started`);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (!opts.json) say(`"${album.title}" by ${album.artist}: ${album.tracks.length} tracks on ${album.provider}\n\n${estimateTable}\n`);

  const session = await openSession(config, stackLogFor(say, opts));
  const workflowId = `album-${album.id}`;
  // Each running track's step too, from its own run, each asked at most every 3 s.
  const progress = followProgress(albumProgressQuery, 1500, (display, id) => albumView(id, display), process.stderr, (handle) => trackStepsOf(handle, 3_000));
  await followRun(session, {
    workflowId,
    start: () => startAlbum(session, workflowId, input, say),
    watch: (handle, show) => progress.watch(handle, show),
    print: (result) => {
      progress.finish(result.tracks);
      print(result, albumDir, opts.json);
    },
    outageSubject: `album ${workflowId}`,
    interruptSubject: `album ${workflowId} keeps its runs and`,
    uiLink: true,
    failure: { tellAs: 'album' },
    json: opts.json,
    say,
  });
}

/** Reads the album folder on this machine, pays nothing and starts nothing, so it needs no Temporal. */
async function releaseCheck(file: string, config: Config, opts: { out?: string; json: boolean }): Promise<void> {
  if (config.artifactStore.kind !== 'local') exitWith('album', '--release-check reads the album folder on this machine; with ARTIFACT_STORE set to a bucket, copy the album here and set ARTIFACT_STORE=local');
  const loaded = await loadAlbumManifest(file, { defaultProvider: config.provider });
  if (!loaded.ok) exitWith('album', `${file}:\n${loaded.errors.map((e) => `  ${e}`).join('\n')}`);
  const album = loaded.album;
  const albumDir = path.resolve(opts.out ?? config.outDir, album.id);
  const isrcs = new Map(album.tracks.flatMap((t) => (t.isrc ? [[t.number, t.isrc] as const] : [])));
  let report;
  try {
    report = await checkRelease({ albumDir, release: album.release, isrcs });
  } catch (err) {
    if (err instanceof ReleaseCheckInputError) exitWith('album', err.message);
    throw err;
  }
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReleaseReport(report));
  // 3, as for a partial album: the album exists, and some of it is not fit for release yet.
  process.exitCode = report.ready ? EXIT.success : EXIT.partial;
}

async function startAlbum(session: Session, workflowId: string, input: AlbumPipelineInput, say: (l: string) => void): Promise<WorkflowHandle<typeof albumPipeline>> {
  const { handle, firstExecutionRunId } = await startOrAttach(session, albumPipeline, {
    workflowId,
    args: [input],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: MusicProvider, value: input.provider },
      { key: MusicAlbum, value: input.albumId },
      { key: MusicState, value: 'running' },
    ],
    staticSummary: `album "${input.title}" by ${input.artist} (${input.tracks.length} tracks, ${input.provider})`,
    staticDetails: `concurrency ${input.concurrency}, failure policy ${input.failurePolicy.mode}, persona ${input.persona.strategy}, output ${input.outDir}`,
  });
  if (firstExecutionRunId) say(`album run ${workflowId} (${firstExecutionRunId})`);
  return handle;
}

function print(result: AlbumPipelineResult, albumDir: string, json: boolean): void {
  process.exitCode = exitCodeForState(result.status);
  const reusedFiles = result.tracks.reduce((n, t) => n + (t.result ? reusedFileCount(t.result.steps, t.result.artifacts) : 0), 0);
  if (json) {
    const tracks = result.tracks.map((t) => ({
      number: t.number,
      title: t.title,
      state: t.state,
      attempts: t.attempts,
      workflowId: t.workflowId,
      creditsSpent: t.creditsSpent,
      error: t.error,
      tagged: t.tagged,
      mastered: t.mastered,
      artifacts: (t.result?.artifacts ?? t.run?.artifacts)?.map((a) => ({ kind: a.kind, path: a.path, sha256: a.sha256, bytes: a.bytes, durationSeconds: a.durationSeconds })),
    }));
    process.stdout.write(`${JSON.stringify({ albumId: result.albumId, status: result.status, personaId: result.personaId, albumDir, creditsSpent: result.creditsSpent, creditsTotal: result.creditsTotal, reusedFiles, files: result.files, tracks, delivery: result.delivery }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`\nalbum ${result.status}: ${albumDir}${result.personaId ? ` (persona ${result.personaId})` : ''}\n`);
  for (const t of result.tracks) {
    const file = t.tagged ? path.basename(t.tagged.path) : '';
    process.stdout.write(`  ${String(t.number).padStart(2)}. ${t.title.padEnd(28)} ${t.state.padEnd(9)} ${String(t.creditsSpent ?? 0).padStart(6)} credits  ${file}${t.error ? `  (${t.error})` : ''}\n`);
  }
  for (const f of result.files) process.stdout.write(`  ${f.kind.padEnd(15)} ${path.basename(f.path)}\n`);
  if (result.delivery) process.stdout.write(deliveryLines(result.delivery));
  const reuse = reuseLine(reusedFiles, result.creditsSpent);
  if (reuse) process.stdout.write(`  ${reuse}\n`);
  process.stdout.write(`  ${creditsLine(result.creditsSpent, result.creditsTotal === undefined ? undefined : { amount: result.creditsTotal, of: 'album' })}\n`);
}

/** The delivery folder: each master's loudness and true peak measured after mastering, and what did not line up. */
function deliveryLines(delivery: AlbumDeliverySummary): string {
  const lines = [`  delivery folder ${delivery.folder}`];
  for (const t of delivery.tracks) {
    lines.push(`    ${String(t.number).padStart(2)}. ${path.basename(t.master).padEnd(32)} ${t.integratedLufs.toFixed(1)} LUFS, true peak ${t.truePeakDb.toFixed(1)} dBTP`);
    for (const problem of t.stemProblems) lines.push(`        stem ${problem}`);
  }
  if (delivery.cover) lines.push(`    cover ${path.basename(delivery.cover.path)}${delivery.cover.warning ? `  (warning: ${delivery.cover.warning})` : ''}`);
  for (const error of delivery.errors) lines.push(`    not delivered: ${error}`);
  return `${lines.join('\n')}\n`;
}

main().catch((err: Error) => exitWith('album', err.message, 1));
