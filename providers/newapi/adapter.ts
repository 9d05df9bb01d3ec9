// NewAPI relay, "Suno Music Format": `POST /suno/submit/music` and `/suno/submit/lyrics` answer
// `{code:"success", message, data:"<task id>"}`; tasks are read one at a time with
// `GET /suno/fetch/{id}` or many at once with `POST /suno/fetch {ids, action}`. The relay's own task
// status (NOT_START ... SUCCESS/FAILURE) wraps the upstream Suno clips. `notify_hook` is sent when
// callbacks are on, but the relay may not forward it, so batched polling is the main path.
import { z } from 'zod';
import type { HttpCall, ProviderAdapter, SubmitOutcome } from '../adapter';
import { stepRefusal } from '../capabilities';
import { classifyStatus, ProviderError, type ErrorClass } from '../errors';
import type { CallbackHint, CallbackStage, Clip, LyricsVariant, SongRequest, StepKind, StepRequest, TaskSnapshot, TaskState } from '../model';
import { resolveModelName } from '../modelNames';
import { parseOrThrow, dropUndefined, idString, isInputRefusal, looseNumber, looseString, envelopeCode, WireFormatError } from '../wire';

const PROVIDER = 'newapi';
// Continuation (`task_id` + `continue_clip_id` + `continue_at` on the music route) is documented;
// upload and concatenation are marked unavailable (❌) in the seed and the relay rejects their actions.
const CAPABILITIES: readonly StepKind[] = ['lyrics', 'song', 'extend'];

// ---- What we send (strict) ----

export const musicBody = z
  .strictObject({
    gpt_description_prompt: z.string().min(1).optional(),
    prompt: z.string().min(1).optional(),
    title: z.string().min(1).optional(),
    tags: z.string().min(1).optional(),
    mv: z.string().min(1),
    make_instrumental: z.boolean(),
    notify_hook: z.url().optional(),
  })
  .refine((b) => (b.gpt_description_prompt === undefined) !== (b.prompt === undefined), {
    message: 'send either gpt_description_prompt (inspiration mode) or prompt with title and tags (custom mode)',
    path: ['prompt'],
  })
  .refine((b) => b.prompt === undefined || (b.title !== undefined && b.tags !== undefined), {
    message: 'custom mode needs title and tags',
    path: ['tags'],
  });

export const lyricsBody = z.strictObject({
  prompt: z.string().min(1),
  notify_hook: z.url().optional(),
});

export const fetchBody = z.strictObject({
  ids: z.array(z.string().min(1)).min(1),
  action: z.enum(['MUSIC', 'LYRICS']),
});

// ---- What we receive (tolerant) ----

const envelope = z.object({
  code: envelopeCode,
  message: looseString,
  msg: looseString,
  data: z.unknown().optional(),
});

const songObject = z.object({
  id: idString.optional(),
  clip_id: idString.optional(),
  title: looseString,
  status: looseString,
  state: looseString,
  audio_url: looseString,
  image_url: looseString,
  image_large_url: looseString,
  video_url: looseString,
  tags: looseString,
  prompt: looseString,
  duration: looseNumber,
  metadata: z
    .object({ tags: looseString, prompt: looseString, duration: looseNumber, error_type: looseString, error_message: looseString })
    .nullish(),
});
type SongObject = z.infer<typeof songObject>;

const lyricsObject = z.object({ id: idString.optional(), text: looseString, title: looseString, status: looseString });

const taskObject = z.object({
  task_id: idString.optional(),
  id: idString.optional(),
  action: looseString,
  status: z.string().min(1),
  fail_reason: looseString,
  progress: looseString,
  data: z.unknown().optional(),
});
type TaskObject = z.infer<typeof taskObject>;

// ---- Status vocabulary ----

/** The relay's own task statuses (and the older FAIL of its documentation). */
const STATUS_STATES: Record<string, TaskState> = {
  NOT_START: 'queued',
  SUBMITTED: 'queued',
  QUEUED: 'queued',
  IN_PROGRESS: 'running',
  // The relay has not heard from upstream; keep polling until the step's deadline decides.
  UNKNOWN: 'running',
  SUCCESS: 'succeeded',
  FAILURE: 'failed',
  FAIL: 'failed',
  FAILED: 'failed',
};

/** Envelope codes the relay uses in words; numbers are HTTP-like and go through `classify`. */
const CODE_CLASSES: Record<string, ErrorClass> = {
  quota_not_enough: 'billing',
  insufficient_user_quota: 'billing',
  invalid_request: 'rejected',
  invalid_action: 'rejected',
  prompt_empty: 'rejected',
  task_not_exist: 'rejected',
  access_denied: 'auth',
  invalid_token: 'auth',
  unauthorized: 'auth',
  rate_limit_exceeded: 'throttled',
  too_many_requests: 'throttled',
  get_channel_failed: 'unavailable',
  do_request_failed: 'unavailable',
};


// ---- Translation ----

