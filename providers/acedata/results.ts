// What AceData Cloud answers, parsed tolerantly and normalized into snapshots. The same
// `{success, task_id, data | error}` body comes back from a synchronous route, inside a task record
// (`POST /suno/tasks` → `{id, state, request, response}`), and in the one final callback.
import { z } from 'zod';
import { RETRYABLE_CLASSES, type ErrorClass } from '../errors';
import { TRANSFORM_STEPS, type AlignedWord, type Clip, type LyricsVariant, type StemFile, type StepKind, type StepOutputs, type TaskSnapshot, type TaskState } from '../model';
import { parseOrThrow, dropUndefined, idString, isInputRefusal, looseNumber, looseString } from '../wire';

/** A flag some answers send as "true"/"false" or 1/0. */
export const looseBool = z
  .union([z.boolean(), z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === true || v === 'true' || v === 1 ? true : v === false || v === 'false' || v === 0 ? false : undefined));

export const errorObject = z.object({ code: looseString, message: looseString });

/** The body every AceData route answers with, and the `response` of a task record. */
export const resultBody = z.object({
  success: looseBool,
  task_id: idString.optional(),
  trace_id: looseString,
  data: z.unknown().optional(),
  error: z.union([errorObject, z.string().transform((message) => ({ code: undefined, message }))]).nullish(),
});
export type ResultBody = z.infer<typeof resultBody>;

export const taskRecord = z.object({
  id: idString.optional(),
  state: looseString,
  request: z.object({ action: looseString }).nullish(),
  response: resultBody.nullish(),
});
export type TaskRecord = z.infer<typeof taskRecord>;

export const batchAnswer = z.object({ items: z.array(taskRecord).nullish(), count: looseNumber });

/** An uploaded audio answers `audio_id` where a generated one answers `id`; either names the clip. */
function idFromAudioId(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const item = value as Record<string, unknown>;
  return item.id === undefined && item.audio_id !== undefined ? { ...item, id: item.audio_id } : value;
}

const audioItem = z.preprocess(idFromAudioId, z.object({
  id: idString,
  title: looseString,
  state: looseString,
  status: looseString,
  audio_url: looseString,
  image_url: looseString,
  image_large_url: looseString,
  video_url: looseString,
  lyric: looseString,
  style: looseString,
  duration: looseNumber,
}));
type AudioItem = z.infer<typeof audioItem>;

const alignedWord = z.object({ word: z.string(), start_s: looseNumber, end_s: looseNumber, success: looseBool });
const lyricsItem = z.object({ text: looseString, title: looseString, status: looseString });

/** AceData's `error.code` words; unknown words are refusals. */
const CODE_CLASSES: Record<string, ErrorClass> = {
  bad_request: 'rejected',
  // Moderation: artist names, copyrighted or inappropriate prompts (HTTP 403).
  forbidden: 'rejected',
  not_found: 'rejected',
  api_not_implemented: 'rejected',
  invalid_token: 'auth',
  token_expired: 'auth',
  no_token: 'auth',
  token_mismatched: 'auth',
  disabled: 'auth',
  used_up: 'billing',
  too_many_requests: 'throttled',
  api_error: 'unavailable',
  timeout: 'unavailable',
};

export function classifyAcedataCode(code: string | undefined): ErrorClass {
  return (code && CODE_CLASSES[code.toLowerCase()]) || 'rejected';
}

// ---- Clip states (pending, running, succeeded, error) ----

type ClipStage = 'waiting' | 'streaming' | 'done' | 'error';

function clipStage(item: AudioItem): ClipStage {
  const word = (item.state ?? item.status)?.toLowerCase();
  if (word === 'succeeded' || word === 'complete' || word === 'completed' || word === 'success') return 'done';
  if (word === 'error' || word === 'failed' || word === 'failure') return 'error';
  // Older answers carry no state at all: a clip with audio is then a finished one.
  if (word === undefined) return item.audio_url ? 'done' : 'waiting';
  // While running, audio_url is a streaming preview, not the final file.
  return item.audio_url ? 'streaming' : 'waiting';
}

/** A clip as the canonical model has it: until the clip is done, its audio_url is only a preview. */
function toClip(item: AudioItem): Clip {
  const done = clipStage(item) === 'done';
  return dropUndefined({
    id: item.id,
    title: item.title,
    audioUrl: done ? item.audio_url : undefined,
    streamAudioUrl: done ? undefined : item.audio_url,
    imageUrl: item.image_large_url ?? item.image_url,
    durationSeconds: item.duration,
    tags: item.style,
    lyrics: item.lyric,
  });
}

/** "Song - Vocals", "Song (Drums)" → "vocals", "drums"; a repeated name gets a suffix. */
function stemFiles(items: AudioItem[]): StemFile[] {
  const seen = new Map<string, number>();
  return items
    .filter((i) => i.audio_url)
    .map((item, index) => {
      const title = item.title?.trim() ?? '';
      const match = /\(([^()]+)\)\s*$/.exec(title) ?? /\s-\s([^-]+)$/.exec(title);
      const base = (match?.[1] ?? `stem-${index + 1}`).trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || `stem-${index + 1}`;
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      // all_stems answers two candidate sets of the same twelve names.
      return { name: count === 1 ? base : `${base}-${count}`, url: item.audio_url! };
    });
}

function asList(data: unknown): unknown[] {
  if (data === null || data === undefined || data === '') return [];
  return Array.isArray(data) ? data : [data];
}

function firstString(data: unknown, keys: readonly string[]): string | undefined {
  for (const entry of asList(data)) {
    if (typeof entry !== 'object' || entry === null) continue;
    for (const key of keys) {
      const value = (entry as Record<string, unknown>)[key];
      if (typeof value === 'string' && value !== '') return value;
    }
  }
  return undefined;
}


