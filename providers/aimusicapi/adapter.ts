// aimusicapi.org dialect: `POST /api/submit` (inspiration or custom mode, snake_case fields) answers
// a `workId`; `GET /api/query?workId=` answers `data.type` and `data.response_data[]`. No webhooks
// and no lyrics route: the seed documents songs and nothing else, so polling a song is all this
// dialect does (requests.ts builds what we send, results.ts reads what it answers).
import type { HttpCall, ProviderAdapter, SubmitOutcome } from '../adapter';
import { stepRefusal } from '../capabilities';
import type { CallbackHint, StepKind, StepRequest, TaskSnapshot } from '../model';
import { resolveModelName } from '../modelNames';
import { WireFormatError } from '../wire';
import { queryCall, songCall } from './requests';
import { aimusicapiClassify, parseQueryAnswer, parseSubmitAnswer, PROVIDER } from './results';

const CAPABILITIES: readonly StepKind[] = ['song'];

export const aimusicapi: ProviderAdapter = {
  name: PROVIDER,
  capabilities: CAPABILITIES,
  // No transform, and none of the optional song fields: the seed's submit takes only these.
  transformFields: {},
  songFields: [],
  supportsCallbacks: false,

  buildSubmit(request: StepRequest, _callbackUrl: string | undefined): HttpCall {
    if (request.kind !== 'song') throw stepRefusal(PROVIDER, request.kind, CAPABILITIES);
    return songCall(request.song, aimusicapi.resolveModel(request.song.model));
  },

  parseSubmit(_kind: StepKind, body: unknown): SubmitOutcome {
    return { taskId: parseSubmitAnswer(body) };
  },

  buildQuery(_kind: StepKind, taskId: string): HttpCall {
    return queryCall(taskId);
  },

  parseQuery(kind: StepKind, taskId: string, body: unknown): TaskSnapshot {
    return parseQueryAnswer(kind, taskId, body);
  },

  parseCallback(_body: unknown): CallbackHint {
    throw new WireFormatError('aimusicapi callback', 'the aimusicapi dialect has no callbacks (polling only)');
  },

  classify: aimusicapiClassify,

  resolveModel(name: string | undefined): string {
    return resolveModelName(PROVIDER, name);
  },
};
