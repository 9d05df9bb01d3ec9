// NewAPI relay, "Suno Music Format": `POST /suno/submit/music` and `/suno/submit/lyrics` answer
// `{code:"success", message, data:"<task id>"}`; tasks are read one at a time with
// `GET /suno/fetch/{id}` or many at once with `POST /suno/fetch {ids, action}`. The relay's own task
// status (NOT_START ... SUCCESS/FAILURE) wraps the upstream Suno clips. `notify_hook` is sent when
// callbacks are on, but the relay may not forward it, so batched polling is the main path.
import { z } from 'zod';
import type { HttpCall, ProviderAdapter, SubmitOutcome } from '../adapter';
import { fieldRefusal, stepRefusal, unsupportedFields } from '../capabilities';
import { ProviderError } from '../errors';
import type { CallbackHint, StepKind, StepRequest, TaskSnapshot, TransformField, TransformKind } from '../model';
import { resolveModelName } from '../modelNames';
import { batchQueryCall, concatCall, extendCall, lyricsCall, queryCall, songCall, uploadCall } from './requests';
import { callbackShape, callbackStage, envelope, newapiClassify, snapshotOf, taskObject, unwrap } from './results';
import { parseOrThrow, idString, WireFormatError } from '../wire';

export { concatBody, extendBody, fetchBody, lyricsBody, musicBody, uploadBody } from './requests';

const PROVIDER = 'newapi';
/**
 * The seed's routes: songs and continuation (`task_id` + `continue_clip_id` + `continue_at` on the
 * music route), lyrics, upload (`/suno/uploads/audio-url`) and concatenation (`/suno/submit/concat`).
 * The seed marks upload and concatenation ❌ (not offered by every relay); a relay that lacks them
 * refuses the submit, which costs nothing.
 */
const CAPABILITIES: readonly StepKind[] = ['lyrics', 'song', 'extend', 'upload', 'concat'];

/** The canonical fields each transform can carry on this wire (see docs/transforms-wire.md). */
const TRANSFORM_FIELDS: Partial<Record<TransformKind, readonly TransformField[]>> = {
  extend: ['sources', 'continueAt', 'lyrics', 'style', 'title', 'model', 'instrumental'],
  upload: ['audioUrl'],
  concat: ['sources'],
};

export const newapi: ProviderAdapter = {
  name: PROVIDER,
  capabilities: CAPABILITIES,
  transformFields: TRANSFORM_FIELDS,
  // The music route has no negative style, vocal gender, variation or weights.
  songFields: [],
  supportsCallbacks: true,

  buildSubmit(request: StepRequest, callbackUrl: string | undefined): HttpCall {
    if (!CAPABILITIES.includes(request.kind)) throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
    const refused = unsupportedFields(newapi, request);
    if (refused.length > 0) throw fieldRefusal(PROVIDER, request.kind, refused);
    switch (request.kind) {
      case 'lyrics':
        return lyricsCall(request.lyrics.prompt, callbackUrl);
      case 'song':
        return songCall(request.song, newapi.resolveModel(request.song.model), callbackUrl);
      case 'extend':
        return extendCall(request.transform, newapi.resolveModel(request.transform.model), callbackUrl);
      case 'upload':
        return uploadCall(request.transform);
      case 'concat':
        return concatCall(request.transform);
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
    return queryCall(taskId);
  },

  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
    const data = unwrap(body, 'newapi query answer');
    if (data === null || data === undefined) throw new WireFormatError('newapi query answer', 'data: required');
    return snapshotOf(kind, taskId, parseOrThrow(taskObject, data, 'newapi query answer data'));
  },

  buildBatchQuery(kind: StepKind, taskIds: string[]): HttpCall {
    return batchQueryCall(kind, taskIds);
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
