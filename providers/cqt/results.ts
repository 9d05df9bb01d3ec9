// What the CQTAI gateway answers: `{code, msg, data}` envelopes, and for a query
// `data{id, taskType, status, errorMsg, param, result}` where `result` is a list of Suno clips
// (songs, transforms, stems) or one object (persona, exports, timeline, cover image, video, enhanced
// tags, downbeats) depending on the task; either may come wrapped the other way, and both are read.
import { z } from 'zod';
import { TRANSFORM_STEPS, type AlignedWord, type Clip, type LyricsVariant, type StemFile, type StepKind, type StepOutputs, type TaskSnapshot, type TaskState } from '../model';
import { parseOrThrow, dropUndefined, idString, isInputRefusal, looseNumber, looseString, envelopeCode, WireFormatError } from '../wire';

export const envelope = z.object({ code: envelopeCode, msg: looseString, message: looseString, data: z.unknown().optional() });

export const taskInfo = z.object({
  id: idString.optional(),
  taskType: looseString,
  status: z.string().min(1),
  errorMsg: looseString,
  result: z.unknown().optional(),
});
export type TaskInfo = z.infer<typeof taskInfo>;

const clipItem = z.object({
  id: idString,
  title: looseString,
  status: looseString,
  audio_url: looseString,
  stream_audio_url: looseString,
  image_url: looseString,
  image_large_url: looseString,
  video_url: looseString,
  duration: looseNumber,
  metadata: z
    .object({
      duration: looseNumber,
      prompt: looseString,
      tags: looseString,
      error_message: looseString,
      stem_type_group_name: looseString,
    })
    .nullish(),
});
type ClipItem = z.infer<typeof clipItem>;

const alignedWord = z.object({ word: z.string(), start_s: looseNumber, end_s: looseNumber, success: z.unknown().optional() });

/** The gateway's task statuses; only `succeeded` is shown in its documents, the rest are tolerated. */
const STATUS_STATES: Record<string, TaskState> = {
  pending: 'queued',
  queued: 'queued',
  queuing: 'queued',
  waiting: 'queued',
  submitted: 'queued',
  created: 'queued',
  not_start: 'queued',
  running: 'running',
  processing: 'running',
  in_progress: 'running',
  generating: 'running',
  streaming: 'running',
  succeeded: 'succeeded',
  success: 'succeeded',
  complete: 'succeeded',
  completed: 'succeeded',
  finished: 'succeeded',
  failed: 'failed',
  failure: 'failed',
  fail: 'failed',
  error: 'failed',
  timeout: 'failed',
  cancelled: 'failed',
  canceled: 'failed',
};


