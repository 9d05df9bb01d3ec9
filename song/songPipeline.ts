// A song request becomes a finished track folder: lyrics (unless given or instrumental), the song,
// the choice of a clip, then every later step the request names (persona, stems, WAV, MP4, cover art,
// timestamped lyrics) side by side, each file verified and listed in track.json. A later step that
// fails is reported and the rest is kept; running the same request again reuses what is intact.
import { ApplicationFailure, log, patched, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ArtifactRecord } from '../contracts/artifacts';
import type { Clip, ClipRef, SongRequest, TaskSnapshot } from '../providers/model';
import { runAfterSongStep, type AfterSongContext } from './afterSongSteps';
import { storeDownload, tagSong, writeTextArtifact as writeTextArtifactRemotely, writeTextArtifactLocally } from '../artifacts/artifactProxies';
import { loadPreviousTrack, loadPreviousTrackLocally } from './previousTrackProxies';
import { runBounded } from '../steps/bounded';
import { addRunCredits, creditsPaid } from '../steps/paidCredits';
import { withPaidSteps } from '../steps/paidStepsOnFailure';
import { innermostMessage } from '../steps/failureMessage';
import { chooseClip } from './clipChoice';
import { songInputProblems } from './songInputCheck';
import { progressQuery, type PipelineProgress } from '../contracts/pipelineMessages';
import { runProviderStep } from '../steps/providerStep';
import { createStepRunner, progressReporting, STEP_RUNNER_PATCHES } from '../steps/stepRunner';
import { runPatches } from '../steps/runPatches';
import { MusicProvider, MusicState, MusicStep } from '../contracts/searchAttributes';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { AFTER_SONG_STEPS, manifestFile, type AfterSongStep, type PipelineStep, type StepRecord, type TrackManifest } from '../contracts/trackManifest';

/** Later steps that make no sense for this request are dropped rather than failed. */
function applicable(step: AfterSongStep, request: SongRequest): boolean {
  if (request.instrumental && (step === 'persona' || step === 'timestamped-lyrics')) return false;
  if (request.personaId && step === 'persona') return false;
  return true;
}

/**
 * Patch marker: the small reads and writes run as local activities, and the lyrics files are written
 * while the song renders rather than before it is submitted. Runs begun before replay as they ran.
 */
export const SONG_FEWER_HOPS = 'song-fewer-hops';

/**
 * Patch marker: the song's files are tagged, decided when the run begins. Asked for at the end (as
 * 'single-song-tags' was), the question followed a local write and could not replay (see
 * SLOT_FAST_PATH_FROM_START); runs that recorded the old marker keep asking where they did.
 */
export const SONG_TAGS_FROM_START = 'single-song-tags-from-start';

export const SONG_INPUT_REFUSED = 'SongInputRefused';

/**
 * Patch marker: the lyrics files are written before the song is submitted again, decided when the
 * run begins. Written while the song's step ran, a local activity's result could reach the workflow
 * one task earlier on replay than live, and the song step's next command then took another
 * activity id (`Activity id of scheduled event '7' does not match ... '8'`, seen in CI under load).
 */
export const SONG_LYRICS_STORED_FIRST = 'song-lyrics-stored-first';

/**
 * Patch marker: nothing but the submit stands between the lyrics and the song (issue 17's hop from
 * the lyrics' webhook to the song's submit):
 * - the lyrics' provider slot passes to the song (SlotClaims.pass), with no round trip through the
 *   semaphore;
 * - the lyrics files are written once the song's submit has been answered, not before it is sent.
 *   In sequence, not beside the song's step, so they replay where they ran (SONG_LYRICS_STORED_FIRST);
 *   a song whose submit fails, or whose slot never came, still writes them, so that the next attempt
 *   reuses the lyrics it paid for.
 */
export const SONG_QUICK_HOP = 'song-quick-hop';

