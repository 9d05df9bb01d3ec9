// What a finished step leaves in the run's folder, by kind, each file checked as the step promises:
// a transform's audio decodes (and lasts what the kind says it lasts, where that is known), an
// export lasts as long as the clip it was made from, an image is an image. File names are the step's
// own name, so a definition's reader finds `join.mp3` and `wav.wav` where the steps said.
import { ApplicationFailure } from '@temporalio/workflow';
import type { ArtifactRecord } from '../contracts/artifacts';
import type { PlannedStep } from '../contracts/pipelinePlan';
import type { Clip, ClipRef, ProviderName, TaskSnapshot } from '../providers/model';
import { storeDownload, writeTextArtifact, writeTimedLyrics } from '../artifacts/artifactProxies';


export interface StepContext {
  provider: ProviderName;
  outDir: string;
  step: PlannedStep;
  task: TaskSnapshot;
  /** The clip the step worked on (exports, persona). */
  source?: ClipRef;
  /** All the clips it worked on (concat, mashup). */
  sources?: ClipRef[];
  /** Sung lyrics, for the timed lyrics of an export. */
  lyrics?: string;
}

export interface StoredStep {
  files: ArtifactRecord[];
  /** The clip as stored: its measured length replaces the provider's claim. */
  clip?: ClipRef;
  /** Text a lyrics or style step returned, or the id a custom-model step trained. */
  text?: string;
  personaId?: string;
}

function missing(ctx: StepContext, what: string): never {
  throw ApplicationFailure.nonRetryable(`step ${ctx.step.name}: ${ctx.provider} task ${ctx.task.taskId} succeeded without ${what}`, 'ProviderTaskEmpty');
}

/** How long a kind's audio must last, where the kind promises it (±0.5 s); undefined: it must only decode. */
export function promisedSeconds(ctx: Pick<StepContext, 'step' | 'source'>): number | undefined {
  const { kind, params } = ctx.step;
  switch (kind) {
    case 'replace-section':
    case 'add-vocals':
    case 'add-instrumental':
    case 'remaster':
      return ctx.source?.durationSeconds;
    case 'sound-effect':
      return params.seconds;
    case 'crop':
      return params.section && params.section.end - params.section.start;
    default:
      return undefined;
  }
}

/** Stores the chosen clip of a step that makes audio. */
export async function storeClip(ctx: StepContext, clip: Clip): Promise<StoredStep> {
  if (!clip.audioUrl) missing(ctx, 'finished audio');
  const file = await storeDownload({
    url: clip.audioUrl,
    dir: ctx.outDir,
    name: ctx.step.name,
    kind: 'audio',
    check: { media: 'audio', expectDurationSeconds: promisedSeconds(ctx) },
    source: { provider: ctx.provider, taskId: ctx.task.taskId, clipId: clip.id, url: clip.audioUrl },
  });
  const stored: ClipRef = { taskId: ctx.task.taskId, clipId: clip.id, audioUrl: clip.audioUrl, durationSeconds: file.durationSeconds, title: clip.title };
  return { files: [file], clip: stored };
}

/** The clip's own data is kept with the provider when the step's files are not kept; later steps still use it. */
export function unstoredClip(ctx: StepContext, clip: Clip): StoredStep {
  return { files: [], clip: { taskId: ctx.task.taskId, clipId: clip.id, audioUrl: clip.audioUrl, durationSeconds: clip.durationSeconds, title: clip.title } };
}

/** Stores what a step that makes no clip returned. */
export async function storeOutputs(ctx: StepContext): Promise<StoredStep> {
  const { step, task, outDir } = ctx;
  const outputs = task.outputs ?? {};
  const length = ctx.source?.durationSeconds;
  const source = { provider: ctx.provider, taskId: task.taskId, clipId: ctx.source?.clipId };
  switch (step.kind) {
    case 'lyrics': {
      const variant = task.lyrics[0];
      if (!variant) missing(ctx, 'lyrics text');
      const files = step.keep ? [await writeTextArtifact({ dir: outDir, fileName: `${step.name}.txt`, text: `${variant.text.trim()}\n`, kind: 'lyrics' })] : [];
      return { files, text: variant.text };
    }
    case 'style': {
      if (!outputs.style) missing(ctx, 'style text');
      const files = step.keep ? [await writeTextArtifact({ dir: outDir, fileName: `${step.name}.txt`, text: `${outputs.style.trim()}\n`, kind: 'text' })] : [];
      return { files, text: outputs.style };
    }
    case 'persona':
      if (!outputs.personaId) missing(ctx, 'a persona id');
      return { files: [], personaId: outputs.personaId };
    case 'custom-model': {
      // No media: the trained model's id, in pipeline.json (as the step's text) and in <step>.json.
      if (!outputs.modelId) missing(ctx, 'a model id');
      const text = `${JSON.stringify({ modelId: outputs.modelId, name: step.params.name, trainedOn: (ctx.sources ?? []).map((s) => s.clipId) }, null, 2)}\n`;
      const files = step.keep ? [await writeTextArtifact({ dir: outDir, fileName: `${step.name}.json`, text, kind: 'data' })] : [];
      return { files, text: outputs.modelId };
    }
    case 'downbeats': {
      if (!outputs.downbeats) missing(ctx, 'downbeats');
      const text = `${JSON.stringify({ clipId: ctx.source?.clipId, downbeats: outputs.downbeats }, null, 2)}\n`;
      return { files: step.keep ? [await writeTextArtifact({ dir: outDir, fileName: `${step.name}.json`, text, kind: 'data' })] : [] };
    }
    default:
      break;
  }
  if (!step.keep) return { files: [] };
  switch (step.kind) {
    case 'stems':
    case 'all-stems': {
      const stems = outputs.stems ?? [];
      if (stems.length === 0) missing(ctx, 'stem files');
      const files = await Promise.all(
        stems.map((stem) =>
          storeDownload({ url: stem.url, dir: `${outDir}/${step.name}`, name: stem.name, kind: 'stem', check: { media: 'audio', expectDurationSeconds: length }, source: { ...source, url: stem.url } }),
        ),
      );
      return { files };
    }
    case 'wav': {
      if (!outputs.wavUrl) missing(ctx, 'a WAV URL');
      return { files: [await storeDownload({ url: outputs.wavUrl, dir: outDir, name: step.name, kind: 'wav', check: { media: 'audio', expectDurationSeconds: length }, source: { ...source, url: outputs.wavUrl } })] };
    }
    case 'mp4':
    case 'video': {
      if (!outputs.videoUrl) missing(ctx, 'a video URL');
      return { files: [await storeDownload({ url: outputs.videoUrl, dir: outDir, name: step.name, kind: 'video', check: { media: 'video', expectDurationSeconds: length }, source: { ...source, url: outputs.videoUrl } })] };
    }
    case 'cover-art': {
      const url = outputs.imageUrls?.[0];
      if (!url) missing(ctx, 'an image URL');
      return { files: [await storeDownload({ url, dir: outDir, name: step.name, kind: 'cover-art', check: { media: 'image' }, source: { ...source, url } })] };
    }
    case 'timestamped-lyrics': {
      if (!outputs.alignedWords || outputs.alignedWords.length === 0) missing(ctx, 'aligned words');
      const file = await writeTimedLyrics({ dir: outDir, fileName: `${step.name}.lrc`, words: outputs.alignedWords, lyrics: ctx.lyrics, title: ctx.source?.title, lengthSeconds: length ?? 24 * 3600 });
      return { files: [file] };
    }
    default:
      return { files: [] };
  }
}
