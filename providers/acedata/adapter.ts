// AceData Cloud dialect: one `POST /suno/audios` route whose `action` picks the operation, separate
// routes for lyrics, persona, WAV, MP4 and timings, `callback_url` for one final callback, and
// `POST /suno/tasks` (single or batch) to read tasks. Errors are `{success:false, error:{code, message}}`.
import { z } from 'zod';
import type { HttpCall, ProviderAdapter, SubmitOutcome } from '../adapter';
import { clipOnlyCall, lyricsCall, personaCall, retrieveBatchCall, retrieveCall, songCall, stemsCall, transformCall, TRANSFORM_ACTIONS, uploadCall, wavCall, type AcedataTransform } from './requests';
import { batchAnswer, classifyAcedataCode, errorObject, looseBool, resultBody, snapshotFromResult, taskRecord } from './results';
import { fieldRefusal, stepRefusal, unsupportedFields } from '../capabilities';
import { classifyStatus, ProviderError, type ErrorClass } from '../errors';
import { isTerminal, type CallbackHint, type StepKind, type StepRequest, type TaskSnapshot, type TransformField } from '../model';
import { resolveModelName } from '../modelNames';
import { idString, parseOrThrow, WireFormatError } from '../wire';

const PROVIDER = 'acedata';

/**
 * Every step whose wire form AceData documents: the /suno/audios actions of the seed (generate,
 * artist_consistency, stems, all_stems and the transforms of docs/transforms-wire.md: extend, concat,
 * cover, upload_cover, upload_extend, artist_consistency_vox, replace_section, underpainting =
 * add-instrumental, overpainting = add-vocals, samples, remaster, mashup, inspo = inspiration) and the family's own routes
 * (/suno/lyrics, /suno/persona, /suno/wav, /suno/mp4, /suno/timing, and /suno/upload, which makes
 * the user's audio a clip: the seed's body has no audio_url, so the upload actions name that clip's
 * audio_id). It has no cover-art route, and
 * its style route is not in the seed.
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
  'timestamped-lyrics',
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
  'remaster',
  'vox',
  'inspiration',
];

const SLIDERS = ['negativeStyle', 'vocalGender', 'weights.weirdness', 'weights.style'] as const;

/** The canonical fields each transform can carry on this wire (docs/transforms-wire.md). */
const TRANSFORM_FIELDS: Record<AcedataTransform | 'upload', readonly TransformField[]> = {
  // The user's audio reaches AceData only through /suno/upload; the actions then name its audio_id.
  upload: ['audioUrl'],
  extend: ['sources', 'continueAt', 'lyrics', 'prompt', 'style', 'title', 'instrumental', 'model', ...SLIDERS],
  'upload-extend': ['sources', 'continueAt', 'lyrics', 'prompt', 'style', 'title', 'instrumental', 'model', ...SLIDERS],
  cover: ['sources', 'lyrics', 'prompt', 'style', 'title', 'model', ...SLIDERS, 'weights.audio'],
  'upload-cover': ['sources', 'lyrics', 'prompt', 'style', 'title', 'model', ...SLIDERS, 'weights.audio'],
  concat: ['sources'],
  vox: ['sources', 'personaId', 'lyrics', 'prompt', 'style', 'title', 'model'],
  'replace-section': ['sources', 'section', 'lyrics', 'prompt', 'style'],
  'add-instrumental': ['sources', 'section', 'style', 'title'],
  'add-vocals': ['sources', 'section', 'lyrics', 'prompt', 'style', 'title'],
  sample: ['sources', 'section', 'prompt', 'style', 'title'],
  remaster: ['sources', 'model'],
  mashup: ['sources', 'prompt', 'style', 'title', 'model'],
  inspiration: ['sources', 'audioUrl', 'lyrics', 'prompt', 'style', 'title', 'instrumental', 'model'],
};

function isAcedataTransform(kind: StepKind): kind is AcedataTransform {
  return kind in TRANSFORM_ACTIONS;
}

function acedataClassify(code: number): ErrorClass {
  // 403 is content moderation here (artist names, copyrighted lyrics), not a credential problem.
  if (code === 403) return 'rejected';
  return classifyStatus(code);
}

/** An answer that is an error envelope rather than a result or a task record. */
const errorEnvelope = z.object({ success: looseBool, error: z.union([errorObject, z.string()]).nullish() });

function throwIfError(body: unknown, what: string): void {
  const env = parseOrThrow(errorEnvelope, body, what);
  if (env.success !== false && !env.error) return;
  const error = typeof env.error === 'string' ? { code: undefined, message: env.error } : env.error;
  throw new ProviderError(PROVIDER, classifyAcedataCode(error?.code), error?.code ?? 'failed', error?.message ?? 'no message');
}

const callbackBody = z.object({
  success: looseBool,
  task_id: idString.optional(),
  taskId: idString.optional(),
  error: z.unknown().optional(),
});

