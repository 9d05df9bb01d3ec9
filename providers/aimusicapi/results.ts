// What aimusicapi.org answers, parsed tolerantly: the submit's `workId` (at the top level or inside
// `data`), and the query's `data.type` with `data.response_data[]`, one entry per clip with its own
// Suno `status`. The task-level type can say SUCCESS while a clip is still streaming, so the clips
// decide too; and a clip's `audio_url` is only its finished file once that clip is complete: while
// it streams, it is a preview.
import { z } from 'zod';
import { classifyStatus, ProviderError, type ErrorClass } from '../errors';
import type { Clip, StepKind, TaskSnapshot, TaskState } from '../model';
import { dropUndefined, envelopeCode, idString, isInputRefusal, looseNumber, looseString, parseOrThrow, WireFormatError } from '../wire';

export const PROVIDER = 'aimusicapi';

export const submitAnswer = z.object({
  code: envelopeCode,
  message: looseString,
  msg: looseString,
  // Public clients of this service see the id either at the top level or inside `data`.
  workId: idString.optional(),
  work_id: idString.optional(),
  data: z
    .union([
      z.object({ task_id: idString.optional(), taskId: idString.optional(), workId: idString.optional() }),
      idString,
      z.null(),
    ])
    .optional(),
});

const clipMetadata = z.object({ duration: looseNumber, prompt: looseString, tags: looseString, error_message: looseString });

const responseClip = z.object({
  id: idString.optional(),
  clip_id: idString.optional(),
  song_id: idString.optional(),
  title: looseString,
  status: looseString,
  state: looseString,
  audio_url: looseString,
  stream_audio_url: looseString,
  image_url: looseString,
  image_large_url: looseString,
  prompt: looseString,
  lyric: looseString,
  lyrics: looseString,
  tags: looseString,
  duration: looseNumber,
  metadata: clipMetadata.nullish(),
  error_message: looseString,
  fail_message: looseString,
});
type ResponseClip = z.infer<typeof responseClip>;

export const queryAnswer = z.object({
  code: envelopeCode,
  message: looseString,
  msg: looseString,
  data: z
    .object({
      type: looseString,
      status: looseString,
      request_body: z.object({ gpt_description_prompt: looseString }).nullish(),
      response_data: z.array(responseClip).nullish(),
      error_message: looseString,
      fail_message: looseString,
    })
    .nullish(),
});

// ---- Status vocabulary ----

/** The task-level `data.type`; it can say SUCCESS while clips are still early, so clips decide too. */
type TaskWord = 'queued' | 'working' | 'done' | 'failed';
const TASK_WORDS: Record<string, TaskWord> = {
  PENDING: 'queued',
  QUEUED: 'queued',
  SUBMITTED: 'queued',
  NOT_START: 'queued',
  IN_PROGRESS: 'working',
  PROCESSING: 'working',
  RUNNING: 'working',
  STREAMING: 'working',
  TEXT: 'working',
  TEXT_SUCCESS: 'working',
  FIRST: 'working',
  FIRST_SUCCESS: 'working',
  SUCCESS: 'done',
  COMPLETE: 'done',
  COMPLETED: 'done',
  FAILED: 'failed',
  FAILURE: 'failed',
  FAIL: 'failed',
  ERROR: 'failed',
};

/** Each clip's own `status`, in Suno's words. */
type ClipStage = 'waiting' | 'streaming' | 'done' | 'error';
const CLIP_STAGES: Record<string, ClipStage> = {
  submitted: 'waiting',
  queued: 'waiting',
  pending: 'waiting',
  processing: 'waiting',
  running: 'waiting',
  text: 'waiting',
  streaming: 'streaming',
  first: 'streaming',
  complete: 'done',
  completed: 'done',
  success: 'done',
  succeeded: 'done',
  error: 'error',
  failed: 'error',
  failure: 'error',
};

export function aimusicapiClassify(code: number): ErrorClass {
  return classifyStatus(code);
}

/** Throws a classified ProviderError when the envelope's `code` is not 200. */
export function checkEnvelope(code: string | number | undefined, message: string | undefined): void {
  if (code === undefined || String(code).toLowerCase() === 'success') return;
  const numeric = Number(code);
  if (numeric === 200) return;
  throw new ProviderError(PROVIDER, Number.isFinite(numeric) ? aimusicapiClassify(numeric) : 'rejected', String(code), message ?? 'no message');
}

