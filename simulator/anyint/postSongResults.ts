// AnyInt wire shapes of the work done on a finished song (the sunoapi.org / kie.ai family's
// "record-info" answers and webhooks). These task families report `successFlag` rather than
// `status` (a word for stems, WAV and video, a number for cover art), use a different time format
// almost everywhere, and call back without a `callbackType`. The simulator reproduces all of that,
// because a client has to cope with it.

import { AUDIO_FAILED_CODE, createTime } from './results';
import type { PostSongMedia } from '../derivedMedia';
import type { StemName } from '../stemSplits';
import type { SongContent } from '../taskContent';
import type { SimulatedTask } from '../taskStore';

/** Where a post-song task stands when asked: not due yet, done with its files, or failed. */
export type PostSongOutcome<M extends PostSongMedia = PostSongMedia> =
  | { state: 'pending' }
  | { state: 'done'; media: M; completedAt: Date }
  | { state: 'failed'; reason: string };

type StemsMedia = Extract<PostSongMedia, { kind: 'stems' }>;
type WavMedia = Extract<PostSongMedia, { kind: 'wav' }>;
type VideoMedia = Extract<PostSongMedia, { kind: 'video' }>;
type CoverMedia = Extract<PostSongMedia, { kind: 'cover-art' }>;

/** Every track field of a separation record; the ones a separation did not make are null. */
const STEM_QUERY_FIELDS = [
  'instrumentalUrl', 'vocalUrl', 'backingVocalsUrl', 'drumsUrl', 'bassUrl', 'guitarUrl', 'keyboardUrl',
  'percussionUrl', 'stringsUrl', 'synthUrl', 'fxUrl', 'brassUrl', 'woodwindsUrl',
] as const;

const STEM_FIELDS: Record<StemName, { query: (typeof STEM_QUERY_FIELDS)[number]; callback: string }> = {
  vocals: { query: 'vocalUrl', callback: 'vocal_url' },
  instrumental: { query: 'instrumentalUrl', callback: 'instrumental_url' },
  drums: { query: 'drumsUrl', callback: 'drums_url' },
  bass: { query: 'bassUrl', callback: 'bass_url' },
  keyboard: { query: 'keyboardUrl', callback: 'keyboard_url' },
  synth: { query: 'synthUrl', callback: 'synth_url' },
};

/** What the source clip and the task's own times look like in every record. */
function recordBase(task: SimulatedTask<SongContent>, outcome: PostSongOutcome) {
  return {
    taskId: task.id,
    callbackUrl: task.callbackUrl ?? '',
    completeTime: outcome.state === 'done' ? outcome.completedAt.getTime() : null,
    createTime: task.submittedAt.getTime(),
    errorCode: outcome.state === 'failed' ? AUDIO_FAILED_CODE : null,
    errorMessage: outcome.state === 'failed' ? outcome.reason : null,
  };
}

function successFlag(outcome: PostSongOutcome, failedWord: string): string {
  return outcome.state === 'done' ? 'SUCCESS' : outcome.state === 'failed' ? failedWord : 'PENDING';
}

/** `data` of GET /suno/query/vocal-removal. */
export function vocalRemovalQueryData(task: SimulatedTask<SongContent>, clipId: string, outcome: PostSongOutcome<StemsMedia>) {
  let response: Record<string, string | null> | null = null;
  if (outcome.state === 'done') {
    response = { originUrl: outcome.media.originUrl };
    for (const field of STEM_QUERY_FIELDS) response[field] = null;
    for (const stem of outcome.media.stems) response[STEM_FIELDS[stem.name].query] = stem.url;
  }
  return {
    ...recordBase(task, outcome),
    musicId: clipId,
    audioId: clipId,
    response,
    successFlag: successFlag(outcome, 'GENERATE_AUDIO_FAILED'),
  };
}

/** `data` of GET /suno/query/wav. Times here are the family's date strings, not milliseconds. */
export function wavQueryData(task: SimulatedTask<SongContent>, clipId: string, outcome: PostSongOutcome<WavMedia>) {
  return {
    ...recordBase(task, outcome),
    musicId: clipId,
    completeTime: outcome.state === 'done' ? createTime(outcome.completedAt) : null,
    createTime: createTime(task.submittedAt),
    response: outcome.state === 'done' ? { audioWavUrl: outcome.media.url } : null,
    successFlag: successFlag(outcome, 'GENERATE_WAV_FAILED'),
  };
}

