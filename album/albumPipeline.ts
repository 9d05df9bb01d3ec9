// An album: every track is a child run with an id derived from the album and the track number, so
// running the album again attaches to (or cheaply re-checks) the same runs. A track runs the song
// pipeline, or the pipeline definition the manifest names for it (a child pipelineRun, whose final
// step's audio goes on the album). Lyrics need nothing else, so a song track's lyrics are written for
// all song tracks at once (a definition writes its own, in its own run); with a persona strategy the
// persona is made once, from the named song track's chosen clip, and every later vocal track sings
// with it. Tracks run with bounded concurrency, and each track's failure is handled by the album's
// policy.
import {
  ApplicationFailure,
  log,
  ParentClosePolicy,
  setCurrentDetails,
  setHandler,
  patched,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { runBounded } from '../steps/bounded';
import { innermostMessage } from '../steps/failureMessage';
import { albumProgressQuery, type AlbumProgress, type TrackProgress } from '../contracts/albumMessages';
import { trackWorkflowId, type AlbumPipelineInput, type AlbumPipelineResult, type AlbumTrackPlan, type AlbumTrackResult } from '../contracts/albumPipeline';
import { runProviderStep } from '../steps/providerStep';
import { creditsPaid, everyStepReused } from '../steps/paidCredits';
import { paidStepsIn } from '../steps/paidStepsOnFailure';
import { createStepRunner, STEP_RUNNER_PATCHES } from '../steps/stepRunner';
import { runPatches } from '../steps/runPatches';
import { MusicAlbum, MusicProvider, MusicState } from '../contracts/searchAttributes';
import { songPipeline } from '../song/songPipeline';
import { pipelineRun } from '../pipeline/pipelineRun';
import type { PipelinePlan, PipelineRunInput, PipelineRunResult } from '../contracts/pipelinePlan';
import type { AlbumFileInput } from '../contracts/albumFiles';
import { loadPreviousTrack } from '../song/previousTrackProxies';
import type { SongPipelineInput } from '../contracts/songPipeline';
import type { PipelineStep } from '../contracts/trackManifest';
import { normalizeLoudness, tagTrack, writeAlbumCover, writeAlbumManifest, writePlaylist } from './albumAssemblyProxies';
import { deliverCover, deliverTrack, recordDelivery } from './albumDeliveryProxies';
import type { AlbumDeliverySummary, DeliveredCover, DeliverTrackResult, DeliveryFormat } from '../contracts/albumDelivery';
import { analyzeTrack } from './analysis/analysisProxies';
import { writeAlbumReport } from './report/reportProxies';

export async function albumPipeline(input: AlbumPipelineInput): Promise<AlbumPipelineResult> {
  const { workflowId } = workflowInfo();
  const progress: AlbumProgress = {
    state: 'running',
    tracks: input.tracks.map((t) => ({ number: t.number, title: t.title, workflowId: trackWorkflowId(input.albumId, t.number), state: 'queued', attempts: 0 })),
  };
  setHandler(albumProgressQuery, () => progress);
  // The album's own steps (lyrics) report through the tracks' progress, not step by step.
  const patches = runPatches(STEP_RUNNER_PATCHES);
  const runner = createStepRunner({
    provider: input.provider,
    patches: patches.applies,
    workflowId,
    callbacks: input.callbacks,
    onAttention: (waiting, answers) => {
      progress.needsAttention = waiting;
      progress.attentionAnswers = answers;
      setCurrentDetails(describe(progress));
    },
  });
  const track = (n: number) => progress.tracks.find((t) => t.number === n)!;
  const update = (n: number, change: Partial<TrackProgress>) => {
    Object.assign(track(n), change);
    setCurrentDetails(describe(progress));
  };
  upsertSearchAttributes([
    { key: MusicProvider, value: input.provider },
    { key: MusicAlbum, value: input.albumId },
    { key: MusicState, value: 'running' },
  ]);

  // 1. Lyrics for every vocal track at once: they depend on nothing. An earlier run's lyrics are reused.
  const lyricsTasks = new Map<number, string>();
  const lyricsCredits = new Map<number, number>();
  await Promise.all(
    input.tracks
      .filter((t) => !t.pipeline && !t.request.instrumental && !t.request.lyrics && t.steps.includes('lyrics'))
      .map(async (t) => {
        const previous = await loadPreviousTrack({ dir: t.outDir });
        if (previous?.lyricsText) {
          t.request = { ...t.request, lyrics: previous.lyricsText.trim() };
          return;
        }
        update(t.number, { state: 'lyrics' });
        try {
          const task = await runProviderStep(runner, `lyrics-t${t.number}`, { kind: 'lyrics', lyrics: { prompt: t.request.prompt } });
          // Paid here, at the album, so the track's own run never sees it: the track carries its price.
          lyricsCredits.set(t.number, input.prices?.lyrics ?? 0);
          const text = task.lyrics[0]?.text;
          if (text) {
            t.request = { ...t.request, lyrics: text };
            lyricsTasks.set(t.number, task.taskId);
          }
        } catch {
          // The track's own run tries its lyrics again, under the album's failure policy.
        }
        update(t.number, { state: 'queued' });
      }),
  );

  // 2. The persona, when the album makes one, comes from its track before any other vocal track sings.
  let personaId = input.persona.strategy === 'given' ? input.persona.personaId : undefined;
  const results = new Map<number, AlbumTrackResult>();
  const ordered = [...input.tracks];
  if (input.persona.strategy === 'from-track') {
    const source = input.tracks.find((t) => t.number === (input.persona as { track: number }).track)!;
    const steps: PipelineStep[] = source.steps.includes('persona') ? source.steps : [...source.steps, 'persona'];
    const outcome = await runTrack({ ...source, steps });
    results.set(source.number, outcome);
    personaId = outcome.result?.personaId;
    if (!personaId) {
      throw ApplicationFailure.nonRetryable(`track ${source.number} ("${source.title}") should give the album its persona but ${outcome.error ?? 'made none'}`, 'AlbumPersonaMissing');
    }
    ordered.splice(ordered.indexOf(source), 1);
  }

  // 3. The other tracks, a bounded number at a time.
  let failAlbum: string | undefined;
  await runBounded(
    ordered.map((t) => async () => {
      if (failAlbum) {
        update(t.number, { state: 'skipped', error: `not started: ${failAlbum}` });
        results.set(t.number, { number: t.number, title: t.title, workflowId: trackWorkflowId(input.albumId, t.number), state: 'skipped', attempts: 0, error: failAlbum, creditsSpent: lyricsCredits.get(t.number) });
        return;
      }
      const sings = !t.request.instrumental && personaId !== undefined;
      const pipeline = t.pipeline && personaId !== undefined ? { ...t.pipeline, plan: withPersona(t.pipeline.plan, t.pipeline.personaSteps, personaId) } : t.pipeline;
      const outcome = await runTrack({ ...t, pipeline, request: sings ? { ...t.request, personaId } : t.request, steps: t.steps.filter((s) => !(sings && s === 'persona')) });
      results.set(t.number, outcome);
      if (outcome.state === 'failed' && input.failurePolicy.mode === 'fail-album') failAlbum = `track ${t.number} failed: ${outcome.error}`;
    }),
    input.concurrency,
  );

  const tracks = input.tracks.map((t) => results.get(t.number)!);
  if (failAlbum) {
    progress.state = 'failed';
    upsertSearchAttributes([{ key: MusicState, value: 'failed' }]);
    setCurrentDetails(describe(progress));
    throw ApplicationFailure.nonRetryable(`album ${input.albumId} failed: ${failAlbum}`, 'AlbumFailed');
  }

  // 4. The album itself: tagged (and, if asked, mastered) copies, a playlist, a cover and album.json.
  await Promise.all(tracks.map((t) => assembleTrack(t)));
  const playable = tracks.filter((t) => t.tagged);
  const playlist = await writePlaylist({
    albumDir: input.outDir,
    title: input.title,
    entries: playable.map((t) => ({ path: t.tagged!.path, title: t.title, artist: input.artist, durationSeconds: t.tagged!.durationSeconds })),
  });
  // The album's own cover: the first track's image that exists (its cover art, else its clip's image).
  const coverSource = tracks.map(trackCover).find((c) => c !== undefined);
  // patched: an album that started before it had a cover file replays without the new activity.
  const cover = coverSource && (patches.current || patched('album-cover-file')) ? await writeAlbumCover({ albumDir: input.outDir, sourcePath: coverSource.path }) : undefined;
  const creditsSpent = tracks.reduce((n, t) => n + (t.creditsSpent ?? 0), 0);
  const albumJson = await writeAlbumManifest({
    albumDir: input.outDir,
    album: {
      id: input.albumId,
      title: input.title,
      artist: input.artist,
      year: input.year,
      genre: input.genre,
      provider: input.provider,
      model: input.model,
      workflowId,
      runId: workflowInfo().runId,
      persona: { strategy: input.persona.strategy, personaId, track: input.persona.strategy === 'from-track' ? input.persona.track : undefined },
      loudness: input.loudness,
      credits: input.credits,
      completedAt: new Date(Date.now()).toISOString(),
    },
    tracks: tracks.map((t) => ({
      number: t.number,
      title: t.title,
      state: t.state,
      error: t.error,
      attempts: t.attempts,
      workflowId: t.workflowId,
      runId: t.result?.runId ?? t.run?.runId,
      // A song track's files are read from its track.json; a definition's are listed here from its
      // run (its final audio first, the file album.json measures the track by), with pipeline.json.
      trackDir: t.result ? input.tracks.find((p) => p.number === t.number)!.outDir : undefined,
      files: [
        ...(t.run ? definitionFiles(t.run) : []),
        ...(t.tagged ? [{ path: t.tagged.path, kind: 'tagged-audio' as const, sha256: t.tagged.sha256, durationSeconds: t.tagged.durationSeconds }] : []),
        ...(t.mastered ? [{ path: t.mastered.path, kind: 'mastered-audio' as const, sha256: t.mastered.sha256, durationSeconds: t.mastered.durationSeconds }] : []),
      ],
      credits: { spent: t.creditsSpent },
      loudness: t.mastered ? { beforeLufs: t.mastered.beforeLufs, afterLufs: t.mastered.afterLufs } : undefined,
      analysis: t.analysis,
      analysisError: t.analysisError,
    })),
    files: [{ path: playlist.path, kind: 'playlist', sha256: playlist.sha256 }, ...(cover ? [{ path: cover.path, kind: 'cover' as const, sha256: cover.sha256 }] : [])],
  });

  // 5. The delivery folder, when the manifest asks for one: masters, stems and the cover, recorded in
  // album.json (after it is written, so that whatever else album.json records, such as the tracks'
  // BPM and key, is there for the stems' names). patched: an album that started before delivery
  // folders existed replays without these activities.
  let manifestFile = { path: albumJson.path, sha256: albumJson.sha256, bytes: albumJson.bytes };
  let delivery: AlbumDeliverySummary | undefined;
  if (input.release?.delivery && (patches.current || patched('album-delivery'))) {
    const made = await deliverFolder(input.release.delivery, coverSource?.path);
    delivery = made.summary;
    manifestFile = made.record;
  }
  // The report a person opens (report.html): written last, from album.json and the files it lists.
  const report = (patches.current || patched('album-report')) ? await writeAlbumReport({ albumDir: input.outDir }) : undefined;

  const status = tracks.every((t) => t.state === 'succeeded') ? 'succeeded' : 'partial';
  progress.state = status;
  progress.creditsSpent = creditsSpent;
  upsertSearchAttributes([{ key: MusicState, value: status }]);
  setCurrentDetails(describe(progress));
  return {
    albumId: input.albumId,
    status,
    personaId,
    tracks,
    creditsSpent,
    creditsTotal: albumJson.creditsTotal,
    files: [
      { ...manifestFile, kind: 'album-manifest' },
      { path: playlist.path, sha256: playlist.sha256, bytes: playlist.bytes, kind: 'playlist' },
      ...(cover ? [{ path: cover.path, sha256: cover.sha256, bytes: cover.bytes, kind: 'cover' as const }] : []),
      ...(report ? [{ path: report.path, sha256: report.sha256, bytes: report.bytes, kind: 'report' as const }] : []),
    ],
    ...(delivery ? { delivery } : {}),
  };

  /** Every playable track's master and stems, the cover, and album.json updated; a track that cannot be delivered is named, not fatal. */
  async function deliverFolder(settings: DeliveryFormat, providerCover: string | undefined) {
    const release = input.release!;
    const errors: string[] = [];
    const delivered: DeliverTrackResult[] = [];
    await Promise.all(
      tracks.map(async (t) => {
        const made = t.result?.artifacts ?? t.run?.artifacts;
        // A song track's best audio is the provider's WAV of its clip; a definition's is its final step's.
        const source = t.result ? (made?.find((a) => a.kind === 'wav') ?? made?.find((a) => a.kind === 'audio')) : t.run?.finalAudio;
        if (!t.tagged || !made || !source) return;
        const plan = input.tracks.find((p) => p.number === t.number)!;
        try {
          delivered.push(
            await deliverTrack({
              albumDir: input.outDir,
              settings,
              number: t.number,
              trackCount: input.tracks.length,
              title: t.title,
              artist: input.artist,
              album: input.title,
              year: input.year,
              genre: input.genre,
              isrc: plan.isrc,
              label: release.label,
              upc: release.upc,
              releaseDate: release.releaseDate,
              copyright: release.copyright,
              phonographicCopyright: release.phonographicCopyright,
              sourcePath: source.path,
              fileStem: plan.fileStem,
              stems: made.filter((a) => a.kind === 'stem').map((a) => ({ path: a.path, name: baseName(a.path) })),
            }),
          );
        } catch (err) {
          errors.push(`track ${t.number} ("${t.title}"): ${innermostMessage(err)}`);
        }
      }),
    );
    delivered.sort((a, b) => a.number - b.number);
    let deliveredCover: DeliveredCover | undefined;
    if (release.cover || providerCover) {
      try {
        deliveredCover = await deliverCover({ albumDir: input.outDir, ownCover: release.cover, providerCover });
        if (deliveredCover.warning) log.warn(`delivery: ${deliveredCover.warning}`);
      } catch (err) {
        errors.push(`cover: ${innermostMessage(err)}`);
      }
    } else errors.push('cover: the album has no image and the manifest names none (release.cover)');
    const record = await recordDelivery({ albumDir: input.outDir, settings, tracks: delivered, cover: deliveredCover });
    const summary: AlbumDeliverySummary = {
      folder: `${input.outDir}/delivery`,
      tracks: delivered.map((d) => ({
        number: d.number,
        title: input.tracks.find((p) => p.number === d.number)!.title,
        master: d.master.path,
        integratedLufs: d.master.integratedLufs,
        truePeakDb: d.master.truePeakDb,
        stemProblems: d.stems.filter((s) => s.problem).map((s) => `${s.stem}: ${s.problem}`),
      })),
      ...(deliveredCover ? { cover: { path: deliveredCover.path, ...(deliveredCover.warning ? { warning: deliveredCover.warning } : {}) } } : {}),
      errors,
    };
    return { summary, record };
  }

  /** A track's image for the album cover: the generated art before the clip's own image. */
  function trackCover(t: AlbumTrackResult) {
    const made = t.result?.artifacts ?? t.run?.artifacts ?? [];
    return made.find((a) => a.kind === 'cover-art') ?? made.find((a) => a.kind === 'cover');
  }

  async function assembleTrack(t: AlbumTrackResult): Promise<void> {
    // A song track's audio is its song; a definition's is its final step's.
    const song = t.result ? t.result.artifacts.find((a) => a.kind === 'audio') : t.run?.finalAudio;
    const made = t.result?.artifacts ?? t.run?.artifacts;
    if (!made || !song) return;
    const plan = input.tracks.find((p) => p.number === t.number)!;
    const cover = trackCover(t);
    const lrc = made.find((a) => a.kind === 'lrc');
    const lyricsText = plan.request.instrumental ? undefined : t.run ? t.run.finalLyrics : plan.request.lyrics;
    // The lyrics the song was sung with, as its run stored them. The album's own lyrics step may have
    // been refused (the track then wrote its own), so the plan's text alone would tag some tracks
    // differently depending on which faults happened.
    const lyricsFile = t.result?.artifacts.find((a) => a.kind === 'lyrics');
    // patched: an album that started before tracks were analysed replays without the new activity.
    // An analysis that fails (no librosa on the worker, silent audio) costs the track its BPM and
    // key, not its place on the album.
    if (input.analysis && (patches.current || patched('album-track-analysis'))) {
      try {
        t.analysis = await analyzeTrack({ audioPath: song.path });
      } catch (err) {
        t.analysisError = innermostMessage(err);
      }
    }
    const tags = {
      title: t.title,
      artist: input.artist,
      album: input.title,
      trackNumber: t.number,
      trackCount: input.tracks.length,
      year: input.year,
      genre: input.genre,
      coverPath: cover?.path,
      lyricsText,
      lyricsPath: plan.request.instrumental ? undefined : lyricsFile?.path,
      lrcPath: lrc?.path,
      isrc: plan.isrc,
      label: input.release?.label,
      copyright: input.release?.copyright ?? input.release?.phonographicCopyright,
      analysis: t.analysis,
    };
    const tagged = await tagTrack({ ...tags, mp3Path: song.path, outPath: `${input.outDir}/${plan.fileStem}.mp3` });
    t.tagged = { path: tagged.path, sha256: tagged.sha256, bytes: tagged.bytes, durationSeconds: tagged.durationSeconds };
    if (input.loudness) {
      const masteredPath = `${input.outDir}/mastered/${plan.fileStem}.mp3`;
      const mastered = await normalizeLoudness({ inPath: song.path, outPath: masteredPath, targetLufs: input.loudness.targetLufs });
      const taggedMaster = await tagTrack({ ...tags, mp3Path: masteredPath, outPath: masteredPath });
      t.mastered = {
        path: taggedMaster.path,
        sha256: taggedMaster.sha256,
        bytes: taggedMaster.bytes,
        durationSeconds: taggedMaster.durationSeconds,
        beforeLufs: mastered.before.integratedLufs,
        afterLufs: mastered.after.integratedLufs,
      };
    }
  }

  async function runTrack(t: AlbumTrackPlan): Promise<AlbumTrackResult> {
    const childId = trackWorkflowId(input.albumId, t.number);
    const attempts = input.failurePolicy.mode === 'retry' ? 1 + input.failurePolicy.attempts : 1;
    let last: AlbumTrackResult = { number: t.number, title: t.title, workflowId: childId, state: 'failed', attempts: 0, creditsSpent: lyricsCredits.get(t.number) ?? 0 };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      update(t.number, { state: 'running', attempts: attempt });
      if (t.pipeline) {
        last = await runDefinitionTrack(t, t.pipeline, childId, attempt, last.creditsSpent ?? 0);
        update(t.number, { state: last.state, error: last.error, reused: last.state === 'succeeded' && everyStepReused(last.run?.steps ?? []) });
        if (last.state === 'succeeded') break;
        continue;
      }
      const args: SongPipelineInput = {
        provider: input.provider,
        request: { ...t.request, title: t.request.title ?? t.title },
        steps: t.steps.filter((s) => s !== 'lyrics' || !t.request.lyrics),
        outDir: t.outDir,
        callbacks: input.callbacks,
        lyricsTaskId: lyricsTasks.get(t.number),
        // The album tags its own copies; the track folder keeps the song as the provider made it.
        tagSong: false,
      };
      try {
        const handle: ChildWorkflowHandle<typeof songPipeline> = await startChild(songPipeline, {
          ...trackChildOptions(childId, `${input.title} #${t.number}: ${t.title}`),
          args: [args],
        });
        const result = await handle.result();
        const spent = creditsPaid(result.steps, input.prices ?? {});
        last = { number: t.number, title: t.title, workflowId: childId, state: result.status, attempts: attempt, result, creditsSpent: (last.creditsSpent ?? 0) + spent };
        if (result.status === 'partial') last.error = result.failedSteps.map((f) => `${f.step}: ${f.error}`).join('; ');
      } catch (err) {
        // What the failed run paid for (its failure carries it) is the album's cost too.
        const spent = creditsPaid(paidStepsIn(err), input.prices ?? {});
        last = { number: t.number, title: t.title, workflowId: childId, state: 'failed', attempts: attempt, error: innermostMessage(err), creditsSpent: (last.creditsSpent ?? 0) + spent };
      }
      // Query state only (no history): a track that paid nothing says `reused` while the album runs, as it will at the end.
      update(t.number, { state: last.state, error: last.error, reused: last.state === 'succeeded' && everyStepReused(last.result?.steps ?? []) });
      if (last.state === 'succeeded') break;
    }
    return last;
  }

  /**
   * How a track's child run is started, song or definition alike. Each attempt is a fresh run of the
   * same id, which reuses whatever files the last one left intact.
   */
  function trackChildOptions(childId: string, summary: string) {
    return {
      workflowId: childId,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: summary,
      typedSearchAttributes: [
        { key: MusicProvider, value: input.provider },
        { key: MusicAlbum, value: input.albumId },
      ],
    };
  }

  /** One attempt of a track that runs a definition: a child pipelineRun in the track's folder. */
  async function runDefinitionTrack(t: AlbumTrackPlan, pipeline: NonNullable<AlbumTrackPlan['pipeline']>, childId: string, attempt: number, spentBefore: number): Promise<AlbumTrackResult> {
    const args: PipelineRunInput = { plan: pipeline.plan, outDir: t.outDir, callbacks: input.callbacks };
    try {
      const handle: ChildWorkflowHandle<typeof pipelineRun> = await startChild(pipelineRun, {
        ...trackChildOptions(childId, `${input.title} #${t.number}: ${t.title} (${pipeline.definition})`),
        args: [args],
      });
      const run = await handle.result();
      const spent = creditsPaid(run.steps, input.prices ?? {});
      const outcome: AlbumTrackResult = { number: t.number, title: t.title, workflowId: childId, state: run.status, attempts: attempt, run, creditsSpent: spentBefore + spent };
      if (!run.finalAudio) {
        // Without its final audio the track has nothing to put on the album.
        outcome.state = 'failed';
        const why = run.failedSteps.find((f) => f.step === pipeline.plan.final)?.error ?? run.steps.find((s) => s.stepId === pipeline.plan.final)?.error;
        outcome.error = `final step ${pipeline.plan.final ?? '(none)'} made no audio${why ? `: ${why}` : ''}`;
      } else if (run.status !== 'succeeded') outcome.error = run.failedSteps.map((f) => `${f.step}: ${f.error}`).join('; ');
      return outcome;
    } catch (err) {
      return { number: t.number, title: t.title, workflowId: childId, state: 'failed', attempts: attempt, error: innermostMessage(err), creditsSpent: spentBefore };
    }
  }
}

