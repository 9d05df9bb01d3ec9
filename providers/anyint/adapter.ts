// AnyInt gateway dialect (the sunoapi.org / kie.ai wire family): one route per capability under
// /suno/..., camelCase requests and query answers, snake_case callbacks, `callBackUrl` required.
//
// Beyond lyrics and songs it runs the whole post-song pipeline: persona and timestamped lyrics
// answer in the submit itself; stems (both kinds), WAV, music video and cover art are tasks read
// from their own query routes (see postSongResults.ts), and call back when they finish. The
// transforms (extend, upload-cover, upload-extend, add-vocals, add-instrumental, replace-section;
// transformRequests.ts) make clips like a song, are read on the song query route and call back like
// songs; style-generate answers at once, like persona.
import { z } from 'zod';
import type { HttpCall, ProviderAdapter, SubmitOutcome } from '../adapter';
import { anyintClassify, isSuccessCode, PROVIDER, unwrapEnvelope } from './envelope';
import { coverCall, mp4Call, personaCall, stemsCall, timestampedLyricsCall, wavCall } from './postSongRequests';
import { isRecordKind, parseRecord, RECORD_QUERY_ROUTES } from './postSongResults';
import { isRetryableFailure, stateOfStatus, statusWord } from './status';
import { parsePersonaAnswer, parseStyleAnswer, parseTimestampedLyricsAnswer } from './syncResults';
import { ANYINT_TRANSFORM_FIELDS, isAnyintTransform, styleGenerateCall, transformCall } from './transformRequests';
import { fieldRefusal, stepRefusal, unsupportedFields } from '../capabilities';
import { ProviderError } from '../errors';
import type { CallbackHint, CallbackStage, Clip, LyricsVariant, SongRequest, StepKind, StepRequest, TaskSnapshot, TaskState } from '../model';
import { parseOrThrow, dropUndefined, idString, looseNumber, looseString, envelopeCode, WireFormatError } from '../wire';

/**
 * The family requires a callback URL on every submit. When the run polls only, we still have to
 * send one; a reserved `.invalid` host (RFC 2606) can never receive anything.
 */
export const NO_CALLBACK_URL = 'https://no-callback.invalid/';

export const ANYINT_DEFAULT_MODEL = 'V5';

const CAPABILITIES: readonly StepKind[] = [
  'lyrics',
  'song',
  'persona',
  'stems',
  'all-stems',
  'wav',
  'mp4',
  'cover-art',
  'timestamped-lyrics',
  'style',
  'extend',
  'upload-cover',
  'upload-extend',
  'add-vocals',
  'add-instrumental',
  'replace-section',
];

/** Steps whose submit answers with the finished result; there is no task to query. */
const SYNCHRONOUS_KINDS: readonly StepKind[] = ['persona', 'timestamped-lyrics', 'style'];

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

const submitData = z.object({ taskId: idString.optional(), task_id: idString.optional() });

const clipFromQuery = z.object({
  id: idString,
  audioUrl: looseString,
  sourceAudioUrl: looseString,
  streamAudioUrl: looseString,
  sourceStreamAudioUrl: looseString,
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
  status: z.union([z.string(), z.number()]),
  errorCode: z.union([z.string(), z.number(), z.null()]).optional(),
  errorMessage: looseString,
  response: z
    .object({
      sunoData: z.array(clipFromQuery).nullish(),
      data: z.array(lyricsVariant).nullish(),
    })
    .nullish(),
});

const CALLBACK_STAGES: readonly CallbackStage[] = ['text', 'first', 'complete', 'error'];

