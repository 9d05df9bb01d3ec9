// An album: every track is a child songPipeline with an id derived from the album and the track
// number, so running the album again attaches to (or cheaply re-checks) the same runs. Lyrics need
// nothing else, so they are written for all tracks at once; with a persona strategy the persona is
// made once, from the named track's chosen clip, and every later vocal track sings with it. Tracks
// run with bounded concurrency, and each track's failure is handled by the album's policy.
import {
  ApplicationFailure,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { MusicActivities } from '../activities';
import type { ProviderName, SongRequest } from '../providers/model';
import { AttentionBoard } from './attention';
import { SlotClaims } from './slotClaims';
import { runBounded } from './bounded';
import { defineAlbumMessages, type AlbumProgress, type TrackProgress } from './albumDefinitions';
import { providerEventSignal } from './definitions';
import { HintBox, runProviderStep, type StepRunner } from './providerStep';
import { MusicAlbum, MusicProvider, MusicState } from './searchAttributes';
import { songPipeline, type SongPipelineInput, type SongPipelineResult } from './songPipeline';
import type { PipelineStep } from './trackManifest';

export interface AlbumTrackPlan {
  /** 1-based position on the album. */
  number: number;
  title: string;
  request: SongRequest;
  steps: PipelineStep[];
  /** Absolute folder of the track. */
  outDir: string;
}

export type PersonaStrategy = { strategy: 'none' } | { strategy: 'given'; personaId: string } | { strategy: 'from-track'; track: number };
export type FailurePolicy = { mode: 'retry'; attempts: number } | { mode: 'skip' } | { mode: 'fail-album' };

export interface AlbumPipelineInput {
  albumId: string;
  title: string;
  artist: string;
  provider: ProviderName;
  /** Absolute album folder. */
  outDir: string;
  tracks: AlbumTrackPlan[];
  persona: PersonaStrategy;
  concurrency: number;
  failurePolicy: FailurePolicy;
  callbacks: boolean;
}

export interface AlbumTrackResult {
  number: number;
  title: string;
  workflowId: string;
  state: 'succeeded' | 'partial' | 'failed' | 'skipped';
  attempts: number;
  error?: string;
  result?: SongPipelineResult;
}

export interface AlbumPipelineResult {
  albumId: string;
  status: 'succeeded' | 'partial' | 'failed';
  personaId?: string;
  tracks: AlbumTrackResult[];
}

const { loadPreviousTrack } = proxyActivities<MusicActivities>({ startToCloseTimeout: '1 minute', summary: 'read earlier track files' });

export function trackWorkflowId(albumId: string, number: number): string {
  return `album-${albumId}-t${String(number).padStart(2, '0')}`;
}

function errorMessage(err: unknown): string {
  let current = err as { message?: string; cause?: unknown } | undefined;
  let message = String(err);
  while (current) {
    if (current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}

export async function albumPipeline(input: AlbumPipelineInput): Promise<AlbumPipelineResult> {
  const { workflowId } = workflowInfo();
  const progress: AlbumProgress = {
    state: 'running',
    tracks: input.tracks.map((t) => ({ number: t.number, title: t.title, workflowId: trackWorkflowId(input.albumId, t.number), state: 'queued', attempts: 0 })),
  };
  defineAlbumMessages(progress);
  const hints = new HintBox();
  setHandler(providerEventSignal, (event) => hints.record(event));
  const attention = new AttentionBoard(() => setCurrentDetails(describe(progress)));
  const runner: StepRunner = {
    provider: input.provider,
    workflowId,
    callbacks: input.callbacks,
    hints,
    attention,
    slots: new SlotClaims(input.provider, workflowId),
    onAmbiguous: 'wait',
    deadlines: {},
    report: () => {},
  };
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
  await Promise.all(
    input.tracks
      .filter((t) => !t.request.instrumental && !t.request.lyrics && t.steps.includes('lyrics'))
      .map(async (t) => {
        const previous = await loadPreviousTrack({ dir: t.outDir });
        if (previous?.lyricsText) {
          t.request = { ...t.request, lyrics: previous.lyricsText.trim() };
          return;
        }
        update(t.number, { state: 'lyrics' });
        try {
          const task = await runProviderStep(runner, `lyrics-t${t.number}`, { kind: 'lyrics', lyrics: { prompt: t.request.prompt } });
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
        results.set(t.number, { number: t.number, title: t.title, workflowId: trackWorkflowId(input.albumId, t.number), state: 'skipped', attempts: 0, error: failAlbum });
        return;
      }
      const sings = !t.request.instrumental && personaId !== undefined;
      const outcome = await runTrack({ ...t, request: sings ? { ...t.request, personaId } : t.request, steps: t.steps.filter((s) => !(sings && s === 'persona')) });
      results.set(t.number, outcome);
      if (outcome.state === 'failed' && input.failurePolicy.mode === 'fail-album') failAlbum = `track ${t.number} failed: ${outcome.error}`;
    }),
    input.concurrency,
  );

  const tracks = input.tracks.map((t) => results.get(t.number)!);
  const status = failAlbum ? 'failed' : tracks.every((t) => t.state === 'succeeded') ? 'succeeded' : 'partial';
  progress.state = status;
  upsertSearchAttributes([{ key: MusicState, value: status }]);
  setCurrentDetails(describe(progress));
  if (failAlbum) throw ApplicationFailure.nonRetryable(`album ${input.albumId} failed: ${failAlbum}`, 'AlbumFailed');
  return { albumId: input.albumId, status, personaId, tracks };

  async function runTrack(t: AlbumTrackPlan): Promise<AlbumTrackResult> {
    const childId = trackWorkflowId(input.albumId, t.number);
    const attempts = input.failurePolicy.mode === 'retry' ? 1 + input.failurePolicy.attempts : 1;
    let last: AlbumTrackResult = { number: t.number, title: t.title, workflowId: childId, state: 'failed', attempts: 0 };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      update(t.number, { state: 'running', attempts: attempt });
      const args: SongPipelineInput = {
        provider: input.provider,
        request: { ...t.request, title: t.request.title ?? t.title },
        steps: t.steps.filter((s) => s !== 'lyrics' || !t.request.lyrics),
        outDir: t.outDir,
        callbacks: input.callbacks,
        lyricsTaskId: lyricsTasks.get(t.number),
      };
      try {
        const handle: ChildWorkflowHandle<typeof songPipeline> = await startChild(songPipeline, {
          workflowId: childId,
          args: [args],
          // Each attempt is a fresh run of the same id; it reuses whatever files the last one left.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          staticSummary: `${input.title} #${t.number}: ${t.title}`,
          typedSearchAttributes: [
            { key: MusicProvider, value: input.provider },
            { key: MusicAlbum, value: input.albumId },
          ],
        });
        const result = await handle.result();
        last = { number: t.number, title: t.title, workflowId: childId, state: result.status, attempts: attempt, result };
        if (result.status === 'partial') last.error = result.failedSteps.map((f) => `${f.step}: ${f.error}`).join('; ');
      } catch (err) {
        last = { number: t.number, title: t.title, workflowId: childId, state: 'failed', attempts: attempt, error: errorMessage(err) };
      }
      update(t.number, { state: last.state, error: last.error });
      if (last.state === 'succeeded') break;
    }
    return last;
  }
}

function describe(progress: AlbumProgress): string {
  const rows = progress.tracks.map((t) => `| ${t.number} | ${t.title} | ${t.state} | ${t.attempts} | ${t.error ?? ''} |`);
  return [`**${progress.state}**`, '', '| # | track | state | attempts | error |', '|---|---|---|---|---|', ...rows].join('\n');
}