/** A definition track's files for album.json: the final audio first, then the rest the run kept, then pipeline.json. */
function definitionFiles(run: PipelineRunResult): AlbumFileInput[] {
  const final = run.finalAudio;
  const rest = run.artifacts.filter((a) => a.path !== final?.path && a.kind !== 'manifest');
  return [
    ...[...(final ? [final] : []), ...rest].map((a) => ({ path: a.path, kind: a.kind, sha256: a.sha256, durationSeconds: a.durationSeconds, source: a.source })),
    { path: `${run.outDir}/pipeline.json`, kind: 'manifest' as const },
  ];
}

/** The plan with the album's persona filled in where the track's definition sings with it. */
function withPersona(plan: PipelinePlan, steps: readonly string[], personaId: string): PipelinePlan {
  return { ...plan, steps: plan.steps.map((s) => (steps.includes(s.name) ? { ...s, params: { ...s.params, personaId } } : s)) };
}

/** A file's name without folder and extension (workflow code has no node:path). */
function baseName(file: string): string {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

function describe(progress: AlbumProgress): string {
  const rows = progress.tracks.map((t) => `| ${t.number} | ${t.title} | ${t.state} | ${t.attempts} | ${t.error ?? ''} |`);
  const credits = progress.creditsSpent === undefined ? '' : ` — credits spent: ${progress.creditsSpent}`;
  return [`**${progress.state}**${credits}`, '', '| # | track | state | attempts | error |', '|---|---|---|---|---|', ...rows].join('\n');
}