// The family calls back in three shapes, all accepted:
// - songs and lyrics in the envelope: `{code, msg, data: {callbackType, task_id, data: [clips]}}`;
// - songs without the envelope: `{callbackType, task_id | taskId, data: [clips]}`;
// - the post-song families (stems, WAV, video, cover art) without a callbackType:
//   `{code, msg, data: {task_id | taskId, ...}}`, which means they finished.
// The task id may be `task_id` or `taskId`, at the top or inside `data`; the stage is read from
// wherever `callbackType` sits.
const callbackIds = { task_id: idString.optional(), taskId: idString.optional() };
const callbackType = z.string().nullish();
const callbackBody = z.object({
  code: envelopeCode,
  msg: looseString,
  callbackType,
  ...callbackIds,
  data: z
    .union([
      z.object({
        callbackType,
        ...callbackIds,
        data: z.unknown().optional(),
      }),
      // Without the envelope, `data` is the clip list itself.
      z.array(z.unknown()),
    ])
    .nullish(),
});

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
      style: song.style ?? song.prompt,
      title: song.title ?? 'Untitled',
    };
  }
  if (song.instrumental && (song.style || song.title)) {
    return { ...common, customMode: true, style: song.style ?? song.prompt, title: song.title ?? 'Untitled' };
  }
  return { ...common, customMode: false, prompt: song.prompt };
}

/** Task words before any clip has finished audio: whatever audio a clip shows then is a preview. */
const PREVIEW_ONLY_WORDS = new Set(['PENDING', 'TEXT_SUCCESS']);

/**
 * Keeps a clip's streaming preview apart from its finished audio. The family sends the finished file
 * as `audioUrl` and the preview as `streamAudioUrl` (empty until there is one); some relays fill
 * `audioUrl` with the preview while the clip renders. Before the first clip is done (PENDING,
 * TEXT_SUCCESS), or while a clip's `audioUrl` is its own stream URL and it has no duration yet, the
 * audio is a preview.
 */
