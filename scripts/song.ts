// `npm run song -- --prompt "..."`: make one song and print where its files are.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { ENVIRONMENT_HELP } from '../runtime/config';
import { exitWith, configOrExit, stackLogFor } from '../client/cli';
import type { Config } from '../runtime/config';
import { badInputExitsWith2, exitCodeForState } from '../client/exitCodes';
import { followRun } from '../client/followRun';
import { outputFolderProblem } from '../client/outputFolder';
import { pipelineView } from '../client/progressLines';
import { followProgress } from '../client/terminalProgress';
import { creditsLine, reusedFileCount, reuseLine, runCredits, stepPrices } from '../client/terminalSummary';
import { loadPriceTable } from '../providers/priceFile';
import type { PriceTable } from '../providers/prices';
import { startOrAttach } from '../client/runs';
import { openSession, type Session } from '../client/session';
import { shortHash, slugify } from '../runtime/slug';
import { PROVIDER_NAMES, TRANSFORM_STEPS, type ProviderName, type SongRequest } from '../providers/model';
import { songPipelineLimitProblems } from '../providers/limits';
import { adapterFor, missingCapabilities } from '../providers/registry';
import { progressQuery } from '../contracts/pipelineMessages';
import { MusicProvider, MusicState, MusicStep } from '../contracts/searchAttributes';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { PIPELINE_STEPS as SONG_PIPELINE_STEPS, type PipelineStep as SongPipelineStep } from '../contracts/trackManifest';
import { songPipeline } from '../song/songPipeline';

const program = new Command('song')
  .description('Make one song with a Suno-compatible provider, durably, and store its files.')
  .requiredOption('--prompt <text>', 'what the song is about (also the lyrics prompt)', nonEmpty('--prompt'))
  .option('--title <title>', 'song title (default: the title the lyrics step proposes)', nonEmpty('--title'))
  .option('--style <style>', 'style tags, e.g. "lo-fi, piano, mellow"', nonEmpty('--style'))
  .option('--instrumental', 'no vocals (skips the lyrics step)', false)
  .option('--model <name>', "provider model name (default: the provider's newest)", nonEmpty('--model'))
  .addOption(new Option('--provider <name>', 'provider to use (default: MUSIC_PROVIDER or anyint)').choices(PROVIDER_NAMES))
  .option('--steps <list>', `comma-separated steps to run, in any order (${SONG_PIPELINE_STEPS.join(',')}); default: every step the provider offers`, parseSteps)
  .option('--lyrics-file <file>', 'sing these lyrics (UTF-8 text) instead of generating them')
  .option('--persona-id <id>', 'sing with an existing persona (voice) instead of creating one', nonEmpty('--persona-id'))
  .option('--review [minutes]', 'wait for a person to choose the clip (npm run choose-clip) before the later steps; default 30 minutes, 0 for no review', parseMinutes)
  .option('--out <dir>', 'output folder (default: OUT_DIR or ./out)', nonEmpty('--out'))
  .option('--id <workflowId>', 'workflow id (default: derived from the request, so the same request attaches to its run)', parseWorkflowId)
  .option('--no-callbacks', 'do not ask the provider for webhooks; poll only')
  .addOption(
    new Option('--on-unknown-submit <policy>', 'when a submit got no answer: wait for `npm run resolve` (never pays twice), or resubmit (may pay twice)')
      .choices(['wait', 'resubmit'])
      .default('wait'),
  )
  .option('--json', 'print one JSON document (workflowId, runId, status, artifacts) and nothing else on stdout', false)
  .option('--verbose', "also show the embedded stack's log (simulator requests, callbacks)", false)
  .addHelpText(
    'after',
    `
Examples:
  npm run song -- --prompt "a calm piano piece about rain"
  npm run song -- --prompt "summer road trip" --style "indie pop" --title "Open Roads" --json
  MUSIC_PROVIDER=anyint ANYINT_BASE_URL=https://gateway.example ANYINT_API_KEY=... npm run song -- --prompt "..."

Without TEMPORAL_ADDRESS the command uses the dev server of \`npm start\` if one runs, and otherwise
starts an embedded one (data in .data/) for its own duration. Running the same request again attaches
to its run instead of paying for a new one.

${ENVIRONMENT_HELP}`,
  );

function nonEmpty(flag: string) {
  return (value: string) => {
    if (value.trim() === '') throw new InvalidArgumentError(`${flag} must not be empty`);
    return value;
  };
}

/** The id also names the output folder, so it must be a plain name. */
function parseWorkflowId(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(value) || value.includes('..')) {
    throw new InvalidArgumentError('--id must be 1-200 letters, digits, dots, dashes or underscores, start with a letter or digit, and contain no ".."');
  }
  return value;
}