function newapiClassify(code: number): ErrorClass {
  // The relay answers 403 when the user's quota cannot pay for the task.
  if (code === 403) return 'billing';
  return classifyStatus(code);
}

function classifyCode(code: string): ErrorClass {
  const numeric = Number(code);
  if (code.trim() !== '' && Number.isFinite(numeric)) return newapiClassify(numeric);
  // Unknown words: the relay answered and refused; a resubmit of the same input is not known to help.
  return CODE_CLASSES[code.toLowerCase()] ?? 'rejected';
}

function isSuccessCode(code: string | number | undefined): boolean {
  return code !== undefined && (String(code).toLowerCase() === 'success' || Number(code) === 200);
}

function unwrap(body: unknown, what: string): unknown {
  const env = parseOrThrow(envelope, body, what);
  if (!isSuccessCode(env.code)) {
    const code = env.code === undefined ? 'missing-code' : String(env.code);
    throw new ProviderError(PROVIDER, env.code === undefined ? 'rejected' : classifyCode(code), code, env.message ?? env.msg ?? 'no message');
  }
  return env.data;
}

function songBody(song: SongRequest, callbackUrl: string | undefined): HttpCall['body'] {
  const mv = newapi.resolveModel(song.model);
  // Custom mode needs lyrics, title and tags; an instrumental is always described.
  const body =
    song.lyrics && !song.instrumental
      ? { prompt: song.lyrics, title: song.title ?? 'Untitled', tags: song.style ?? song.prompt, mv, make_instrumental: false, notify_hook: callbackUrl }
      : { gpt_description_prompt: song.prompt, mv, make_instrumental: song.instrumental, notify_hook: callbackUrl };
  return parseOrThrow(musicBody, dropUndefined(body), 'newapi music request');
}

function songList(data: unknown): SongObject[] {
  if (data === null || data === undefined || data === '') return [];
  // Some upstreams nest the clips under `clips`.
  const list = Array.isArray(data) ? data : typeof data === 'object' && Array.isArray((data as { clips?: unknown }).clips) ? (data as { clips: unknown[] }).clips : [data];
  return parseOrThrow(z.array(songObject), list, 'newapi task data');
}

function lyricsList(data: unknown): LyricsVariant[] {
  if (data === null || data === undefined || data === '') return [];
  const list = parseOrThrow(z.array(lyricsObject), Array.isArray(data) ? data : [data], 'newapi lyrics data');
  return list.filter((l) => l.text).map((l) => dropUndefined({ text: l.text!, title: l.title }));
}

type ClipStage = 'waiting' | 'streaming' | 'done' | 'error';

function clipStage(s: SongObject): ClipStage {
  const word = (s.status ?? s.state)?.toLowerCase();
  if (word === 'complete' || word === 'completed' || word === 'succeeded' || word === 'success') return 'done';
  if (word === 'error' || word === 'failed' || word === 'failure') return 'error';
  if (word === 'streaming' || s.audio_url) return 'streaming';
  return 'waiting';
}

function toClip(s: SongObject, index: number, taskId: string): Clip {
  return dropUndefined({
    id: s.id ?? s.clip_id ?? `${taskId}-${index}`,
    title: s.title,
    audioUrl: s.audio_url,
    imageUrl: s.image_large_url ?? s.image_url,
    durationSeconds: s.duration ?? s.metadata?.duration,
    tags: s.tags ?? s.metadata?.tags,
    lyrics: s.metadata?.prompt ?? s.prompt,
  });
}

/** One task object (from single or batch fetch) as a snapshot. */
function snapshotOf(kind: StepKind, fallbackId: string, task: TaskObject): TaskSnapshot {
  const taskId = task.task_id ?? task.id ?? fallbackId;
  const status = task.status.toUpperCase();
  let state: TaskState = STATUS_STATES[status] ?? 'running';
  const isLyrics = kind === 'lyrics' || task.action?.toUpperCase() === 'LYRICS';

  if (isLyrics) {
    const lyrics = lyricsList(task.data);
    const snapshot: TaskSnapshot = { taskId, state, providerStatus: task.status, clips: [], lyrics };
    if (state === 'failed') snapshot.failure = failure(kind, task.status, task.fail_reason);
    return snapshot;
  }

  const songs = songList(task.data);
  const stages = songs.map(clipStage);
  const live = stages.filter((s) => s !== 'error');
  if (songs.length > 0 && live.length === 0) state = 'failed';
  else if (state === 'running' && live.some((s) => s !== 'waiting')) state = 'partial';
  const clips = songs.map((s, i) => ({ s, i })).filter(({ i }) => stages[i] !== 'error').map(({ s, i }) => toClip(s, i, taskId));
  const snapshot: TaskSnapshot = { taskId, state, providerStatus: task.status, clips, lyrics: [] };
  if (state === 'failed') {
    const clipReason = songs.map((s) => s.metadata?.error_message).find((m) => m !== undefined);
    snapshot.failure = failure(kind, task.status, task.fail_reason ?? clipReason);
  }
  return snapshot;
}

