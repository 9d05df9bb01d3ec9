// AnyInt "record-info" answers of work on a finished song: stems, WAV, music video and cover art.
// Parsed tolerantly: the state may be `successFlag` or `status`, a word or a number (also as a
// string); the files may sit in `response`, in `vocal_removal_info`, or flat in `data`, in camelCase
// or snake_case; early answers carry nulls and empty strings. Only a missing state is an error.
import { z } from 'zod';
import type { StemFile, StepKind, StepOutputs, TaskSnapshot, TaskState } from '../model';
import { isRetryableFailure, stateOfStatus, statusWord } from './status';
import { parseOrThrow, dropUndefined, idString, looseString, WireFormatError } from '../wire';

export type RecordKind = Extract<StepKind, 'stems' | 'all-stems' | 'wav' | 'mp4' | 'cover-art'>;

export const RECORD_KINDS: readonly RecordKind[] = ['stems', 'all-stems', 'wav', 'mp4', 'cover-art'];

export function isRecordKind(kind: StepKind): kind is RecordKind {
  return (RECORD_KINDS as readonly StepKind[]).includes(kind);
}

/** The query route of each record kind: both separations share the vocal-removal record. */
export const RECORD_QUERY_ROUTES: Record<RecordKind, string> = {
  stems: 'vocal-removal',
  'all-stems': 'vocal-removal',
  wav: 'wav',
  mp4: 'mp4',
  'cover-art': 'cover',
};

const flag = z.union([z.string(), z.number()]).nullish();

const recordData = z.object({
  taskId: idString.optional(),
  task_id: idString.optional(),
  successFlag: flag,
  status: flag,
  errorMessage: looseString,
  error_message: looseString,
});

type Fields = Record<string, unknown>;

function asFields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** The first non-empty string among the fields' given names (numbers and nulls tolerated). */
function text(fields: Fields | undefined, ...names: string[]): string | undefined {
  if (!fields) return undefined;
  for (const name of names) {
    const parsed = looseString.safeParse(fields[name]);
    if (parsed.success && parsed.data !== undefined && parsed.data.trim() !== '') return parsed.data;
  }
  return undefined;
}

/** Where a record keeps its files: tried in this order, the first that has any wins. */
function containers(data: Fields): Fields[] {
  const response = asFields(data.response);
  const candidates = [
    asFields(response?.vocal_removal_info),
    asFields(response?.vocalRemovalInfo),
    response,
    asFields(data.vocal_removal_info),
    asFields(data.vocalRemovalInfo),
    data,
  ];
  return candidates.filter((candidate): candidate is Fields => candidate !== undefined);
}

/** Our stem names for the family's track fields (camelCase in queries, snake_case in webhooks). */
const STEM_FIELDS: [name: string, camel: string, snake: string][] = [
  ['vocals', 'vocalUrl', 'vocal_url'],
  ['instrumental', 'instrumentalUrl', 'instrumental_url'],
  ['backing-vocals', 'backingVocalsUrl', 'backing_vocals_url'],
  ['drums', 'drumsUrl', 'drums_url'],
  ['bass', 'bassUrl', 'bass_url'],
  ['guitar', 'guitarUrl', 'guitar_url'],
  ['keyboard', 'keyboardUrl', 'keyboard_url'],
  ['piano', 'pianoUrl', 'piano_url'],
  ['percussion', 'percussionUrl', 'percussion_url'],
  ['strings', 'stringsUrl', 'strings_url'],
  ['synth', 'synthUrl', 'synth_url'],
  ['fx', 'fxUrl', 'fx_url'],
  ['brass', 'brassUrl', 'brass_url'],
  ['woodwinds', 'woodwindsUrl', 'woodwinds_url'],
];