/** `--review 0` reads as "no time for a review": no review, as if the flag were not given. */
function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (value.trim() === '' || !Number.isFinite(minutes) || minutes < 0 || minutes > 7 * 24 * 60) throw new InvalidArgumentError('--review takes a number of minutes from 0 (no review) to 10080 (a week)');
  return minutes;
}

function parseSteps(value: string): SongPipelineStep[] {
  const steps = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = steps.filter((s) => !(SONG_PIPELINE_STEPS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    const transforms = unknown.filter((s) => (TRANSFORM_STEPS as readonly string[]).includes(s));
    const hint = transforms.length > 0 ? `; ${transforms.join(', ')} ${transforms.length === 1 ? 'is a transform' : 'are transforms'} of a finished song: run ${transforms.length === 1 ? 'it' : 'them'} with \`npm run pipeline\` (see docs/pipelines.md)` : '';
    throw new InvalidArgumentError(`unknown step(s) ${unknown.join(', ')}; song takes: ${SONG_PIPELINE_STEPS.join(', ')}${hint}`);
  }
  if (!steps.includes('song')) throw new InvalidArgumentError('the steps must include song (the later steps work on its clip)');
  return steps as SongPipelineStep[];
}

interface Options {
  prompt: string;
  title?: string;
  style?: string;
  instrumental: boolean;
  model?: string;
  provider?: ProviderName;
  steps?: SongPipelineStep[];
  lyricsFile?: string;
  personaId?: string;
  review?: number | true;
  out?: string;
  id?: string;
  callbacks: boolean;
  onUnknownSubmit: 'wait' | 'resubmit';
  json: boolean;
  verbose: boolean;
}

async function main(): Promise<void> {
  badInputExitsWith2(program).parse();
  const opts = program.opts<Options>();
  const config = configOrExit('song');
  const provider = opts.provider ?? config.provider;
  const offered = adapterFor(provider).capabilities;
  const steps = opts.steps ?? SONG_PIPELINE_STEPS.filter((s) => offered.includes(s) && !(s === 'persona' && opts.personaId));
  const missing = missingCapabilities(provider, steps);
  if (missing.length > 0) exitWith('song', `provider ${provider} does not offer step(s) ${missing.join(', ')}; nothing was submitted`);
  if (opts.instrumental && opts.lyricsFile) exitWith('song', '--lyrics-file and --instrumental contradict each other');
  const lyrics = opts.lyricsFile ? await readLyricsFile(opts.lyricsFile) : undefined;

  const request: SongRequest = { prompt: opts.prompt, title: opts.title, style: opts.style, lyrics, instrumental: opts.instrumental, model: opts.model, personaId: opts.personaId };
  const callbacks = opts.callbacks && config.callbacks.enabled;
  // The id (and folder) name the song, not the steps: asking for more steps later reuses the song.
  const workflowId = opts.id ?? `song-${slugify(opts.title ?? opts.prompt)}-${shortHash({ provider, request })}`;
  // Every text too long for the provider, all at once, before anything is paid for.
  const tooLong = songPipelineLimitProblems(provider, request, steps);
  if (tooLong.length > 0) exitWith('song', `too long for ${provider}; nothing was submitted:\n${tooLong.map((p) => `  ${p}`).join('\n')}`);
  const outDir = path.resolve(opts.out ?? config.outDir, 'singles', workflowId);
  try {
    // Build the song request as the provider will get it (a stand-in for lyrics still to come), so
    // a field the provider cannot take is refused now, before anything is paid for.
    const lyricsComing = steps.includes('lyrics') && !request.instrumental && !request.lyrics;
    adapterFor(provider).buildSubmit({ kind: 'song', song: { ...request, lyrics: request.lyrics ?? (lyricsComing ? 'lyrics' : undefined) } }, 'https://callbacks.invalid/dry-run');
  } catch (err) {
    exitWith('song', `the request does not fit ${provider}: ${(err as Error).message}`);
  }
  await checkOutputFolder('song', outDir, opts.out !== undefined ? '--out' : 'OUT_DIR', config);
  const reviewMinutes = opts.review === undefined ? 0 : opts.review === true ? 30 : opts.review;
  const review = reviewMinutes > 0 ? { timeoutMs: reviewMinutes * 60_000 } : undefined;
  const prices = await loadPriceTable().catch((err: Error) => exitWith('song', err.message));
  const input: SongPipelineInput = {
    provider,
    request,
    steps: SONG_PIPELINE_STEPS.filter((s) => steps.includes(s)),
    outDir,
    callbacks,
    review,
    onAmbiguousSubmit: opts.onUnknownSubmit,
    // The run keeps the song's running credit total in track.json at these prices.
    prices: stepPrices(prices, provider),
  };

  const say = (line: string) => process.stderr.write(`${line}\n`);
  const session = await openSession(config, stackLogFor(say, opts));
  const progress = followProgress(progressQuery, 1000, (display, id) => pipelineView(id, display));
  await followRun(session, {
    workflowId,
    start: () => startSong(session, workflowId, input, say),
    watch: (handle, show) => progress.watch(handle, show),
    print: (result) => {
      progress.finish(result.steps);
      printResult(result, opts.json, prices);
    },
    outageSubject: `run ${workflowId}`,
    interruptSubject: `run ${workflowId} is kept and`,
    uiLink: true,
    failure: { tellAs: 'song' },
    json: opts.json,
    say,
  });
}

async function startSong(session: Session, workflowId: string, input: SongPipelineInput, say: (line: string) => void): Promise<WorkflowHandle<typeof songPipeline>> {
  const { handle, firstExecutionRunId } = await startOrAttach(session, songPipeline, {
    workflowId,
    args: [input],
    // A running run with this id is attached to (startOrAttach). A finished one may run again: it
    // reuses every file that is still intact (track.json), so only missing or failed steps cost anything.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: MusicProvider, value: input.provider },
      { key: MusicStep, value: 'queued' },
      { key: MusicState, value: 'running' },
    ],
    staticSummary: `${input.provider}: ${input.request.title ?? input.request.prompt.slice(0, 60)}`,
    staticDetails: `steps ${input.steps.join(' → ')}, callbacks ${input.callbacks ? 'on' : 'off'}, output ${input.outDir}`,
  });
  say(firstExecutionRunId ? `run ${workflowId} (${firstExecutionRunId})` : `run ${workflowId} exists: attaching`);
  return handle;
}