/** `data` of GET /suno/query/mp4. */
export function mp4QueryData(task: SimulatedTask<SongContent>, clipId: string, outcome: PostSongOutcome<VideoMedia>) {
  return {
    ...recordBase(task, outcome),
    musicId: clipId,
    audioId: clipId,
    response: outcome.state === 'done' ? { videoUrl: outcome.media.url } : null,
    successFlag: successFlag(outcome, 'GENERATE_MP4_FAILED'),
  };
}

/** Cover records count their state: 0 pending, 1 success, 2 generating, 3 failed. */
const COVER_FLAGS = { pending: 0, done: 1, failed: 3 } as const;

/** `data` of GET /suno/query/cover. ISO times; errorCode 200 on success, as documented. */
export function coverQueryData(task: SimulatedTask<SongContent>, sourceTaskId: string, outcome: PostSongOutcome<CoverMedia>) {
  return {
    ...recordBase(task, outcome),
    parentTaskId: sourceTaskId,
    completeTime: outcome.state === 'done' ? outcome.completedAt.toISOString() : null,
    createTime: task.submittedAt.toISOString(),
    response: outcome.state === 'done' ? { images: outcome.media.imageUrls } : null,
    successFlag: COVER_FLAGS[outcome.state],
    errorCode: outcome.state === 'done' ? 200 : outcome.state === 'failed' ? AUDIO_FAILED_CODE : null,
    errorMessage: outcome.state === 'failed' ? outcome.reason : '',
  };
}

type Finished<M extends PostSongMedia> = Exclude<PostSongOutcome<M>, { state: 'pending' }>;

/** Webhook for a finished separation: snake_case track URLs under `vocal_removal_info`. */
export function vocalRemovalCallbackBody(task: SimulatedTask<SongContent>, outcome: Finished<StemsMedia>) {
  if (outcome.state === 'failed') {
    return { code: AUDIO_FAILED_CODE, msg: `Vocal removal failed: ${outcome.reason}`, data: { task_id: task.id, vocal_removal_info: null } };
  }
  const info: Record<string, string> = { origin_url: outcome.media.originUrl };
  for (const stem of outcome.media.stems) info[STEM_FIELDS[stem.name].callback] = stem.url;
  return { code: 200, msg: 'vocal Removal generated successfully.', data: { task_id: task.id, vocal_removal_info: info } };
}

/** Webhook for a finished WAV: this one keeps `audioWavUrl` camelCase next to `task_id`. */
export function wavCallbackBody(task: SimulatedTask<SongContent>, outcome: Finished<WavMedia>) {
  if (outcome.state === 'failed') {
    return { code: AUDIO_FAILED_CODE, msg: `WAV generation failed: ${outcome.reason}`, data: { audioWavUrl: null, task_id: task.id } };
  }
  return { code: 200, msg: 'success', data: { audioWavUrl: outcome.media.url, task_id: task.id } };
}

export function mp4CallbackBody(task: SimulatedTask<SongContent>, outcome: Finished<VideoMedia>) {
  if (outcome.state === 'failed') {
    return { code: AUDIO_FAILED_CODE, msg: `MP4 generation failed: ${outcome.reason}`, data: { task_id: task.id, video_url: null } };
  }
  return { code: 200, msg: 'MP4 generated successfully.', data: { task_id: task.id, video_url: outcome.media.url } };
}

/** Webhook for finished cover art: camelCase `taskId` here. */
export function coverCallbackBody(task: SimulatedTask<SongContent>, outcome: Finished<CoverMedia>) {
  if (outcome.state === 'failed') {
    return { code: AUDIO_FAILED_CODE, msg: `Cover generation failed: ${outcome.reason}`, data: { taskId: task.id, images: null } };
  }
  return { code: 200, msg: 'success', data: { taskId: task.id, images: outcome.media.imageUrls } };
}

/** `data` of POST /suno/generate-persona, which answers at once. */
export function personaData(personaId: string, name: string, description: string) {
  return { personaId, name, description };
}

/** `data` of POST /suno/timestamped-lyrics, which answers at once. */
export function timestampedLyricsData(words: { word: string; startSeconds: number; endSeconds: number }[]) {
  return {
    alignedWords: words.map((word) => ({ word: word.word, success: true, startS: word.startSeconds, endS: word.endSeconds, palign: 0 })),
    // The family also returns the song's loudness curve for drawing; clients of ours never use it.
    waveformData: [] as number[],
    hootCer: 0,
    isStreamed: false,
  };
}
