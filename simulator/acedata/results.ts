// AceData Cloud wire shapes. Results are `{success, task_id, trace_id, data}`; errors are
// `{success: false, error: {code, message}, trace_id}` with the HTTP status; clips carry a `state`
// (pending, running, succeeded, error). The task-reading route returns the stored record of a
// request: what was asked (`request`) and, once there is something to show, what it answered
// (`response`, the same shape as the audio route's own answer).

import { randomUUID } from 'node:crypto';
import type { PostSongMedia } from '../derivedMedia';
import { uuidFor } from '../dialects';
import type { ClipProgress, SongProgress } from '../songProgress';
import type { StemName } from '../stemSplits';
import type { LyricsContent, SongClip, SongContent } from '../taskContent';
import type { SimulatedTask } from '../taskStore';
import type { WordTiming } from '../wordTimings';

/** What the task-reading route calls each kind of task. */
export type RecordType = 'audios' | 'lyrics' | 'wav' | 'mp4' | 'timing' | 'persona';

export type ClipState = 'pending' | 'running' | 'succeeded' | 'error';

/** Stable per task, so answers and callbacks about one task agree. */
export function traceIdOf(task: SimulatedTask<unknown>): string {
  return uuidFor(task.id, 'trace');
}

/** Error codes by HTTP status, in the service's snake_case style. */
export function errorCodeFor(status: number): string {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'invalid_token';
    case 402:
      return 'used_up';
    case 404:
      return 'not_found';
    case 413:
      return 'too_large';
    case 429:
      return 'too_many_requests';
    default:
      return status >= 500 ? 'api_error' : 'bad_request';
  }
}

export function errorAnswer(code: string, message: string) {
  // Errors belong to no task, so their trace id is fresh.
  return { success: false, error: { code, message }, trace_id: randomUUID() };
}

/** The immediate answer to an async submit (callback_url or async: true). */
export function acceptedAnswer(task: SimulatedTask<unknown>) {
  return { success: true, task_id: task.id, trace_id: traceIdOf(task) };
}

function clipState(clip: ClipProgress, progress: SongProgress): ClipState {
  if (progress.failure) return 'error';
  if (clip.audio) return 'succeeded';
  return progress.stage === 'first' ? 'running' : 'pending';
}

function wireClip(task: SimulatedTask<SongContent>, clip: ClipProgress, progress: SongProgress) {
  return {
    id: clip.clip.id,
    title: clip.clip.title,
    // Unfinished links are empty strings; duration comes with the audio.
    audio_url: clip.audio?.url ?? '',
    image_url: clip.imageUrl ?? '',
    video_url: '',
    lyric: clip.clip.lyrics,
    style: clip.clip.tags,
    model: task.content.model,
    duration: clip.audio?.durationSeconds ?? null,
    state: clipState(clip, progress),
    created_at: task.submittedAt.toISOString(),
  };
}

/** The audio route's answer at the given progress (also each NDJSON line and the callback body). */
export function audiosAnswer(task: SimulatedTask<SongContent>, progress: SongProgress) {
  const data = progress.clips.map((clip) => wireClip(task, clip, progress));
  if (progress.failure) {
    return {
      success: false,
      task_id: task.id,
      trace_id: traceIdOf(task),
      error: { code: 'api_error', message: `generation failed: ${progress.failure}` },
      data,
    };
  }
  return { success: true, task_id: task.id, trace_id: traceIdOf(task), data };
}

/** The upload route's answer (AceData's upload guide): one object naming the new clip by audio_id. */
export function uploadAnswer(task: SimulatedTask<SongContent>, progress: SongProgress) {
  const clip = progress.clips[0];
  const data = clip && {
    audio_id: clip.clip.id,
    title: clip.clip.title,
    lyric: clip.clip.lyrics ?? '',
    style: clip.clip.tags,
    image_url: clip.imageUrl ?? '',
    audio_url: clip.audio?.url ?? '',
    duration: clip.audio?.durationSeconds ?? null,
  };
  return { success: true, task_id: task.id, trace_id: traceIdOf(task), data };
}

export function lyricsAnswer(task: SimulatedTask<LyricsContent>) {
  const data = task.content.variants.map((variant) => ({
    text: variant.text,
    title: variant.title,
    status: 'complete',
  }));
  return { success: true, task_id: task.id, trace_id: traceIdOf(task), data };
}

/** The answer of any task whose work failed (a render, here). */
export function failedAnswer(task: SimulatedTask<unknown>, reason: string) {
  return { success: false, task_id: task.id, trace_id: traceIdOf(task), error: { code: 'api_error', message: reason }, data: [] };
}

const STEM_TITLES: Record<StemName, string> = {
  vocals: 'Vocals',
  instrumental: 'Instrumental',
  drums: 'Drums',
  bass: 'Bass',
  keyboard: 'Keyboard',
  synth: 'Synth',
};

/**
 * The answer of a stems or all_stems task: each separated track is a clip of its own, titled after
 * the song with the track in brackets, as Suno names stems.
 */
export function stemsAnswer(
  task: SimulatedTask<SongContent>,
  clip: SongClip,
  imageUrl: string,
  stems: Extract<PostSongMedia, { kind: 'stems' }>,
) {
  const data = stems.stems.map((stem) => ({
    id: uuidFor(task.id, stem.name),
    title: `${clip.title} (${STEM_TITLES[stem.name]})`,
    audio_url: stem.url,
    image_url: imageUrl,
    video_url: '',
    lyric: stem.name === 'vocals' ? clip.lyrics : '',
    style: clip.tags,
    model: task.content.model,
    duration: stem.durationSeconds,
    state: 'succeeded' as ClipState,
    created_at: task.submittedAt.toISOString(),
    stem_type: stem.name,
    stem_from_id: clip.id,
  }));
  return { success: true, task_id: task.id, trace_id: traceIdOf(task), data };
}

export function wavAnswer(task: SimulatedTask<unknown>, wav: Extract<PostSongMedia, { kind: 'wav' }>) {
  return { success: true, task_id: task.id, trace_id: traceIdOf(task), data: [{ file_url: wav.url }] };
}

export function videoAnswer(task: SimulatedTask<unknown>, video: Extract<PostSongMedia, { kind: 'video' }>) {
  return { success: true, task_id: task.id, trace_id: traceIdOf(task), data: [{ video_url: video.url }] };
}

/** Suno's aligned-words shape; the simulated aligner is always sure of itself. */
export function timingAnswer(task: SimulatedTask<unknown>, words: WordTiming[]) {
  const alignedWords = words.map((word) => ({
    word: word.word,
    success: true,
    start_s: word.startSeconds,
    end_s: word.endSeconds,
    p_align: 1,
  }));
  return { success: true, task_id: task.id, trace_id: traceIdOf(task), data: { aligned_words: alignedWords } };
}

/** A persona is answered in the submit itself; its id is the task's, so it survives restarts. */
export function personaAnswer(task: SimulatedTask<unknown>) {
  return { success: true, task_id: task.id, trace_id: traceIdOf(task), data: { persona_id: task.id } };
}

/** A stored task as POST /suno/tasks returns it; `response` is absent until there is one. */
export function taskRecord(task: SimulatedTask<unknown>, type: RecordType, response: object | undefined) {
  return {
    id: task.id,
    type,
    created_at: task.submittedAt.toISOString(),
    request: task.request,
    ...(response ? { response } : {}),
  };
}