export async function songPipeline(input: SongPipelineInput): Promise<SongPipelineResult> {
  const { workflowId, runId } = workflowInfo();
  const problems = songInputProblems(input);
  if (problems.length > 0) {
    // Before any patch marker, handler or activity: a refused run leaves nothing behind to replay.
    throw ApplicationFailure.create({ type: SONG_INPUT_REFUSED, nonRetryable: true, message: `songPipeline input refused, nothing was started or paid for: ${problems.join('; ')}` });
  }
  const patches = runPatches([SONG_FEWER_HOPS, SONG_TAGS_FROM_START, SONG_LYRICS_STORED_FIRST, ...STEP_RUNNER_PATCHES, SONG_QUICK_HOP], {
    'run-patches-2026-12': [SONG_QUICK_HOP],
  });
  const fewerHops = patches.applies[SONG_FEWER_HOPS];
  const tagsFromStart = patches.applies[SONG_TAGS_FROM_START];
  const lyricsStoredFirst = patches.applies[SONG_LYRICS_STORED_FIRST];
  const quickHop = patches.applies[SONG_QUICK_HOP];
  const writeTextArtifact = fewerHops ? writeTextArtifactLocally : writeTextArtifactRemotely;
  const progress: PipelineProgress = { state: 'running', steps: [], hints: { received: 0, ignored: 0 } };
  setHandler(progressQuery, () => progress);

  const reporting = progressReporting(progress, () => setCurrentDetails(describe(progress, workflowId)));
  const { report } = reporting;
  const runner = createStepRunner({
    provider: input.provider,
    patches: patches.applies,
    workflowId,
    callbacks: input.callbacks,
    onAmbiguous: input.onAmbiguousSubmit,
    deadlines: input.deadlines,
    ...reporting,
  });

  upsertSearchAttributes([
    { key: MusicProvider, value: input.provider },
    { key: MusicState, value: 'running' },
  ]);

  const request: SongRequest = { ...input.request };
  const artifacts: ArtifactRecord[] = [];
  const records: TrackManifest['steps'] = {};
  const previous = await (fewerHops ? loadPreviousTrackLocally : loadPreviousTrack)({ dir: input.outDir });
  const reuse = (step: PipelineStep, record: StepRecord | undefined, files: ArtifactRecord[]) => {
    report({ stepId: step, kind: step, state: 'done', taskId: record?.taskId, reused: true });
    records[step] = { state: 'succeeded', taskId: record?.taskId, files: files.map((f) => manifestFile(input.outDir, f).file), personaId: record?.personaId };
    artifacts.push(...files);
  };

  /**
   * For a single (the client gave prices): what this run paid so far added to what earlier runs in
   * this folder paid, by run id, so a rerun that reuses everything adds 0 and keeps the total.
   */
  const credits = () => (input.prices ? addRunCredits(previous?.manifest.credits, previous?.manifest.runId, runId, creditsPaid(progress.steps, input.prices)) : undefined);

  let clip: ClipRef & { tags?: string };
  let title: string;
  let songSeconds: number;
  const reusableSong = previous?.reusable.song;
  const songReused = Boolean(previous?.manifest.clip && reusableSong);
  if (previous?.manifest.clip && reusableSong) {
    // The song (and the lyrics it was sung with) exist from an earlier run of this request.
    if (previous.reusable.lyrics) reuse('lyrics', previous.manifest.steps.lyrics, previous.reusable.lyrics);
    reuse('song', previous.manifest.steps.song, reusableSong);
    clip = previous.manifest.clip;
    title = previous.manifest.title;
    request.lyrics ??= previous.lyricsText?.trim();
    songSeconds = reusableSong.find((a) => a.kind === 'audio')?.durationSeconds ?? clip.durationSeconds ?? 0;
  } else {
    if (previous?.reusable.lyrics && previous.lyricsText?.trim() && input.steps.includes('lyrics') && !request.lyrics && !request.instrumental) {
      // An earlier attempt paid for lyrics and then failed (its song refused, say): sing those
      // rather than pay for new ones, which would also be other words than a calm run's.
      reuse('lyrics', previous.manifest.steps.lyrics, previous.reusable.lyrics);
      request.lyrics = previous.lyricsText.trim();
    }
    try {
      ({ clip, title, songSeconds } = await makeSong());
    } catch (err) {
      // An album sees only this failure: it carries what was paid (the song, before its file failed).
      const failure = withPaidSteps(err, progress.steps);
      // The slot the lyrics passed on, when the song never came to use it (nothing when none is held).
      if (quickHop) await runner.slots.release('song');
      progress.state = 'failed';
      const running = progress.steps.find((s) => s.finishedAt === undefined);
      if (running) report({ stepId: running.stepId, kind: running.kind, state: 'failed', error: innermostMessage(err) });
      upsertSearchAttributes([{ key: MusicState, value: 'failed' }]);
      setCurrentDetails(describe(progress, workflowId));
      throw failure;
    }
  }

  async function makeSong(): Promise<{ clip: ClipRef & { tags?: string }; title: string; songSeconds: number }> {
    if (input.steps.includes('lyrics') && !request.lyrics && !request.instrumental) {
      const lyricsTask = await runProviderStep(runner, 'lyrics', { kind: 'lyrics', lyrics: { prompt: request.prompt } }, quickHop ? { passSlotTo: { stepId: 'song', kind: 'song' } } : {});
      const variant = lyricsTask.lyrics[0];
      if (!variant) throw ApplicationFailure.nonRetryable(`step lyrics: ${input.provider} task ${lyricsTask.taskId} succeeded without lyrics text`, 'ProviderTaskEmpty');
      request.lyrics = variant.text;
      request.title ??= variant.title;
      const lyricsTitle = request.title ?? 'Untitled';
      const storeLyrics = async () => {
        const file = await writeTextArtifact({ dir: input.outDir, fileName: 'lyrics.txt', text: `${variant.text.trim()}\n`, kind: 'lyrics' });
        artifacts.push(file);
        records.lyrics = { state: 'succeeded', taskId: lyricsTask.taskId, files: [manifestFile(input.outDir, file).file] };
        // Done before track.json is written, so the record counts the lyrics as paid.
        report({ stepId: 'lyrics', kind: 'lyrics', state: 'done' });
        // Recorded at once: if the song fails, the next attempt (an album retries a track) reuses them.
        await writeTextArtifact({ dir: input.outDir, fileName: 'track.json', text: `${JSON.stringify(lyricsOnlyManifest(lyricsTitle), null, 2)}\n`, kind: 'manifest' });
      };
      if (quickHop) {
        let stored = false;
        const storeOnce = async () => {
          if (stored) return;
          stored = true;
          await storeLyrics();
        };
        let songTask: TaskSnapshot;
        try {
          songTask = await runProviderStep(runner, 'song', { kind: 'song', song: request }, { afterSubmit: storeOnce });
        } catch (err) {
          // The song's slot never came: the lyrics are still written, and the song's failure reported.
          await storeOnce().catch(() => undefined);
          throw err;
        }
        return storeSong(songTask);
      }
      if (!fewerHops || lyricsStoredFirst) await storeLyrics();
      else {
        // Runs begun before SONG_LYRICS_STORED_FIRST: the song was submitted at once and the lyrics
        // files written while it rendered (they replay as they ran).
        let stored: { error: unknown } | undefined;
        const storing = storeLyrics().then(
          () => undefined,
          (error: unknown) => void (stored = { error }),
        );
        let songTask: TaskSnapshot;
        try {
          songTask = await runProviderStep(runner, 'song', { kind: 'song', song: request });
        } finally {
          await storing;
        }
        if (stored) throw stored.error;
        return storeSong(songTask);
      }
    }

    return storeSong(await runProviderStep(runner, 'song', { kind: 'song', song: request }));
  }

  async function storeSong(songTask: TaskSnapshot): Promise<{ clip: ClipRef & { tags?: string }; title: string; songSeconds: number }> {
    const picked: Clip | undefined = await chooseClip(songTask.clips, progress, input.review);
    if (!picked?.audioUrl) throw ApplicationFailure.nonRetryable(`step song: ${input.provider} task ${songTask.taskId} succeeded without a downloadable clip`, 'ProviderTaskEmpty');
    const songTitle = request.title ?? picked.title ?? 'Untitled';

    report({ stepId: 'song', kind: 'song', state: 'storing' });
    const source = { provider: input.provider, taskId: songTask.taskId, clipId: picked.id };
    const pending = [
      storeDownload({ url: picked.audioUrl, dir: input.outDir, name: 'song', kind: 'audio', check: { media: 'audio' }, source: { ...source, url: picked.audioUrl } }),
    ];
    if (picked.imageUrl) {
      // With a cover-art step the generated art is cover.png; the clip's own image is kept beside it.
      const name = input.steps.includes('cover-art') ? 'clip-image' : 'cover';
      pending.push(storeDownload({ url: picked.imageUrl, dir: input.outDir, name, kind: 'cover', check: { media: 'image' }, source: { ...source, url: picked.imageUrl } }));
    }
    if (request.lyrics && !request.instrumental && !records.lyrics) {
      // The user's own lyrics, or those an album generated for this track.
      pending.push(writeTextArtifact({ dir: input.outDir, fileName: 'lyrics.txt', text: `${request.lyrics.trim()}\n`, kind: 'lyrics' }));
    }
    const files = await Promise.all(pending);
    artifacts.push(...files);
    const lyricsFile = files.find((f) => f.kind === 'lyrics');
    if (lyricsFile && input.lyricsTaskId) records.lyrics = { state: 'succeeded', taskId: input.lyricsTaskId, files: [manifestFile(input.outDir, lyricsFile).file] };
    const songFiles = files.filter((f) => f.kind !== 'lyrics');
    records.song = { state: 'succeeded', taskId: songTask.taskId, files: songFiles.map((f) => manifestFile(input.outDir, f).file) };
    const seconds = files.find((f) => f.kind === 'audio')!.durationSeconds!;
    report({ stepId: 'song', kind: 'song', state: 'done' });
    return {
      clip: { taskId: songTask.taskId, clipId: picked.id, audioUrl: picked.audioUrl, durationSeconds: seconds, title: picked.title, tags: picked.tags },
      title: songTitle,
      songSeconds: seconds,
    };
  }

  function lyricsOnlyManifest(songTitle: string): TrackManifest {
    return {
      version: 1,
      title: songTitle,
      provider: input.provider,
      workflowId,
      runId,
      request: { prompt: request.prompt, style: request.style, instrumental: request.instrumental, model: request.model, personaId: input.request.personaId },
      steps: { ...records },
      files: artifacts.filter((a) => a.kind !== 'manifest').map((a) => manifestFile(input.outDir, a)),
      ...(input.prices ? { credits: credits() } : {}),
    };
  }

  /**
   * song.mp3 tagged in place like an album track, once every file it carries exists; its new sha256
   * (and the untouched audio's) go into track.json. A failure leaves the song untagged, not lost.
   */
  async function tagTheSong(): Promise<void> {
    const { song, coverPath, lyricsPath, lrcPath } = songTagFiles(artifacts);
    if (song < 0) return;
    try {
      const tagged = await tagSong({ song: artifacts[song]!, title, genre: request.style, coverPath, lyricsPath, lrcPath });
      artifacts[song] = tagged.song;
    } catch (err) {
      log.warn('song.mp3 left untagged', { error: innermostMessage(err) });
    }
  }

  /**
   * Later steps an earlier run paid for (of this same clip) that this run has not reached yet. The
   * record written as soon as the song is settled keeps them: written with this run's steps only,
   * it dropped them, and when this run was cut short the next attempt paid for them again.
   */
  const carriedOver = (): AfterSongStep[] =>
    songReused ? AFTER_SONG_STEPS.filter((step) => records[step] === undefined && input.steps.includes(step) && previous?.reusable[step] !== undefined) : [];
  const manifest = (): TrackManifest => ({
    version: 1,
    title,
    provider: input.provider,
    workflowId,
    runId,
    request: { prompt: request.prompt, style: request.style, instrumental: request.instrumental, model: request.model, personaId: input.request.personaId },
    clip,
    personaId: records.persona?.personaId ?? input.request.personaId ?? previous?.manifest.personaId,
    steps: { ...Object.fromEntries(carriedOver().map((step) => [step, previous!.manifest.steps[step]])), ...records },
    files: [...artifacts.filter((a) => a.kind !== 'manifest'), ...carriedOver().flatMap((step) => previous!.reusable[step]!)].map((a) => manifestFile(input.outDir, a)),
    ...(input.prices ? { credits: credits() } : {}),
  });
  const writeManifest = () => writeTextArtifact({ dir: input.outDir, fileName: 'track.json', text: `${JSON.stringify(manifest(), null, 2)}\n`, kind: 'manifest' });
  // Written as soon as the song is stored, so an interrupted run's successor can reuse it.
  await writeManifest();

  const later = AFTER_SONG_STEPS.filter((s) => input.steps.includes(s));
  for (const step of later.filter((s) => !applicable(s, request))) report({ stepId: step, kind: step, state: 'skipped' });
  const toRun = later.filter((s) => applicable(s, request));
  const parallelSteps = input.parallelSteps ?? 8;
  // The later steps that submit a task all start at once: one search-attribute update names them
  // together, where one per step cost an event each and left only the last one named.
  const submitting = toRun.filter((step) => !previous?.reusable[step]);
  const shownTogether = runner.fewerEvents && submitting.length > 1 && submitting.length <= parallelSteps;
  if (shownTogether) upsertSearchAttributes([{ key: MusicStep, value: submitting.join(',') }]);
  const context: AfterSongContext = { runner, shownTogether, provider: input.provider, clip, songSeconds, outDir: input.outDir, title, style: request.style, lyrics: request.lyrics };
  const failedSteps: SongPipelineResult['failedSteps'] = [];
  await runBounded(
    toRun.map((step) => async () => {
      const reusable = previous?.reusable[step];
      if (reusable) {
        reuse(step, previous?.manifest.steps[step], reusable);
        return;
      }
      try {
        const outcome = await runAfterSongStep(step, context);
        artifacts.push(...outcome.files);
        records[step] = { state: 'succeeded', taskId: outcome.taskId, files: outcome.files.map((f) => manifestFile(input.outDir, f).file), personaId: outcome.personaId };
        report({ stepId: step, kind: step, state: 'done' });
      } catch (err) {
        const error = innermostMessage(err);
        failedSteps.push({ step, error });
        records[step] = { state: 'failed', error, files: [] };
        report({ stepId: step, kind: step, state: 'failed', error });
      }
    }),
    parallelSteps,
  );

  // patched: a run that started before songs were tagged replays without the new activity.
  if (input.tagSong !== false && (tagsFromStart || patched('single-song-tags'))) await tagTheSong();
  artifacts.push(await writeManifest());
  const status = failedSteps.length === 0 ? 'succeeded' : 'partial';
  progress.state = status;
  upsertSearchAttributes([
    { key: MusicStep, value: 'done' },
    { key: MusicState, value: status },
  ]);
  setCurrentDetails(describe(progress, workflowId));
  const personaId = manifest().personaId;
  const spent = credits();
  return { workflowId, runId, status, provider: input.provider, title, outDir: input.outDir, personaId, clip, steps: progress.steps, failedSteps, artifacts, ...(spent ? { credits: spent } : {}) };
}

