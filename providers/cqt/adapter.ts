// CQTAI single-endpoint gateway: every step is `POST /api/cqt/generator/suno` with a `task`, answered
// `{code:200, data:"<taskId>"}`; `GET /api/cqt/info/suno?id=` reads a task. No webhook is documented,
// so polling is the only path. Its 429 means "too many running tasks", a wait-and-retry condition.
import { z } from 'zod';
import type { HttpCall, ProviderAdapter, SubmitOutcome } from '../adapter';
import { fieldRefusal, stepRefusal, unsupportedFields } from '../capabilities';
import { clipTaskCall, createCall, customModelCall, infoPath, lyricsCall, personaCall } from './requests';
import { CQT_TRANSFORM_FIELDS, enhanceTagsCall, TRANSFORM_TASKS, transformCall, videoCall, type CqtTransformKind } from './transforms';
import { envelope, snapshotOf, taskInfo } from './results';
import { classifyStatus, ProviderError, type ErrorClass } from '../errors';
import type { CallbackHint, StepKind, StepRequest, TaskSnapshot } from '../model';
import { resolveModelName } from '../modelNames';
import { idString, parseOrThrow, WireFormatError } from '../wire';

const PROVIDER = 'cqt';

/**
 * Every capability the gateway's capability map names, with the `task` values of
 * docs/transforms-wire.md: create, lyrics, persona, the stems and exports, enhance_tags (style),
 * cover_image, video, downbeats, every transform but vox (which the gateway does not offer), the
 * Inspiration Playlist (`inspiration` from a playlist id), Audio Editing (`crop`) and Custom Model
 * (`custom_model`, which yields a model id rather than audio).
 */
const CAPABILITIES: readonly StepKind[] = [
  'lyrics',
  'song',
  'extend',
  'persona',
  'stems',
  'all-stems',
  'wav',
  'mp4',
  'cover-art',
  'timestamped-lyrics',
  'style',
  'upload',
  'cover',
  'upload-cover',
  'upload-extend',
  'add-vocals',
  'add-instrumental',
  'replace-section',
  'concat',
  'mashup',
  'sample',
  'sound-effect',
  'remaster',
  'reuse-style',
  'video',
  'downbeats',
  'inspiration',
  'crop',
  'custom-model',
];

function isCqtTransform(kind: StepKind): kind is CqtTransformKind {
  return Object.hasOwn(TRANSFORM_TASKS, kind);
}

function cqtClassify(code: number): ErrorClass {
  // 451: an artist name or moderated content; the input must change.
  if (code === 451) return 'rejected';
  // 429 is the gateway's running-task limit: wait for tasks to finish, then submit.
  if (code === 429) return 'throttled';
  return classifyStatus(code);
}

function unwrap(body: unknown, what: string): unknown {
  const env = parseOrThrow(envelope, body, what);
  const text = env.code === undefined ? undefined : String(env.code);
  // A relay in front of the gateway may answer "success" instead of 200.
  if (text === undefined || text.toLowerCase() === 'success' || Number(text) === 200) return env.data;
  const numeric = Number(text);
  throw new ProviderError(PROVIDER, Number.isFinite(numeric) ? cqtClassify(numeric) : 'rejected', text, env.msg ?? env.message ?? 'no message');
}

const submitData = z.union([idString, z.object({ id: idString.optional(), taskId: idString.optional(), task_id: idString.optional() }), z.null()]).optional();

export const cqt: ProviderAdapter = {
  name: PROVIDER,
  capabilities: CAPABILITIES,
  transformFields: CQT_TRANSFORM_FIELDS,
  songFields: ['negativeStyle', 'vocalGender', 'weights'],
  supportsCallbacks: false,

  buildSubmit(request: StepRequest, _callbackUrl: string | undefined): HttpCall {
    if (!CAPABILITIES.includes(request.kind)) throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
    // A field the gateway cannot take is refused by name, never dropped.
    const refused = unsupportedFields(cqt, request);
    if (refused.length > 0) throw fieldRefusal(PROVIDER, request.kind, refused);
    if ('transform' in request) {
      if (!isCqtTransform(request.kind)) throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
      return transformCall(request.kind, request.transform, (name) => cqt.resolveModel(name));
    }
    switch (request.kind) {
      case 'lyrics':
        return lyricsCall(request.lyrics.prompt);
      case 'song':
        return createCall(request.song, cqt.resolveModel(request.song.model));
      case 'persona':
        return personaCall(request.persona.source, request.persona.name, request.persona.description);
      case 'stems':
        return clipTaskCall('gen_stem_two', request.source);
      case 'all-stems':
        return clipTaskCall('gen_stem_all', request.source);
      case 'wav':
        return clipTaskCall('wav', request.source);
      case 'mp4':
        return clipTaskCall('mp4', request.source);
      case 'timestamped-lyrics':
        return clipTaskCall('timeline', request.source);
      case 'cover-art':
        return clipTaskCall('cover_image', request.source);
      case 'downbeats':
        return clipTaskCall('downbeats', request.source);
      case 'video':
        return videoCall(request.source, request.prompt);
      case 'style':
        return enhanceTagsCall(request.style.prompt);
      case 'custom-model':
        return customModelCall(request.customModel.sources, request.customModel.name);
      default: {
        const unhandled: never = request;
        throw stepRefusal(PROVIDER, (unhandled as StepRequest).kind, CAPABILITIES);
      }
    }
  },

  parseSubmit(_kind: StepKind, body: unknown): SubmitOutcome {
    const data = parseOrThrow(submitData, unwrap(body, 'cqt submit answer'), 'cqt submit answer data');
    const taskId = typeof data === 'string' ? data : (data?.id ?? data?.taskId ?? data?.task_id);
    if (!taskId) throw new ProviderError(PROVIDER, 'ambiguous', 'no-task-id', 'submit answered success without a task id');
    return { taskId };
  },

  buildQuery(_kind: StepKind, taskId: string): HttpCall {
    return { method: 'GET', path: infoPath(taskId) };
  },

  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
    const data = unwrap(body, 'cqt query answer');
    if (data === null || data === undefined) throw new WireFormatError('cqt query answer', 'data: required');
    return snapshotOf(kind, taskId, parseOrThrow(taskInfo, data, 'cqt query answer data'));
  },

  parseCallback(_body: unknown): CallbackHint {
    throw new WireFormatError('cqt callback', 'the cqt dialect has no callbacks (polling only)');
  },

  classify: cqtClassify,

  resolveModel(name: string | undefined): string {
    return resolveModelName(PROVIDER, name);
  },
};
