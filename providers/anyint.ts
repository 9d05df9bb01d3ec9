// AnyInt gateway dialect (the sunoapi.org / kie.ai wire family): one route per capability under
// /suno/..., camelCase requests and query answers, snake_case callbacks, `callBackUrl` required.
import { z } from 'zod';
import type { HttpCall, ProviderAdapter, SubmitOutcome } from './adapter';
import { classifyStatus, ProviderError, type ErrorClass } from './errors';
import type { CallbackHint, Clip, LyricsVariant, SongRequest, StepKind, StepRequest, TaskSnapshot, TaskState } from './model';
import { envelopeCode, idString, looseNumber, looseString, parseOrThrow, WireFormatError } from './wire';

const PROVIDER = 'anyint';

/**
 * The family requires a callback URL on every submit. When the run polls only, we still have to
 * send one; a reserved `.invalid` host (RFC 2606) can never receive anything.
 */
export const NO_CALLBACK_URL = 'https://no-callback.invalid/';

export const ANYINT_DEFAULT_MODEL = 'V5';

// ---- What we send (strict: an unknown or missing field is our bug, caught before the wire) ----

export const generateSongBody = z.strictObject({
  customMode: z.boolean(),
  instrumental: z.boolean(),
  model: z.string().min(1),
  callBackUrl: z.url(),
  prompt: z.string().min(1).max(5000).optional(),
  style: z.string().min(1).max(1000).optional(),
  title: z.string().min(1).max(100).optional(),
  personaId: z.string().min(1).optional(),
});
export type GenerateSongBody = z.infer<typeof generateSongBody>;

export const generateLyricsBody = z.strictObject({
  prompt: z.string().min(1).max(200),
  callBackUrl: z.url(),
});

// ---- What we receive (tolerant: extra fields pass, casing and number/string drift accepted) ----

const envelope = z.object({
  code: envelopeCode,
  msg: looseString,
  message: looseString,
  data: z.unknown().optional(),
});

const submitData = z.object({ taskId: idString.optional(), task_id: idString.optional() });

const clipFromQuery = z.object({
  id: idString,
  audioUrl: looseString,
  sourceAudioUrl: looseString,
  streamAudioUrl: looseString,
  imageUrl: looseString,
  sourceImageUrl: looseString,
  prompt: looseString,
  title: looseString,
  tags: looseString,
  duration: looseNumber,
});

const lyricsVariant = z.object({
  text: looseString,
  title: looseString,
  status: looseString,
  errorMessage: looseString,
  error_message: looseString,
});

const queryData = z.object({
  taskId: idString.optional(),
  status: z.string(),
  errorCode: z.union([z.string(), z.number(), z.null()]).optional(),
  errorMessage: looseString,
  response: z
    .object({
      sunoData: z.array(clipFromQuery).nullish(),
      data: z.array(lyricsVariant).nullish(),
    })
    .nullish(),
});

const callbackBody = z.object({
  code: envelopeCode,
  msg: looseString,
  data: z.object({
    callbackType: z.enum(['text', 'first', 'complete', 'error']),
    task_id: idString.optional(),
    taskId: idString.optional(),
  }),
});

// ---- Status vocabulary ----

const STATUS_STATES: Record<string, TaskState> = {
  PENDING: 'queued',
  TEXT_SUCCESS: 'partial',
  FIRST_SUCCESS: 'partial',
  SUCCESS: 'succeeded',
  CREATE_TASK_FAILED: 'failed',
  GENERATE_AUDIO_FAILED: 'failed',
  GENERATE_LYRICS_FAILED: 'failed',
  CALLBACK_EXCEPTION: 'failed',
  SENSITIVE_WORD_ERROR: 'failed',
  GENERATE_MP4_FAILED: 'failed',
};

/** Failures the provider refunds and a new submit may fix; moderation failures will fail again. */
const RETRYABLE_FAILURES = new Set(['CREATE_TASK_FAILED', 'GENERATE_AUDIO_FAILED', 'GENERATE_LYRICS_FAILED', 'GENERATE_MP4_FAILED']);

// ---- Translation ----