function asList(value: unknown): unknown[] {
  if (value === null || value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function firstString(value: unknown, keys: readonly string[]): string | undefined {
  for (const entry of asList(value)) {
    if (typeof entry !== 'object' || entry === null) continue;
    for (const key of keys) {
      const found = (entry as Record<string, unknown>)[key];
      if (typeof found === 'string' && found !== '') return found;
      if (typeof found === 'number') return String(found);
    }
  }
  return undefined;
}

type ClipStage = 'waiting' | 'streaming' | 'done' | 'error';

const DONE_WORDS = ['complete', 'completed', 'succeeded', 'success'];

/** A clip without a status word counts as done once its task has succeeded and its audio is there. */
function clipStage(c: ClipItem, taskSucceeded: boolean): ClipStage {
  const word = c.status?.toLowerCase();
  if (word !== undefined && DONE_WORDS.includes(word)) return 'done';
  if (word === 'error' || word === 'failed') return 'error';
  if (word === undefined && taskSucceeded && c.audio_url) return 'done';
  if (word === 'streaming' || c.audio_url || c.stream_audio_url) return 'streaming';
  return 'waiting';
}

/** A finished clip's audio is `audioUrl`; before that, whatever URL it has is only a streaming preview. */
function toClip(c: ClipItem, stage: ClipStage): Clip {
  const done = stage === 'done';
  return dropUndefined({
    id: c.id,
    title: c.title,
    audioUrl: done ? c.audio_url : undefined,
    streamAudioUrl: c.stream_audio_url ?? (done ? undefined : c.audio_url),
    imageUrl: c.image_large_url ?? c.image_url,
    durationSeconds: c.duration ?? c.metadata?.duration,
    tags: c.metadata?.tags,
    lyrics: c.metadata?.prompt,
  });
}

/** Stem names from `metadata.stem_type_group_name`, else the title's "(Vocals)"; repeats get a suffix. */
function stemFiles(clips: ClipItem[]): StemFile[] {
  const seen = new Map<string, number>();
  return clips
    .filter((c) => c.audio_url)
    .map((c, index) => {
      const fromTitle = /\(([^()]+)\)\s*$/.exec(c.title ?? '')?.[1] ?? /\s-\s([^-]+)$/.exec(c.title ?? '')?.[1];
      const raw = c.metadata?.stem_type_group_name ?? fromTitle ?? `stem-${index + 1}`;
      const base = raw.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || `stem-${index + 1}`;
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      return { name: count === 1 ? base : `${base}-${count}`, url: c.audio_url! };
    });
}

function lyricsOf(result: unknown): LyricsVariant[] {
  if (typeof result === 'string') return result.trim() ? [{ text: result }] : [];
  const variants: LyricsVariant[] = [];
  for (const entry of asList(result)) {
    const text = firstString(entry, ['text', 'lyrics', 'lyric', 'prompt']);
    if (text) variants.push(dropUndefined({ text, title: firstString(entry, ['title']) }));
  }
  return variants;
}

/** A list of URLs as the gateway may send it: one string, strings, or objects holding a URL. */
const urlList = z.union([
  z.string(),
  z.array(z.union([z.string(), z.object({ url: looseString, image_url: looseString, imageUrl: looseString, image_large_url: looseString }), z.null()])),
]);

const IMAGE_KEYS = ['imageUrls', 'image_urls', 'images', 'imageUrl', 'image_url', 'image_large_url', 'cover_url', 'coverUrl', 'url'] as const;

/** The cover image's URLs, best first, from the first key that holds any. */
function imageUrlsOf(result: unknown): string[] {
  for (const entry of asList(result)) {
    if (typeof entry === 'string') {
      if (entry !== '') return [entry];
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    for (const key of IMAGE_KEYS) {
      const raw = (entry as Record<string, unknown>)[key];
      if (raw === undefined || raw === null || raw === '') continue;
      const value = parseOrThrow(urlList, raw, `cqt cover_image result.${key}`);
      const urls = (typeof value === 'string' ? [value] : value.map((v) => (v === null || typeof v === 'string' ? v : (v.image_large_url ?? v.url ?? v.imageUrl ?? v.image_url))))
        .filter((u): u is string => typeof u === 'string' && u !== '');
      if (urls.length > 0) return [...new Set(urls)];
    }
  }
  return [];
}

const beat = z.union([z.number(), z.string(), z.null(), z.object({ time: looseNumber, start_s: looseNumber, seconds: looseNumber, t: looseNumber })]);
const DOWNBEAT_KEYS = ['downbeats', 'down_beats', 'downbeat_times', 'downbeatTimes'] as const;

/** Downbeat times in seconds; numbers may come as strings or as `{time}` objects, nulls are skipped. */
function downbeatsOf(result: unknown): number[] | undefined {
  let raw: unknown;
  let field = 'result';
  if (Array.isArray(result) && result.every((entry) => typeof entry !== 'object' || entry === null)) raw = result;
  else {
    const holder = asList(result)[0];
    if (typeof holder !== 'object' || holder === null) return undefined;
    const key = DOWNBEAT_KEYS.find((k) => (holder as Record<string, unknown>)[k] !== undefined && (holder as Record<string, unknown>)[k] !== null);
    if (key === undefined) return undefined;
    raw = (holder as Record<string, unknown>)[key];
    field = `result.${key}`;
  }
  const entries = parseOrThrow(z.array(beat), raw, `cqt downbeats ${field}`);
  const seconds: number[] = [];
  entries.forEach((entry, i) => {
    if (entry === null || entry === '') return;
    const value = typeof entry === 'object' ? (entry.time ?? entry.start_s ?? entry.seconds ?? entry.t) : Number(entry);
    if (value === undefined || !Number.isFinite(value) || value < 0) throw new WireFormatError(`cqt downbeats ${field}`, `${i}: not a number of seconds (${JSON.stringify(entry)})`);
    seconds.push(value);
  });
  return seconds;
}

function outputsOf(kind: StepKind, result: unknown): StepOutputs | undefined {
  switch (kind) {
    case 'persona': {
      const personaId = firstString(result, ['personaId', 'persona_id', 'id']);
      return personaId ? { personaId } : undefined;
    }
    case 'wav': {
      const wavUrl = firstString(result, ['wav_url', 'wavUrl', 'file_url', 'fileUrl', 'audio_url', 'url']);
      return wavUrl ? { wavUrl } : undefined;
    }
    case 'mp4':
    case 'video': {
      const videoUrl = typeof result === 'string' && result !== '' ? result : firstString(result, ['videoUrl', 'video_url', 'mp4_url', 'file_url', 'url']);
      return videoUrl ? { videoUrl } : undefined;
    }
    case 'cover-art': {
      const imageUrls = imageUrlsOf(result);
      return imageUrls.length > 0 ? { imageUrls } : undefined;
    }
    case 'style': {
      const style = typeof result === 'string' ? result.trim() || undefined : firstString(result, ['tags', 'style', 'upsampled_tags', 'upsampledTags', 'text']);
      return style ? { style } : undefined;
    }
    case 'custom-model': {
      // The trained model's id, under whichever name the gateway uses; a bare string is the id.
      const modelId = typeof result === 'string' ? result.trim() || undefined : firstString(result, ['modelId', 'model_id', 'model', 'id']);
      return modelId ? { modelId } : undefined;
    }
    case 'downbeats': {
      const downbeats = downbeatsOf(result);
      return downbeats === undefined ? undefined : { downbeats };
    }
    case 'timestamped-lyrics': {
      const holder = asList(result)[0];
      const raw = typeof holder === 'object' && holder !== null ? ((holder as { aligned_words?: unknown; alignedWords?: unknown }).aligned_words ?? (holder as { alignedWords?: unknown }).alignedWords) : undefined;
      if (raw === undefined) return undefined;
      const words = parseOrThrow(z.array(alignedWord), raw, 'cqt timeline result.aligned_words');
      const alignedWords: AlignedWord[] = words
        .filter((w) => w.success !== false && w.start_s !== undefined && w.end_s !== undefined)
        .map((w) => ({ word: w.word, startSeconds: w.start_s!, endSeconds: w.end_s! }));
      return alignedWords.length > 0 ? { alignedWords } : undefined;
    }
    default:
      return undefined;
  }
}

/** Kinds whose result is a list of clips: the song and every transform. */
const CLIP_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(['song', ...TRANSFORM_STEPS]);

/** A clip list, or one clip, or an object wrapping the list (`{clips: [...]}`). */
function clipListOf(result: unknown): unknown[] {
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    const wrapped = (result as { clips?: unknown; data?: unknown }).clips ?? (result as { data?: unknown }).data;
    if (Array.isArray(wrapped)) return wrapped;
  }
  return asList(result);
}

export function snapshotOf(kind: StepKind, taskId: string, info: TaskInfo): TaskSnapshot {
  let state: TaskState = STATUS_STATES[info.status.toLowerCase()] ?? 'running';
  let clipReason: string | undefined;
  const snapshot: TaskSnapshot = { taskId: info.id ?? taskId, state, providerStatus: info.status, clips: [], lyrics: [] };

  if (CLIP_KINDS.has(kind) || kind === 'stems' || kind === 'all-stems') {
    const clips = state === 'failed' ? [] : parseOrThrow(z.array(clipItem), clipListOf(info.result), `cqt ${info.taskType ?? kind} result`);
    const stages = clips.map((c) => clipStage(c, state === 'succeeded'));
    const live = clips.filter((_, i) => stages[i] !== 'error');
    const liveStages = stages.filter((s) => s !== 'error');
    if (clips.length > 0 && live.length === 0) {
      state = 'failed';
      clipReason = clips.map((c) => c.metadata?.error_message).find((m) => m !== undefined) ?? `every ${kind} result ended in error`;
    } else if (state === 'running' && stages.some((s) => s === 'streaming' || s === 'done')) state = 'partial';
    if (state !== 'failed') {
      if (CLIP_KINDS.has(kind)) snapshot.clips = live.map((c, i) => toClip(c, liveStages[i]!));
      else snapshot.outputs = { stems: stemFiles(state === 'succeeded' ? live : live.filter((_, i) => liveStages[i] === 'done')) };
    }
  } else if (kind === 'lyrics') {
    if (state !== 'failed') snapshot.lyrics = lyricsOf(info.result);
  } else if (state !== 'failed') {
    const outputs = outputsOf(kind, info.result);
    if (outputs) snapshot.outputs = outputs;
  }

  snapshot.state = state;
  if (state === 'failed') {
    const reason = info.errorMsg ?? clipReason ?? `${kind} task ended with ${info.status}`;
    // The gateway refunds failed tasks, so a new submit costs nothing extra unless the input is refused.
    snapshot.failure = { reason, retryable: !isInputRefusal(reason) };
  }
  return snapshot;
}