export function parseSubmitAnswer(body: unknown): string {
  const answer = parseOrThrow(submitAnswer, body, 'aimusicapi submit answer');
  checkEnvelope(answer.code, answer.message ?? answer.msg);
  const data = answer.data;
  const nested = typeof data === 'string' ? data : (data?.task_id ?? data?.taskId ?? data?.workId);
  const taskId = answer.workId ?? answer.work_id ?? nested;
  if (!taskId) throw new ProviderError(PROVIDER, 'ambiguous', 'no-work-id', 'submit answered success without a workId');
  return taskId;
}

function clipStage(c: ResponseClip): ClipStage {
  const word = (c.status ?? c.state)?.toLowerCase();
  const stage = word ? CLIP_STAGES[word] : undefined;
  if (stage) return stage;
  // An unknown word with audio already present is at least streaming.
  return c.audio_url || c.stream_audio_url ? 'streaming' : 'waiting';
}

function toClip(c: ResponseClip, stage: ClipStage, index: number, taskId: string, description: string | undefined): Clip {
  const prompt = c.prompt ?? c.metadata?.prompt;
  // Until the clip is complete its `audio_url` is the streaming preview (Suno's audiopipe URL):
  // a partial render that must never be taken, downloaded or checked as the finished song.
  const finished = stage === 'done';
  return dropUndefined({
    // The documented clip fields carry no id; fall back to a stable one so a clip can be chosen.
    id: c.id ?? c.clip_id ?? c.song_id ?? `${taskId}-${index}`,
    title: c.title,
    audioUrl: finished ? c.audio_url : undefined,
    streamAudioUrl: c.stream_audio_url ?? (finished ? undefined : c.audio_url),
    imageUrl: c.image_large_url ?? c.image_url,
    durationSeconds: c.duration ?? c.metadata?.duration,
    tags: c.tags ?? c.metadata?.tags,
    // A clip's `prompt` carries the sung lyrics, except where it merely echoes our description.
    lyrics: c.lyric ?? c.lyrics ?? (prompt !== undefined && prompt !== description ? prompt : undefined),
  });
}

function decideState(word: TaskWord | undefined, stages: ClipStage[]): TaskState {
  const live = stages.filter((s) => s !== 'error');
  if (word === 'failed' || (stages.length > 0 && live.length === 0)) return 'failed';
  if (word === 'done' && live.length > 0 && live.every((s) => s === 'done')) return 'succeeded';
  if (live.some((s) => s === 'done' || s === 'streaming')) return 'partial';
  if (word === 'queued' && stages.length === 0) return 'queued';
  return 'running';
}

export function parseQueryAnswer(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
  const answer = parseOrThrow(queryAnswer, body, 'aimusicapi query answer');
  checkEnvelope(answer.code, answer.message ?? answer.msg);
  const data = answer.data;
  if (!data) throw new WireFormatError('aimusicapi query answer', 'data: required');
  const typeWord = data.type ?? data.status;
  if (!typeWord && !data.response_data) throw new WireFormatError('aimusicapi query answer', 'data.type: required');
  const word = typeWord ? TASK_WORDS[typeWord.toUpperCase()] : undefined;
  const raw = data.response_data ?? [];
  const stages = raw.map(clipStage);
  const state = decideState(word, stages);
  const description = data.request_body?.gpt_description_prompt;
  const clips = raw.flatMap((c, i) => (stages[i] === 'error' ? [] : [toClip(c, stages[i]!, i, taskId, description)]));
  const snapshot: TaskSnapshot = { taskId, state, providerStatus: typeWord ?? 'unknown', clips, lyrics: [] };
  if (state === 'failed') {
    const clipReason = raw.map((c) => c.error_message ?? c.fail_message ?? c.metadata?.error_message).find((m) => m !== undefined);
    const reason = data.error_message ?? data.fail_message ?? clipReason ?? `${kind} task ended with ${typeWord ?? 'every clip failed'}`;
    snapshot.failure = { reason, retryable: !isInputRefusal(reason) };
  }
  return snapshot;
}