function failure(kind: StepKind, status: string, reason: string | undefined): { reason: string; retryable: boolean } {
  const text = reason ?? `${kind} task ended with ${status}`;
  return { reason: text, retryable: !isInputRefusal(text) };
}

function actionOf(kind: StepKind): 'MUSIC' | 'LYRICS' {
  return kind === 'lyrics' ? 'LYRICS' : 'MUSIC';
}

/** The shape a notify_hook delivery may take: the task object itself, or the usual envelope around it. */
const callbackShape = z.object({ task_id: z.unknown().optional(), status: z.unknown().optional(), data: z.unknown().optional() });

function callbackStage(task: TaskObject): CallbackStage {
  const state = STATUS_STATES[task.status.toUpperCase()] ?? 'running';
  if (state === 'succeeded') return 'complete';
  if (state === 'failed') return 'error';
  if (task.action?.toUpperCase() === 'LYRICS') return 'text';
  try {
    return songList(task.data).some((s) => clipStage(s) !== 'waiting') ? 'first' : 'text';
  } catch {
    // The stage is only a hint; the query that follows reads the clips properly.
    return 'text';
  }
}

export const newapi: ProviderAdapter = {
  name: PROVIDER,
  capabilities: CAPABILITIES,
  supportsCallbacks: true,

  buildSubmit(request: StepRequest, callbackUrl: string | undefined): HttpCall {
    switch (request.kind) {
      case 'lyrics':
        return {
          method: 'POST',
          path: '/suno/submit/lyrics',
          body: parseOrThrow(lyricsBody, dropUndefined({ prompt: request.lyrics.prompt, notify_hook: callbackUrl }), 'newapi lyrics request'),
        };
      case 'song':
        return { method: 'POST', path: '/suno/submit/music', body: songBody(request.song, callbackUrl) };
      default:
        throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
    }
  },

  parseSubmit(_kind: StepKind, body: unknown): SubmitOutcome {
    const data = unwrap(body, 'newapi submit answer');
    const id = parseOrThrow(z.union([idString, z.object({ task_id: idString }).transform((d) => d.task_id), z.null(), z.literal('')]).optional(), data, 'newapi submit answer data');
    if (!id) throw new ProviderError(PROVIDER, 'ambiguous', 'no-task-id', 'submit answered success without a task id');
    return { taskId: id };
  },

  buildQuery(_kind: StepKind, taskId: string): HttpCall {
    return { method: 'GET', path: `/suno/fetch/${encodeURIComponent(taskId)}` };
  },

  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
    const data = unwrap(body, 'newapi query answer');
    if (data === null || data === undefined) throw new WireFormatError('newapi query answer', 'data: required');
    return snapshotOf(kind, taskId, parseOrThrow(taskObject, data, 'newapi query answer data'));
  },

  buildBatchQuery(kind: StepKind, taskIds: string[]): HttpCall {
    return { method: 'POST', path: '/suno/fetch', body: parseOrThrow(fetchBody, { ids: taskIds, action: actionOf(kind) }, 'newapi batch query request') };
  },

  /**
   * One snapshot per requested id, in the order asked. The relay silently leaves out ids it does not
   * know, and a missing task is no evidence of failure (calling it failed could trigger a paid
   * resubmit), so a missing id throws and the caller falls back to single queries, which answer 400
   * for ids the relay truly does not have.
   */
  parseBatchQuery(kind: StepKind, taskIds: string[], body: unknown): TaskSnapshot[] {
    const data = unwrap(body, 'newapi batch query answer');
    const tasks = parseOrThrow(z.array(taskObject), data ?? [], 'newapi batch query answer data');
    const byId = new Map(tasks.map((t) => [t.task_id ?? t.id, t] as const));
    const missing = taskIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw new WireFormatError('newapi batch query answer', `data: no task ${missing.join(', ')}`);
    return taskIds.map((id) => snapshotOf(kind, id, byId.get(id)!));
  },

  parseCallback(body: unknown): CallbackHint {
    const top = parseOrThrow(callbackShape, body, 'newapi callback');
    const direct = top.status !== undefined || top.task_id !== undefined;
    const task = parseOrThrow(taskObject, direct ? body : top.data, direct ? 'newapi callback' : 'newapi callback data');
    const taskId = task.task_id ?? task.id;
    if (!taskId) throw new WireFormatError('newapi callback', 'task_id: required');
    return { taskId, stage: callbackStage(task) };
  },

  classify: newapiClassify,

  errorFromBody(_status: number, body: unknown): ProviderError | undefined {
    const env = envelope.safeParse(body);
    // Only a word code says more than the HTTP status already does.
    if (!env.success || env.data.code === undefined || Number.isFinite(Number(env.data.code))) return undefined;
    try {
      unwrap(body, 'newapi error answer');
    } catch (err) {
      if (err instanceof ProviderError) return err;
    }
    return undefined;
  },

  resolveModel(name: string | undefined): string {
    return resolveModelName(PROVIDER, name);
  },
};