function printResult(result: SongPipelineResult, json: boolean, prices: PriceTable): void {
  const creditsSpent = runCredits(result.steps, prices, result.provider);
  // Over every run of this song in its folder (track.json); a run started without prices has none.
  const creditsTotal = result.credits?.spent;
  const reusedFiles = reusedFileCount(result.steps, result.artifacts);
  const artifacts = result.artifacts.map((a) => ({ kind: a.kind, path: a.path, sha256: a.sha256, bytes: a.bytes, ...(a.durationSeconds ? { durationSeconds: a.durationSeconds } : {}) }));
  const steps = result.steps.map((s) => ({
    step: s.stepId,
    state: s.state,
    ...(s.taskId ? { taskId: s.taskId } : {}),
    ...(s.startedAt && s.finishedAt ? { seconds: (s.finishedAt - s.startedAt) / 1000 } : {}),
    ...(s.reused ? { reused: true } : {}),
    ...(s.error ? { error: s.error } : {}),
  }));
  process.exitCode = exitCodeForState(result.status);
  if (json) {
    const { workflowId, runId, status, provider, title, outDir, personaId, failedSteps } = result;
    process.stdout.write(`${JSON.stringify({ workflowId, runId, status, provider, title, outDir, personaId, clipId: result.clip.clipId, creditsSpent, ...(creditsTotal !== undefined ? { creditsTotal } : {}), reusedFiles, steps, failedSteps, artifacts }, null, 2)}\n`);
    return;
  }
  const headline = result.status === 'succeeded' ? 'is ready' : `is ready except ${result.failedSteps.map((f) => f.step).join(', ')}`;
  process.stdout.write(`\n"${result.title}" ${headline}: ${result.outDir}\n`);
  process.stdout.write(`  clip     ${result.clip.clipId}\n`);
  if (result.personaId) process.stdout.write(`  persona  ${result.personaId}\n`);
  for (const a of artifacts) {
    const duration = a.durationSeconds ? ` ${a.durationSeconds.toFixed(1)} s` : '';
    const name = path.relative(result.outDir, a.path);
    process.stdout.write(`  ${a.kind.padEnd(9)} ${name.padEnd(24)} ${String(a.bytes).padStart(9)} bytes${duration.padEnd(8)}  sha256 ${a.sha256.slice(0, 16)}…\n`);
  }
  for (const f of result.failedSteps) process.stdout.write(`  FAILED   ${f.step}: ${f.error}\n`);
  const reuse = reuseLine(reusedFiles, creditsSpent);
  if (reuse) process.stdout.write(`  ${reuse}\n`);
  process.stdout.write(`  ${creditsLine(creditsSpent, creditsTotal === undefined ? undefined : { amount: creditsTotal, of: 'song' })}\n`);
}

async function readLyricsFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    exitWith('song', `--lyrics-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (text.includes('\uFFFD')) exitWith('song', `--lyrics-file ${file}: not UTF-8 text`);
  if (text.trim().length === 0) exitWith('song', `--lyrics-file ${file}: the file is empty`);
  if (text.length > 5000) exitWith('song', `--lyrics-file ${file}: ${text.length} characters; providers accept at most 5000`);
  return text.trim();
}

async function checkOutputFolder(command: string, dir: string, source: string, config: Config): Promise<void> {
  const problem = await outputFolderProblem(dir, source, config);
  if (problem) exitWith(command, problem);
}

main().catch((err: Error) => exitWith('song', err.message, 1));