export const acedata: ProviderAdapter = {
  name: PROVIDER,
  capabilities: CAPABILITIES,
  transformFields: TRANSFORM_FIELDS,
  songFields: ['negativeStyle', 'vocalGender', 'variation', 'weights'],
  supportsCallbacks: true,

  buildSubmit(request: StepRequest, callbackUrl: string | undefined): HttpCall {
    if (!CAPABILITIES.includes(request.kind)) throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
    const refused = unsupportedFields(acedata, request);
    if (refused.length > 0) throw fieldRefusal(PROVIDER, request.kind, refused);
    if ('transform' in request && isAcedataTransform(request.kind)) {
      return transformCall(request.kind, request.transform, acedata.resolveModel(request.transform.model), callbackUrl);
    }
    switch (request.kind) {
      case 'upload':
        return uploadCall(request.transform.audioUrl);
      case 'lyrics':
        return lyricsCall(request.lyrics.prompt);
      case 'song':
        return songCall(request.song, acedata.resolveModel(request.song.model), callbackUrl);
      case 'persona':
        return personaCall(request.persona.source, request.persona.name, request.persona.description);
      case 'stems':
        return stemsCall('stems', request.source, callbackUrl);
      case 'all-stems':
        return stemsCall('all_stems', request.source, callbackUrl);
      case 'wav':
        return wavCall(request.source, callbackUrl);
      case 'mp4':
        return clipOnlyCall('/suno/mp4', request.source);
      case 'timestamped-lyrics':
        return clipOnlyCall('/suno/timing', request.source);
      default:
        throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
    }
  },

  /**
   * Asynchronous submits answer `{task_id}` at once; lyrics, persona, MP4, timings and uploads answer the
   * finished result, which is returned as `completed` so nobody polls for it.
   */
  parseSubmit(kind: StepKind, body: unknown): SubmitOutcome {
    throwIfError(body, 'acedata submit answer');
    const result = parseOrThrow(resultBody, body, 'acedata submit answer');
    if (!result.task_id) throw new ProviderError(PROVIDER, 'ambiguous', 'no-task-id', 'submit answered without a task_id');
    if (result.data === undefined || result.data === null) return { taskId: result.task_id };
    const snapshot = snapshotFromResult(kind, result.task_id, result);
    return isTerminal(snapshot.state) ? { taskId: result.task_id, completed: snapshot } : { taskId: result.task_id };
  },

  buildQuery(_kind: StepKind, taskId: string): HttpCall {
    return retrieveCall(taskId);
  },

  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
    throwIfError(body, 'acedata task answer');
    const record = parseOrThrow(taskRecord, body, 'acedata task answer');
    if (record.id !== undefined && record.id !== taskId) throw new WireFormatError('acedata task answer', `id: expected ${taskId}, got ${record.id}`);
    return snapshotFromResult(kind, taskId, record.response, record.state);
  },

  buildBatchQuery(_kind: StepKind, taskIds: string[]): HttpCall {
    return retrieveBatchCall(taskIds);
  },

  /**
   * One snapshot per requested id, in the order asked. A missing record is no evidence of failure
   * (reporting it failed could trigger a paid resubmit), so it throws and the caller falls back to
   * single queries.
   */
  parseBatchQuery(kind: StepKind, taskIds: string[], body: unknown): TaskSnapshot[] {
    throwIfError(body, 'acedata batch task answer');
    const answer = parseOrThrow(batchAnswer, body, 'acedata batch task answer');
    const byId = new Map((answer.items ?? []).map((r) => [r.id ?? r.response?.task_id, r] as const));
    const missing = taskIds.filter((id) => !byId.has(id));
    if (missing.length > 0) throw new WireFormatError('acedata batch task answer', `items: no task ${missing.join(', ')}`);
    return taskIds.map((id) => {
      const record = byId.get(id)!;
      return snapshotFromResult(kind, id, record.response, record.state);
    });
  },

  /** The one final callback: `{success, task_id, data[]}`, or `success:false` with an error. */
  parseCallback(body: unknown): CallbackHint {
    const cb = parseOrThrow(callbackBody, body, 'acedata callback');
    const taskId = cb.task_id ?? cb.taskId;
    if (!taskId) throw new WireFormatError('acedata callback', 'task_id: required');
    const failed = cb.success === false || (cb.error !== undefined && cb.error !== null);
    return { taskId, stage: failed ? 'error' : 'complete' };
  },

  classify: acedataClassify,

  errorFromBody(_status: number, body: unknown): ProviderError | undefined {
    try {
      throwIfError(body, 'acedata error answer');
    } catch (err) {
      if (err instanceof ProviderError) return err;
    }
    return undefined;
  },

  resolveModel(name: string | undefined): string {
    return resolveModelName(PROVIDER, name);
  },
};