function songBody(song: SongRequest, callbackUrl: string): GenerateSongBody {
  const model = anyint.resolveModel(song.model);
  const common = { instrumental: song.instrumental, model, callBackUrl: callbackUrl, personaId: song.personaId };
  // Custom mode carries our own lyrics (or, for instrumentals, our own style and title);
  // simple mode lets the provider write everything from the description.
  if (song.lyrics && !song.instrumental) {
    return {
      ...common,
      customMode: true,
      prompt: song.lyrics,
      style: song.style ?? song.prompt.slice(0, 1000),
      title: song.title ?? 'Untitled',
    };
  }
  if (song.instrumental && (song.style || song.title)) {
    return { ...common, customMode: true, style: song.style ?? song.prompt.slice(0, 1000), title: song.title ?? 'Untitled' };
  }
  return { ...common, customMode: false, prompt: song.prompt };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function unwrapEnvelope(body: unknown, what: string): unknown {
  const env = parseOrThrow(envelope, body, what);
  const code = env.code === undefined ? 200 : Number(env.code);
  if (code !== 200) {
    const numeric = Number.isFinite(code) ? code : 400;
    throw new ProviderError(PROVIDER, anyintClassify(numeric), String(env.code), env.msg ?? env.message ?? 'no message');
  }
  return env.data;
}

function anyintClassify(code: number): ErrorClass {
  // In this family 429 means the account's credits or quota are exhausted, not a rate limit.
  if (code === 429) return 'billing';
  return classifyStatus(code);
}

function toClip(c: z.infer<typeof clipFromQuery>): Clip {
  return dropUndefined({
    id: c.id,
    title: c.title,
    audioUrl: c.audioUrl ?? c.sourceAudioUrl,
    streamAudioUrl: c.streamAudioUrl,
    imageUrl: c.imageUrl ?? c.sourceImageUrl,
    durationSeconds: c.duration,
    tags: c.tags,
    lyrics: c.prompt,
  });
}

function toLyrics(v: z.infer<typeof lyricsVariant>): LyricsVariant | undefined {
  if (!v.text) return undefined;
  return dropUndefined({ text: v.text, title: v.title });
}

export const anyint: ProviderAdapter = {
  name: PROVIDER,
  capabilities: ['lyrics', 'song'],
  supportsCallbacks: true,

  buildSubmit(request: StepRequest, callbackUrl: string | undefined): HttpCall {
    const url = callbackUrl ?? NO_CALLBACK_URL;
    switch (request.kind) {
      case 'lyrics':
        return {
          method: 'POST',
          path: '/suno/generate-lyrics',
          body: parseOrThrow(generateLyricsBody, { prompt: request.lyrics.prompt.slice(0, 200), callBackUrl: url }, 'anyint lyrics request'),
        };
      case 'song':
        return {
          method: 'POST',
          path: '/suno/generate',
          body: parseOrThrow(generateSongBody, dropUndefined(songBody(request.song, url)), 'anyint song request'),
        };
      default:
        throw new Error(`anyint adapter cannot build a ${request.kind} request yet`);
    }
  },

  parseSubmit(_kind: StepKind, body: unknown): SubmitOutcome {
    const data = parseOrThrow(submitData, unwrapEnvelope(body, 'anyint submit answer'), 'anyint submit answer data');
    const taskId = data.taskId ?? data.task_id;
    if (!taskId) throw new ProviderError(PROVIDER, 'ambiguous', 'no-task-id', 'submit answered success without a taskId');
    return { taskId };
  },

  buildQuery(kind: StepKind, taskId: string): HttpCall {
    const route = kind === 'lyrics' ? 'lyrics' : 'task';
    return { method: 'GET', path: `/suno/query/${route}?taskId=${encodeURIComponent(taskId)}` };
  },

  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
    const data = parseOrThrow(queryData, unwrapEnvelope(body, 'anyint query answer'), 'anyint query answer data');
    const state: TaskState = STATUS_STATES[data.status] ?? 'running';
    const clips = (data.response?.sunoData ?? []).map(toClip);
    const lyrics = (data.response?.data ?? []).map(toLyrics).filter((v): v is LyricsVariant => v !== undefined);
    const snapshot: TaskSnapshot = { taskId: data.taskId ?? taskId, state, providerStatus: data.status, clips, lyrics };
    if (state === 'failed') {
      snapshot.failure = {
        reason: data.errorMessage ?? `${kind} task ended with ${data.status}`,
        retryable: RETRYABLE_FAILURES.has(data.status),
      };
    }
    return snapshot;
  },

  parseCallback(body: unknown): CallbackHint {
    const cb = parseOrThrow(callbackBody, body, 'anyint callback');
    const taskId = cb.data.task_id ?? cb.data.taskId;
    if (!taskId) throw new WireFormatError('anyint callback', 'data.task_id: required');
    const failed = cb.code !== undefined && Number(cb.code) !== 200;
    return { taskId, stage: failed ? 'error' : cb.data.callbackType };
  },

  classify: anyintClassify,

  resolveModel(name: string | undefined): string {
    return !name || name === 'latest' ? ANYINT_DEFAULT_MODEL : name;
  },
};
