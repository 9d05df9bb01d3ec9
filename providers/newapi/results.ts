// What the NewAPI relay answers, parsed tolerantly: the `{code:"success", message, data}` envelope,
// the relay's task object (NOT_START ... SUCCESS/FAILURE) wrapping the upstream Suno clips or lyrics,
// and the same task object delivered to `notify_hook`.
import { z } from 'zod';
import { classifyStatus, ProviderError, type ErrorClass } from '../errors';
import type { CallbackStage, Clip, LyricsVariant, StepKind, TaskSnapshot, TaskState } from '../model';
import { parseOrThrow, dropUndefined, idString, isInputRefusal, looseNumber, looseString, envelopeCode } from '../wire';

const PROVIDER = 'newapi';

export const envelope = z.object({
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

export const taskObject = z.object({
  task_id: idString.optional(),
  id: idString.optional(),
  action: looseString,
  status: z.string().min(1),
  fail_reason: looseString,
  progress: looseString,
  data: z.unknown().optional(),
});
export type TaskObject = z.infer<typeof taskObject>;

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

export function newapiClassify(code: number): ErrorClass {
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

/** The envelope's `data`; throws a classified ProviderError for any code other than success. */
export function unwrap(body: unknown, what: string): unknown {
  const env = parseOrThrow(envelope, body, what);
  if (!isSuccessCode(env.code)) {
    const code = env.code === undefined ? 'missing-code' : String(env.code);
    throw new ProviderError(PROVIDER, env.code === undefined ? 'rejected' : classifyCode(code), code, env.message ?? env.msg ?? 'no message');
  }
  return env.data;
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

/**
 * A clip as the canonical model has it. `finished` says whether its `audio_url` is the final file
 * (the clip is complete, or the relay says the whole task succeeded); until then it is the
 * streaming preview, kept apart as `streamAudioUrl`.
 */
function toClip(s: SongObject, index: number, taskId: string, finished: boolean): Clip {
  return dropUndefined({
    id: s.id ?? s.clip_id ?? `${taskId}-${index}`,
    title: s.title,
    audioUrl: finished ? s.audio_url : undefined,
    streamAudioUrl: finished ? undefined : s.audio_url,
    imageUrl: s.image_large_url ?? s.image_url,
    durationSeconds: s.duration ?? s.metadata?.duration,
    tags: s.tags ?? s.metadata?.tags,
    lyrics: s.metadata?.prompt ?? s.prompt,
  });
}

/** One task object (from single or batch fetch) as a snapshot. */
export function snapshotOf(kind: StepKind, fallbackId: string, task: TaskObject): TaskSnapshot {
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
  const clips = songs
    .map((s, i) => ({ s, i }))
    .filter(({ i }) => stages[i] !== 'error')
    .map(({ s, i }) => toClip(s, i, taskId, stages[i] === 'done' || state === 'succeeded'));
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

/** The shape a notify_hook delivery may take: the task object itself, or the usual envelope around it. */
export const callbackShape = z.object({ task_id: z.unknown().optional(), status: z.unknown().optional(), data: z.unknown().optional() });

export function callbackStage(task: TaskObject): CallbackStage {
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
