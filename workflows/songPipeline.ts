// A song request becomes a finished track folder: lyrics (unless given or instrumental), the song,
// then the chosen clip's media downloaded, verified and listed in track.json.
import {
  ApplicationFailure,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { MusicActivities } from '../activities';
import type { ArtifactRecord } from '../activities/types';
import type { Clip, ProviderName, SongRequest, StepKind } from '../providers/model';
import { progressQuery, providerEventSignal, type PipelineProgress, type StepProgress } from './definitions';
import { HintBox, runProviderStep, type StepRunner } from './providerStep';
import { MusicProvider, MusicState, MusicStep } from './searchAttributes';

/** Steps this pipeline can run, in dependency order. */
export const SONG_PIPELINE_STEPS = ['lyrics', 'song'] as const satisfies readonly StepKind[];
export type SongPipelineStep = (typeof SONG_PIPELINE_STEPS)[number];

export interface SongPipelineInput {
  provider: ProviderName;
  request: SongRequest;
  steps: SongPipelineStep[];
  /** Absolute folder for this track's files. */
  outDir: string;
  /** Ask providers for webhooks; polling always runs as the fallback. */
  callbacks: boolean;
  /** Per step kind, in ms; defaults are generous. */
  deadlines?: Partial<Record<StepKind, number>>;
}

export interface TrackManifest {
  title: string;
  provider: ProviderName;
  workflowId: string;
  runId: string;
  request: { prompt: string; style?: string; instrumental: boolean; model?: string };
  tasks: Partial<Record<SongPipelineStep, string>>;
  clip: { id: string; title?: string; durationSeconds?: number; tags?: string };
  files: (Omit<ArtifactRecord, 'path'> & { file: string })[];
}

export interface SongPipelineResult {
  workflowId: string;
  runId: string;
  status: 'succeeded';
  provider: ProviderName;
  title: string;
  outDir: string;
  steps: StepProgress[];
  clip: Clip;
  artifacts: ArtifactRecord[];
}

const { storeDownload, writeTextArtifact } = proxyActivities<MusicActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'store artifact',
});

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export async function songPipeline(input: SongPipelineInput): Promise<SongPipelineResult> {
  const { workflowId, runId } = workflowInfo();
  const progress: PipelineProgress = { state: 'running', steps: [], hints: { received: 0, ignored: 0 } };
  const hints = new HintBox();

  setHandler(providerEventSignal, (event) => {
    hints.record(event);
    progress.hints = { received: hints.received, ignored: hints.ignored };
  });
  setHandler(progressQuery, () => progress);

  const runner: StepRunner = {
    provider: input.provider,
    workflowId,
    callbacks: input.callbacks,
    hints,
    deadlines: input.deadlines ?? {},
    report(update) {
      let step = progress.steps.find((s) => s.stepId === update.stepId);
      if (!step) {
        step = { stepId: update.stepId, kind: update.kind, state: 'pending' };
        progress.steps.push(step);
      }
      Object.assign(step, update);
      if (update.state === 'succeeded' || update.state === 'failed') step.finishedAt = Date.now();
      setCurrentDetails(describe(progress));
    },
  };

  upsertSearchAttributes([
    { key: MusicProvider, value: input.provider },
    { key: MusicState, value: 'running' },
  ]);

  try {
    const request: SongRequest = { ...input.request };
    if (input.steps.includes('lyrics') && !request.lyrics && !request.instrumental) {
      const lyricsTask = await runProviderStep(runner, 'lyrics', { kind: 'lyrics', lyrics: { prompt: request.prompt } });
      const variant = lyricsTask.lyrics[0];
      if (!variant) throw ApplicationFailure.nonRetryable(`step lyrics: ${input.provider} task ${lyricsTask.taskId} succeeded without lyrics text`, 'ProviderTaskEmpty');
      request.lyrics = variant.text;
      request.title ??= variant.title;
    }

    const songTask = await runProviderStep(runner, 'song', { kind: 'song', song: request });
    const clip = songTask.clips.find((c) => c.audioUrl);
    if (!clip?.audioUrl) throw ApplicationFailure.nonRetryable(`step song: ${input.provider} task ${songTask.taskId} succeeded without a downloadable clip`, 'ProviderTaskEmpty');
    const title = request.title ?? clip.title ?? 'Untitled';

    runner.report({ stepId: 'song', kind: 'song', state: 'storing' });
    const source = { provider: input.provider, taskId: songTask.taskId, clipId: clip.id };
    const pending: Promise<ArtifactRecord>[] = [
      storeDownload({ url: clip.audioUrl, dir: input.outDir, name: 'song', kind: 'audio', source: { ...source, url: clip.audioUrl } }),
    ];
    if (clip.imageUrl) {
      pending.push(storeDownload({ url: clip.imageUrl, dir: input.outDir, name: 'cover', kind: 'cover', source: { ...source, url: clip.imageUrl } }));
    }
    const lyricsText = request.lyrics ?? clip.lyrics;
    if (lyricsText && !request.instrumental) {
      pending.push(writeTextArtifact({ dir: input.outDir, fileName: 'lyrics.txt', text: `${lyricsText.trim()}\n`, kind: 'lyrics' }));
    }
    const artifacts = await Promise.all(pending);

    const tasks: TrackManifest['tasks'] = {};
    for (const step of progress.steps) if (step.taskId) tasks[step.kind as SongPipelineStep] = step.taskId;
    const manifest: TrackManifest = {
      title,
      provider: input.provider,
      workflowId,
      runId,
      request: { prompt: request.prompt, style: request.style, instrumental: request.instrumental, model: request.model },
      tasks,
      clip: { id: clip.id, title: clip.title, durationSeconds: clip.durationSeconds, tags: clip.tags },
      files: artifacts.map(({ path, ...rest }) => ({ file: baseName(path), ...rest })),
    };
    artifacts.push(await writeTextArtifact({ dir: input.outDir, fileName: 'track.json', text: `${JSON.stringify(manifest, null, 2)}\n`, kind: 'manifest' }));

    runner.report({ stepId: 'song', kind: 'song', state: 'done' });
    progress.state = 'succeeded';
    upsertSearchAttributes([
      { key: MusicStep, value: 'done' },
      { key: MusicState, value: 'succeeded' },
    ]);
    setCurrentDetails(describe(progress));
    return { workflowId, runId, status: 'succeeded', provider: input.provider, title, outDir: input.outDir, steps: progress.steps, clip, artifacts };
  } catch (err) {
    progress.state = 'failed';
    const running = progress.steps.find((s) => s.finishedAt === undefined);
    if (running) {
      running.state = 'failed';
      running.error = err instanceof Error ? err.message : String(err);
    }
    upsertSearchAttributes([{ key: MusicState, value: 'failed' }]);
    setCurrentDetails(describe(progress));
    throw err;
  }
}

/** Markdown shown as the run's current details in the Temporal UI. */
function describe(progress: PipelineProgress): string {
  const rows = progress.steps.map((s) => `| ${s.stepId} | ${s.state} | ${s.providerStatus ?? ''} | ${s.taskId ?? ''} |${s.error ? ` ${s.error}` : ''}`);
  return [`**${progress.state}**`, '', '| step | state | provider status | task |', '|---|---|---|---|', ...rows].join('\n');
}
