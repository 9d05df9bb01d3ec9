// aimusicapi.org dialect: `POST /api/submit` (inspiration or custom mode, snake_case fields) answers
// a `workId`; `GET /api/query?workId=` answers `data.type` and `data.response_data[]`. No webhooks
// and no lyrics route: polling a song is all this dialect does.
import { z } from 'zod';
import type { HttpCall, ProviderAdapter, SubmitOutcome } from '../adapter';
import { stepRefusal } from '../capabilities';
import { classifyStatus, ProviderError, type ErrorClass } from '../errors';
import type { CallbackHint, Clip, SongRequest, StepKind, StepRequest, TaskSnapshot, TaskState } from '../model';
import { resolveModelName } from '../modelNames';
import { parseOrThrow, dropUndefined, idString, isInputRefusal, looseNumber, looseString, envelopeCode, WireFormatError } from '../wire';

const PROVIDER = 'aimusicapi';
const CAPABILITIES: readonly StepKind[] = ['song'];

// ---- What we send (strict) ----

/** Inspiration mode: the provider writes lyrics, title and style from the description. */
export const inspirationBody = z.strictObject({
  gpt_description_prompt: z.string().min(1),
  make_instrumental: z.boolean(),
  model: z.string().min(1),
});

/** Custom mode: our lyrics (`prompt`), title and style tags. */
export const customBody = z.strictObject({
  prompt: z.string().min(1),
  title: z.string().min(1),
  tags: z.string().min(1),
  make_instrumental: z.boolean(),
  model: z.string().min(1),
});

// ---- What we receive (tolerant) ----

const submitAnswer = z.object({
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

const queryAnswer = z.object({
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


// ---- Translation ----

function songBody(song: SongRequest): HttpCall['body'] {
  const model = aimusicapi.resolveModel(song.model);
  // Custom mode requires lyrics here, so an instrumental is always described, never customized.
  if (song.lyrics && !song.instrumental) {
    return parseOrThrow(
      customBody,
      { prompt: song.lyrics, title: song.title ?? 'Untitled', tags: song.style ?? song.prompt, make_instrumental: false, model },
      'aimusicapi custom-mode request',
    );
  }
  return parseOrThrow(inspirationBody, { gpt_description_prompt: song.prompt, make_instrumental: song.instrumental, model }, 'aimusicapi inspiration-mode request');
}

function aimusicapiClassify(code: number): ErrorClass {
  return classifyStatus(code);
}

/** Throws a classified ProviderError when the envelope's `code` is not 200. */
function checkEnvelope(code: string | number | undefined, message: string | undefined): void {
  if (code === undefined || String(code).toLowerCase() === 'success') return;
  const numeric = Number(code);
  if (numeric === 200) return;
  throw new ProviderError(PROVIDER, Number.isFinite(numeric) ? aimusicapiClassify(numeric) : 'rejected', String(code), message ?? 'no message');
}

function clipStage(c: ResponseClip): ClipStage {
  const word = (c.status ?? c.state)?.toLowerCase();
  const stage = word ? CLIP_STAGES[word] : undefined;
  if (stage) return stage;
  // An unknown word with audio already present is at least streaming.
  return c.audio_url || c.stream_audio_url ? 'streaming' : 'waiting';
}

function toClip(c: ResponseClip, index: number, taskId: string, description: string | undefined): Clip {
  const prompt = c.prompt ?? c.metadata?.prompt;
  return dropUndefined({
    // The documented clip fields carry no id; fall back to a stable one so a clip can be chosen.
    id: c.id ?? c.clip_id ?? c.song_id ?? `${taskId}-${index}`,
    title: c.title,
    audioUrl: c.audio_url,
    streamAudioUrl: c.stream_audio_url,
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

export const aimusicapi: ProviderAdapter = {
  name: PROVIDER,
  capabilities: CAPABILITIES,
  supportsCallbacks: false,

  buildSubmit(request: StepRequest, _callbackUrl: string | undefined): HttpCall {
    if (request.kind !== 'song') throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
    return { method: 'POST', path: '/api/submit', body: songBody(request.song) };
  },

  parseSubmit(_kind: StepKind, body: unknown): SubmitOutcome {
    const answer = parseOrThrow(submitAnswer, body, 'aimusicapi submit answer');
    checkEnvelope(answer.code, answer.message ?? answer.msg);
    const data = answer.data;
    const nested = typeof data === 'string' ? data : (data?.task_id ?? data?.taskId ?? data?.workId);
    const taskId = answer.workId ?? answer.work_id ?? nested;
    if (!taskId) throw new ProviderError(PROVIDER, 'ambiguous', 'no-work-id', 'submit answered success without a workId');
    return { taskId };
  },

  buildQuery(_kind: StepKind, taskId: string): HttpCall {
    return { method: 'GET', path: `/api/query?workId=${encodeURIComponent(taskId)}` };
  },

  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
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
    const clips = raw.map((c, i) => ({ c, i })).filter(({ i }) => stages[i] !== 'error').map(({ c, i }) => toClip(c, i, taskId, description));
    const snapshot: TaskSnapshot = { taskId, state, providerStatus: typeWord ?? 'unknown', clips, lyrics: [] };
    if (state === 'failed') {
      const clipReason = raw.map((c) => c.error_message ?? c.fail_message ?? c.metadata?.error_message).find((m) => m !== undefined);
      const reason = data.error_message ?? data.fail_message ?? clipReason ?? `${kind} task ended with ${typeWord ?? 'every clip failed'}`;
      snapshot.failure = { reason, retryable: !isInputRefusal(reason) };
    }
    return snapshot;
  },

  parseCallback(_body: unknown): CallbackHint {
    throw new WireFormatError('aimusicapi callback', 'the aimusicapi dialect has no callbacks (polling only)');
  },

  classify: aimusicapiClassify,

  resolveModel(name: string | undefined): string {
    return resolveModelName(PROVIDER, name);
  },
};
