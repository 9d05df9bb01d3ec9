// What the CQTAI gateway answers: `{code, msg, data}` envelopes, and for a query
// `data{id, taskType, status, errorMsg, param, result}` where `result` is a list of Suno clips
// (songs, stems) or one object (persona, exports, timeline) depending on the task.
import { z } from 'zod';
import type { AlignedWord, Clip, LyricsVariant, StemFile, StepKind, StepOutputs, TaskSnapshot, TaskState } from '../model';
import { parseOrThrow, dropUndefined, idString, isInputRefusal, looseNumber, looseString, envelopeCode } from '../wire';

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

function clipStage(c: ClipItem): ClipStage {
  const word = c.status?.toLowerCase();
  if (word === 'complete' || word === 'completed' || word === 'succeeded' || word === 'success') return 'done';
  if (word === 'error' || word === 'failed') return 'error';
  if (word === 'streaming' || c.audio_url) return 'streaming';
  return 'waiting';
}

function toClip(c: ClipItem): Clip {
  return dropUndefined({
    id: c.id,
    title: c.title,
    audioUrl: c.audio_url,
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
    case 'mp4': {
      const videoUrl = firstString(result, ['video_url', 'videoUrl', 'mp4_url', 'file_url', 'url']);
      return videoUrl ? { videoUrl } : undefined;
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

export function snapshotOf(kind: StepKind, taskId: string, info: TaskInfo): TaskSnapshot {
  let state: TaskState = STATUS_STATES[info.status.toLowerCase()] ?? 'running';
  let clipReason: string | undefined;
  const snapshot: TaskSnapshot = { taskId: info.id ?? taskId, state, providerStatus: info.status, clips: [], lyrics: [] };

  if (kind === 'song' || kind === 'stems' || kind === 'all-stems') {
    const clips = state === 'failed' ? [] : parseOrThrow(z.array(clipItem), asList(info.result), `cqt ${info.taskType ?? kind} result`);
    const stages = clips.map(clipStage);
    const live = clips.filter((_, i) => stages[i] !== 'error');
    if (clips.length > 0 && live.length === 0) {
      state = 'failed';
      clipReason = clips.map((c) => c.metadata?.error_message).find((m) => m !== undefined) ?? `every ${kind} result ended in error`;
    } else if (state === 'running' && stages.some((s) => s === 'streaming' || s === 'done')) state = 'partial';
    if (state !== 'failed') {
      if (kind === 'song') snapshot.clips = live.map(toClip);
      else snapshot.outputs = { stems: stemFiles(state === 'succeeded' ? live : live.filter((c) => clipStage(c) === 'done')) };
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
