// The steps that work on the chosen clip: each submits one provider task, then stores and verifies
// what it produced against the song (same duration within 0.5 s, decodable, right streams).
import { ApplicationFailure } from '@temporalio/workflow';
import type { ArtifactRecord } from '../contracts/artifacts';
import type { ClipRef, ProviderName, StepRequest, TaskSnapshot } from '../providers/model';
import { storeDownload, writeTimedLyrics } from '../artifacts/artifactProxies';
import { runProviderStep } from '../steps/providerStep';
import type { StepRunner } from '../steps/stepRunner';
import type { AfterSongStep } from '../contracts/trackManifest';

export interface AfterSongContext {
  runner: StepRunner;
  /** The run named these steps in MusicStep together, as they start at the same time: no update per step. */
  shownTogether: boolean;
  provider: ProviderName;
  clip: ClipRef;
  /** The stored song's measured length: every later file must agree with it. */
  songSeconds: number;
  outDir: string;
  title: string;
  style?: string;
  lyrics?: string;
}

export interface AfterSongOutcome {
  taskId?: string;
  files: ArtifactRecord[];
  personaId?: string;
}

function request(step: AfterSongStep, ctx: AfterSongContext): StepRequest {
  if (step === 'persona') {
    return { kind: 'persona', persona: { source: ctx.clip, name: ctx.title, description: ctx.style ?? `voice of ${ctx.title}` } };
  }
  return { kind: step, source: ctx.clip };
}

function missing(step: AfterSongStep, task: TaskSnapshot, what: string): never {
  throw ApplicationFailure.nonRetryable(`step ${step}: ${task.taskId} succeeded without ${what}`, 'ProviderTaskEmpty');
}

export async function runAfterSongStep(step: AfterSongStep, ctx: AfterSongContext): Promise<AfterSongOutcome> {
  const task = await runProviderStep(ctx.runner, step, request(step, ctx), { showStep: !ctx.shownTogether });
  const source = { provider: ctx.provider, taskId: task.taskId, clipId: ctx.clip.clipId };
  const length = ctx.songSeconds;
  const outputs = task.outputs ?? {};
  ctx.runner.report({ stepId: step, kind: step, state: 'storing' });

  switch (step) {
    case 'persona': {
      if (!outputs.personaId) missing(step, task, 'a persona id');
      return { taskId: task.taskId, files: [], personaId: outputs.personaId };
    }
    case 'stems':
    case 'all-stems': {
      const stems = outputs.stems ?? [];
      if (stems.length === 0) missing(step, task, 'stem files');
      const dir = `${ctx.outDir}/${step === 'stems' ? 'stems' : 'all-stems'}`;
      const files = await Promise.all(
        stems.map((stem) =>
          storeDownload({ url: stem.url, dir, name: stem.name, kind: 'stem', check: { media: 'audio', expectDurationSeconds: length }, source: { ...source, url: stem.url } }),
        ),
      );
      return { taskId: task.taskId, files };
    }
    case 'wav': {
      if (!outputs.wavUrl) missing(step, task, 'a WAV URL');
      const file = await storeDownload({ url: outputs.wavUrl, dir: ctx.outDir, name: 'song', kind: 'wav', check: { media: 'audio', expectDurationSeconds: length }, source: { ...source, url: outputs.wavUrl } });
      return { taskId: task.taskId, files: [file] };
    }
    case 'mp4': {
      if (!outputs.videoUrl) missing(step, task, 'a video URL');
      const file = await storeDownload({ url: outputs.videoUrl, dir: ctx.outDir, name: 'video', kind: 'video', check: { media: 'video', expectDurationSeconds: length }, source: { ...source, url: outputs.videoUrl } });
      return { taskId: task.taskId, files: [file] };
    }
    case 'cover-art': {
      const url = outputs.imageUrls?.[0];
      if (!url) missing(step, task, 'an image URL');
      const file = await storeDownload({ url, dir: ctx.outDir, name: 'cover', kind: 'cover-art', check: { media: 'image' }, source: { ...source, url } });
      return { taskId: task.taskId, files: [file] };
    }
    case 'timestamped-lyrics': {
      if (!outputs.alignedWords || outputs.alignedWords.length === 0) missing(step, task, 'aligned words');
      const file = await writeTimedLyrics({ dir: ctx.outDir, words: outputs.alignedWords, lyrics: ctx.lyrics, title: ctx.title, lengthSeconds: length });
      return { taskId: task.taskId, files: [file] };
    }
  }
}