function failureOf(error: { code?: string; message?: string } | null | undefined, fallback: string): { reason: string; retryable: boolean } {
  const reason = error?.message ?? error?.code ?? fallback;
  const known = error?.code ? CODE_CLASSES[error.code.toLowerCase()] : undefined;
  const retryable = known ? RETRYABLE_CLASSES.includes(known) : !isInputRefusal(reason);
  return { reason, retryable };
}

const FAILED_RECORD_STATES = new Set(['failed', 'failure', 'error', 'cancelled', 'canceled', 'timeout']);
const RUNNING_RECORD_STATES = new Set(['running', 'processing', 'streaming']);

/**
 * A snapshot from a result body (sync answer, task record response, or callback). `recordState` is
 * the task record's own `state`, consulted only when the body says nothing yet.
 */
export function snapshotFromResult(kind: StepKind, taskId: string, result: ResultBody | null | undefined, recordState?: string): TaskSnapshot {
  const base = { taskId: result?.task_id ?? taskId, clips: [] as Clip[], lyrics: [] as LyricsVariant[] };
  const word = recordState?.toLowerCase();

  if (!result || (result.success === undefined && result.data === undefined && !result.error)) {
    if (word && FAILED_RECORD_STATES.has(word)) {
      return { ...base, state: 'failed', providerStatus: recordState!, failure: failureOf(undefined, `${kind} task ended with ${recordState}`) };
    }
    return { ...base, state: word && RUNNING_RECORD_STATES.has(word) ? 'running' : 'queued', providerStatus: recordState || 'pending' };
  }

  if (result.success === false || result.error) {
    return { ...base, state: 'failed', providerStatus: result.error?.code ?? 'failed', failure: failureOf(result.error, `${kind} task failed`) };
  }

  if ((TRANSFORM_STEPS as readonly StepKind[]).includes(kind)) return audioSnapshot(kind, base, result.data);
  switch (kind) {
    case 'song':
    case 'stems':
    case 'all-stems':
      return audioSnapshot(kind, base, result.data);
    case 'lyrics': {
      const lyrics = parseOrThrow(z.array(lyricsItem), asList(result.data), 'acedata lyrics data')
        .filter((l) => l.text)
        .map((l) => dropUndefined({ text: l.text!, title: l.title }));
      return { ...base, lyrics, state: lyrics.length > 0 ? 'succeeded' : 'running', providerStatus: lyrics.length > 0 ? 'succeeded' : 'running' };
    }
    default:
      return outputSnapshot(kind, base, result.data);
  }
}

function audioSnapshot(kind: StepKind, base: { taskId: string; clips: Clip[]; lyrics: LyricsVariant[] }, data: unknown): TaskSnapshot {
  const items = parseOrThrow(z.array(audioItem), asList(data), `acedata ${kind} data`);
  const stages = items.map(clipStage);
  const liveItems = items.filter((_, i) => stages[i] !== 'error');
  const live = stages.filter((s) => s !== 'error');
  let state: TaskState;
  if (items.length === 0) state = 'running';
  else if (live.length === 0) state = 'failed';
  else if (live.every((s) => s === 'done')) state = 'succeeded';
  else if (live.some((s) => s !== 'waiting')) state = 'partial';
  else state = 'running';

  const providerStatus = items.length === 0 ? 'running' : [...new Set(items.map((i) => i.state ?? i.status ?? 'unknown'))].join(',');
  if (state === 'failed') return { ...base, state, providerStatus, failure: { reason: `every ${kind} result ended in error`, retryable: true } };
  // Songs and every transform answer clips; only the stem separations answer files by name.
  if (kind !== 'stems' && kind !== 'all-stems') return { ...base, state, providerStatus, clips: liveItems.map(toClip) };
  // Until every part is done, only the finished ones are offered.
  return { ...base, state, providerStatus, outputs: { stems: stemFiles(liveItems.filter((i) => clipStage(i) === 'done')) } };
}

/** Steps whose answer is one object: persona id, WAV or MP4 URL, aligned words. */
function outputSnapshot(kind: StepKind, base: { taskId: string; clips: Clip[]; lyrics: LyricsVariant[] }, data: unknown): TaskSnapshot {
  let outputs: StepOutputs | undefined;
  switch (kind) {
    case 'persona': {
      const personaId = firstString(data, ['persona_id', 'personaId', 'id']);
      if (personaId) outputs = { personaId };
      break;
    }
    case 'wav': {
      const wavUrl = firstString(data, ['file_url', 'wav_url', 'audio_wav_url', 'audio_url', 'url']);
      if (wavUrl) outputs = { wavUrl };
      break;
    }
    case 'mp4': {
      const videoUrl = firstString(data, ['video_url', 'file_url', 'mp4_url', 'url']);
      if (videoUrl) outputs = { videoUrl };
      break;
    }
    case 'timestamped-lyrics': {
      const holder = asList(data)[0];
      const raw = typeof holder === 'object' && holder !== null ? (holder as { aligned_words?: unknown }).aligned_words : undefined;
      if (raw !== undefined) {
        const words = parseOrThrow(z.array(alignedWord), raw, 'acedata timing data.aligned_words');
        const alignedWords: AlignedWord[] = words
          .filter((w) => w.success !== false && w.start_s !== undefined && w.end_s !== undefined)
          .map((w) => ({ word: w.word, startSeconds: w.start_s!, endSeconds: w.end_s! }));
        if (alignedWords.length > 0) outputs = { alignedWords };
      }
      break;
    }
    default:
      break;
  }
  // Success without the result yet: an asynchronous task still filling in.
  return outputs ? { ...base, state: 'succeeded', providerStatus: 'succeeded', outputs } : { ...base, state: 'running', providerStatus: 'running' };
}