function toClip(c: z.infer<typeof clipFromQuery>, word: string): Clip {
  const audio = c.audioUrl ?? c.sourceAudioUrl;
  const stream = c.streamAudioUrl ?? c.sourceStreamAudioUrl;
  const rendering = word !== 'SUCCESS' && (PREVIEW_ONLY_WORDS.has(word) || (audio !== undefined && audio === stream && c.duration === undefined));
  return dropUndefined({
    id: c.id,
    title: c.title,
    audioUrl: rendering ? undefined : audio,
    streamAudioUrl: stream ?? (rendering ? audio : undefined),
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

function parseSongOrLyrics(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
  const data = parseOrThrow(queryData, unwrapEnvelope(body, 'anyint query answer'), 'anyint query answer data');
  const word = statusWord(data.status);
  const state: TaskState = stateOfStatus(word);
  const clips = (data.response?.sunoData ?? []).map((clip) => toClip(clip, word));
  const lyrics = (data.response?.data ?? []).map(toLyrics).filter((v): v is LyricsVariant => v !== undefined);
  const snapshot: TaskSnapshot = { taskId: data.taskId ?? taskId, state, providerStatus: word, clips, lyrics };
  if (state === 'failed') {
    snapshot.failure = {
      reason: data.errorMessage ?? `${kind} task ended with ${word}`,
      retryable: isRetryableFailure(word),
    };
  }
  return snapshot;
}

function asyncTaskId(body: unknown): SubmitOutcome {
  const data = parseOrThrow(submitData, unwrapEnvelope(body, 'anyint submit answer') ?? {}, 'anyint submit answer data');
  const taskId = data.taskId ?? data.task_id;
  if (!taskId) throw new ProviderError(PROVIDER, 'ambiguous', 'no-task-id', 'submit answered success without a taskId');
  return { taskId };
}

export const anyint: ProviderAdapter = {
  name: PROVIDER,
  capabilities: CAPABILITIES,
  transformFields: ANYINT_TRANSFORM_FIELDS,
  // The seed's generate route documents none of the optional song fields (negative style, vocal
  // gender, variation, the sliders), and docs/transforms-wire.md adds none for anyint songs.
  songFields: [],
  supportsCallbacks: true,

  buildSubmit(request: StepRequest, callbackUrl: string | undefined): HttpCall {
    const url = callbackUrl ?? NO_CALLBACK_URL;
    if (!CAPABILITIES.includes(request.kind)) throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
    // A field this dialect cannot send is refused by name (the pipeline may refuse it earlier):
    // silently dropped, it would pay for a result nobody asked for.
    const refused = unsupportedFields(anyint, request);
    if (refused.length > 0) throw fieldRefusal(PROVIDER, request.kind, refused);
    switch (request.kind) {
      case 'lyrics':
        return {
          method: 'POST',
          path: '/suno/generate-lyrics',
          body: parseOrThrow(generateLyricsBody, { prompt: request.lyrics.prompt, callBackUrl: url }, 'anyint lyrics request'),
        };
      case 'song':
        return {
          method: 'POST',
          path: '/suno/generate',
          body: parseOrThrow(generateSongBody, dropUndefined(songBody(request.song, url)), 'anyint song request'),
        };
      case 'persona':
        return personaCall(request.persona);
      // The family's vocal-removal route makes both separations (`type`); the seed's separate
      // /suno/split-stem is offered "when supported by the account", so we do not rely on it.
      case 'stems':
        return stemsCall(request.source, false, url);
      case 'all-stems':
        return stemsCall(request.source, true, url);
      case 'wav':
        return wavCall(request.source, url);
      case 'mp4':
        return mp4Call(request.source, url);
      case 'cover-art':
        return coverCall(request.source, url);
      case 'timestamped-lyrics':
        return timestampedLyricsCall(request.source);
      case 'style':
        return styleGenerateCall(request.style.prompt);
      default: {
        if ('transform' in request && isAnyintTransform(request.kind)) {
          return transformCall(request.kind, request.transform, url, (name) => anyint.resolveModel(name));
        }
        throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
      }
    }
  },

  parseSubmit(kind: StepKind, body: unknown): SubmitOutcome {
    if (kind === 'persona') return parsePersonaAnswer(unwrapEnvelope(body, 'anyint persona answer'));
    if (kind === 'timestamped-lyrics') return parseTimestampedLyricsAnswer(unwrapEnvelope(body, 'anyint timestamped-lyrics answer'));
    if (kind === 'style') return parseStyleAnswer(unwrapEnvelope(body, 'anyint style answer'));
    return asyncTaskId(body);
  },

  buildQuery(kind: StepKind, taskId: string): HttpCall {
    if (SYNCHRONOUS_KINDS.includes(kind)) {
      throw new Error(`anyint answers ${kind} in the submit itself (SubmitOutcome.completed); there is no ${kind} task to query`);
    }
    // Transforms make clips like a song and are read on the song query route.
    const route = kind === 'lyrics' ? 'lyrics' : kind === 'song' || isAnyintTransform(kind) ? 'task' : isRecordKind(kind) ? RECORD_QUERY_ROUTES[kind] : undefined;
    if (!route) throw stepRefusal(PROVIDER, kind, CAPABILITIES);
    return { method: 'GET', path: `/suno/query/${route}?taskId=${encodeURIComponent(taskId)}` };
  },

  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
    if (isRecordKind(kind)) return parseRecord(kind, taskId, unwrapEnvelope(body, 'anyint query answer'));
    return parseSongOrLyrics(kind, taskId, body);
  },

  parseCallback(body: unknown): CallbackHint {
    const cb = parseOrThrow(callbackBody, body, 'anyint callback');
    const inner = Array.isArray(cb.data) ? undefined : cb.data;
    const taskId = inner?.task_id ?? inner?.taskId ?? cb.task_id ?? cb.taskId ?? nestedTaskId(inner?.data);
    if (!taskId) throw new WireFormatError('anyint callback', 'data.task_id: required (or task_id, taskId, data.taskId)');
    if (!isSuccessCode(cb.code)) return { taskId, stage: 'error' };
    const [type, where] = present(inner?.callbackType) ? [inner!.callbackType!, 'data.callbackType'] : [cb.callbackType, 'callbackType'];
    // Without a callbackType (the post-song families), a callback means the task finished.
    if (!present(type)) return { taskId, stage: 'complete' };
    const stage = CALLBACK_STAGES.find((known) => known === type.trim().toLowerCase());
    if (!stage) throw new WireFormatError('anyint callback', `${where}: unknown value ${JSON.stringify(type)}`);
    return { taskId, stage };
  },

  classify: anyintClassify,

  resolveModel(name: string | undefined): string {
    return !name || name === 'latest' ? ANYINT_DEFAULT_MODEL : name;
  },
};

function present(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value.trim() !== '';
}

/** Some relays wrap the task's fields one level deeper: `data.data.task_id`. */
function nestedTaskId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const parsed = z.object(callbackIds).safeParse(value);
  return parsed.success ? (parsed.data.task_id ?? parsed.data.taskId) : undefined;
}
