// NewAPI relay wire shapes: every answer is `{code, message, data}`, with code "success" or an
// error word; a task object carries the relay's own status and progress around Suno's clip objects
// (MUSIC) or one lyrics object (LYRICS). Times are unix seconds, 0 until they happen.

import { stageDueAt, unixSeconds } from '../dialects';
import type { Action } from './requests';
import type { ClipProgress, SongProgress } from '../songProgress';
import type { LyricsContent, SongContent } from '../taskContent';
import type { SimulatedTask, StageName } from '../taskStore';

export type RelayStatus = 'NOT_START' | 'SUBMITTED' | 'QUEUED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE';

export function successEnvelope<T>(data: T) {
  return { code: 'success', message: '', data };
}

/** The relay's error form: a short error word as the code, a readable message, no data. */
export function errorEnvelope(code: string, message: string) {
  return { code, message, data: null };
}

/** Error words by HTTP status, in the relay's snake_case style. */
export function errorCodeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'quota_not_enough';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_exceeded';
    case 503:
      // The relay's word when no upstream channel could take the request.
      return 'get_channel_failed';
    default:
      return status >= 500 ? 'internal_error' : 'error';
  }
}

const PROGRESS_BY_STAGE: Record<StageName, string> = { text: '30%', first: '60%', complete: '100%' };

interface TaskTimes {
  submit_time: number;
  start_time: number;
  finish_time: number;
}

function times(task: SimulatedTask<unknown>, started: boolean, finished: boolean): TaskTimes {
  const startStage = task.timeline[0]?.stage ?? 'complete';
  return {
    submit_time: unixSeconds(task.submittedAt.getTime()),
    start_time: started ? unixSeconds(stageDueAt(task, startStage)) : 0,
    finish_time: finished ? unixSeconds(stageDueAt(task, 'complete')) : 0,
  };
}

/** "chirp-v3-5" -> "v3", the major version Suno reports beside the model name. */
function majorVersion(model: string): string {
  const match = /v(\d+)/i.exec(model);
  return match ? `v${match[1]}` : model;
}

function clipStatus(clip: ClipProgress, progress: SongProgress): string {
  if (progress.failure) return 'error';
  return clip.audio ? 'complete' : 'streaming';
}

function songObject(task: SimulatedTask<SongContent>, clip: ClipProgress, progress: SongProgress, description: string | null) {
  const model = task.content.model;
  return {
    id: clip.clip.id,
    title: clip.clip.title,
    status: clipStatus(clip, progress),
    metadata: {
      tags: clip.clip.tags,
      prompt: clip.clip.lyrics,
      duration: clip.audio?.durationSeconds ?? null,
      error_type: progress.failure ? 'generation_failed' : null,
      error_message: progress.failure ?? null,
      audio_prompt_id: null,
      gpt_description_prompt: description,
      type: 'gen',
    },
    // Unfinished links are empty strings, as the relay passes them through at early stages.
    audio_url: clip.audio?.url ?? '',
    image_url: clip.imageUrl ?? '',
    video_url: '',
    model_name: model,
    image_large_url: clip.imageUrl ?? '',
    major_model_version: majorVersion(model),
    created_at: task.submittedAt.toISOString(),
  };
}

function notifyHook(task: SimulatedTask<unknown>): string {
  return task.callbackUrl ?? '';
}

/** The task object of a MUSIC task at the given progress. */
export function musicTaskObject(task: SimulatedTask<SongContent>, progress: SongProgress, description: string | null) {
  const action: Action = 'MUSIC';
  const status: RelayStatus = progress.failure
    ? 'FAILURE'
    : progress.stage === 'complete'
      ? 'SUCCESS'
      : progress.stage
        ? 'IN_PROGRESS'
        : 'SUBMITTED';
  return {
    task_id: task.id,
    notify_hook: notifyHook(task),
    action,
    status,
    fail_reason: progress.failure ?? '',
    ...times(task, progress.stage !== undefined, status === 'SUCCESS' || status === 'FAILURE'),
    progress: progress.failure ? '100%' : progress.stage ? PROGRESS_BY_STAGE[progress.stage] : '0%',
    data: progress.clips.map((clip) => songObject(task, clip, progress, description)),
  };
}

/** The task object of a LYRICS task; the relay passes on one lyrics object, not a list. */
export function lyricsTaskObject(task: SimulatedTask<LyricsContent>, done: boolean) {
  const action: Action = 'LYRICS';
  const status: RelayStatus = done ? 'SUCCESS' : 'SUBMITTED';
  const variant = task.content.variants[0];
  return {
    task_id: task.id,
    notify_hook: notifyHook(task),
    action,
    status,
    fail_reason: '',
    ...times(task, done, done),
    progress: done ? '100%' : '0%',
    data: done && variant ? { id: task.id, text: variant.text, title: variant.title, status: 'complete' } : null,
  };
}