/** "Lead Vocal" -> "lead-vocal": names of the `originData` tracks some answers list instead. */
function slug(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function stemsIn(fields: Fields): StemFile[] {
  const named = STEM_FIELDS.flatMap(([name, camel, snake]) => {
    const url = text(fields, camel, snake);
    return url ? [{ name, url }] : [];
  });
  if (named.length > 0) return named;
  // Newer answers may only list tracks as [{stem_type_group_name, audio_url}], sometimes wrapped
  // in {extract: {...}} (the isolated track) and {remove: {...}} (everything else).
  const list = fields.originData ?? fields.origin_data;
  if (!Array.isArray(list)) return [];
  const seen = new Set<string>();
  return list.flatMap((item) => {
    const entry = asFields(asFields(item)?.extract) ?? asFields(item);
    const name = text(entry, 'stem_type_group_name', 'stemTypeGroupName');
    const url = text(entry, 'audio_url', 'audioUrl');
    if (!name || !url || seen.has(slug(name))) return [];
    seen.add(slug(name));
    return [{ name: slug(name) === 'vocal' ? 'vocals' : slug(name), url }];
  });
}

function imagesIn(fields: Fields): string[] {
  const images = fields.images ?? fields.imageUrls ?? fields.image_urls;
  if (!Array.isArray(images)) return [];
  return images.flatMap((image) => {
    const url = typeof image === 'string' ? image : text(asFields(image), 'url', 'imageUrl', 'image_url');
    return url && url.trim() !== '' ? [url] : [];
  });
}

/** The kind's files from the record; undefined while it has none. */
export function recordOutputs(kind: RecordKind, data: Fields): StepOutputs | undefined {
  for (const fields of containers(data)) {
    switch (kind) {
      case 'stems':
      case 'all-stems': {
        const stems = stemsIn(fields);
        if (stems.length > 0) return { stems };
        break;
      }
      case 'wav': {
        const wavUrl = text(fields, 'audioWavUrl', 'audio_wav_url', 'wavUrl', 'wav_url');
        if (wavUrl) return { wavUrl };
        break;
      }
      case 'mp4': {
        const videoUrl = text(fields, 'videoUrl', 'video_url', 'mp4Url', 'mp4_url');
        if (videoUrl) return { videoUrl };
        break;
      }
      case 'cover-art': {
        const imageUrls = imagesIn(fields);
        if (imageUrls.length > 0) return { imageUrls };
        break;
      }
    }
  }
  return undefined;
}

/** Normalizes the `data` of a record answer (the envelope already unwrapped). */
export function parseRecord(kind: RecordKind, taskId: string, data: unknown): TaskSnapshot {
  const fields = asFields(data);
  if (!fields) throw new WireFormatError('anyint query answer data', '(root): expected an object');
  const record = parseOrThrow(recordData, fields, 'anyint query answer data');
  const rawFlag = record.successFlag ?? record.status;
  if (!('successFlag' in fields) && !('status' in fields)) {
    throw new WireFormatError('anyint query answer data', 'successFlag: required (or status)');
  }
  // A null or empty flag appears on records that were only just created.
  const word = rawFlag === null || rawFlag === undefined || rawFlag === '' ? 'PENDING' : statusWord(rawFlag);
  const outputs = recordOutputs(kind, fields);
  let state: TaskState = stateOfStatus(word);
  // The family reports a failed webhook delivery as CALLBACK_EXCEPTION even though the files were
  // made; with the files present the work itself succeeded.
  if (word === 'CALLBACK_EXCEPTION' && outputs) state = 'succeeded';
  // SUCCESS without a single file is not finished for us: keep waiting (the step's deadline ends it).
  if (state === 'succeeded' && !outputs) state = 'running';

  const snapshot: TaskSnapshot = dropUndefined({
    taskId: record.taskId ?? record.task_id ?? taskId,
    state,
    providerStatus: word,
    clips: [],
    lyrics: [],
    outputs,
  });
  if (state === 'failed') {
    snapshot.failure = {
      reason: record.errorMessage ?? record.error_message ?? `${kind} task ended with ${word}`,
      retryable: isRetryableFailure(word),
    };
  }
  return snapshot;
}