/** The files an MP3 song is tagged with, from what the run has (or reused): the art before the clip's image. */
function songTagFiles(artifacts: readonly ArtifactRecord[]) {
  const song = artifacts.findIndex((a) => a.kind === 'audio' && a.path.endsWith('.mp3'));
  const cover = artifacts.find((a) => a.kind === 'cover-art') ?? artifacts.find((a) => a.kind === 'cover');
  return { song, coverPath: cover?.path, lyricsPath: artifacts.find((a) => a.kind === 'lyrics')?.path, lrcPath: artifacts.find((a) => a.kind === 'lrc')?.path };
}

/** Markdown shown as the run's current details in the Temporal UI. */
function describe(progress: PipelineProgress, workflowId: string): string {
  const rows = progress.steps.map(
    (s) => `| ${s.stepId} | ${s.state}${s.reused ? ' (reused)' : ''} | ${s.providerStatus ?? ''} | ${s.taskId ?? ''} | ${s.error ?? ''} |`,
  );
  const choice = progress.state === 'awaiting-choice' ? `\n\nWaiting for a clip choice (update chooseClip): ${(progress.candidates ?? []).map((c) => c.id).join(', ')}` : '';
  const attention = (progress.needsAttention ?? []).map(
    (a) =>
      `\n\n**Step ${a.stepId} needs attention**: ${a.reason}\n\nThe provider may or may not have created (and charged for) the task. Look it up in the provider's dashboard, then resolve: \`npm run resolve -- ${workflowId} --step ${a.stepId} --task-id <id>\` (or \`--resubmit\`, \`--abandon\`), or send the \`resolve\` update from this page.`,
  );
  return [`**${progress.state}**${choice}${attention.join('')}`, '', '| step | state | provider status | task | error |', '|---|---|---|---|---|', ...rows].join('\n');
}
