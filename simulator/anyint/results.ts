// AnyInt wire shapes (the sunoapi.org / kie.ai family). Queries answer camelCase; webhooks are
// snake_case with `callbackType` and `task_id` - the family really does mix the two, and our
// client has to cope, so the simulator reproduces it faithfully.

import type { ClipProgress, SongProgress } from '../songProgress';
import type { LyricsContent, SongContent } from '../taskContent';
import type { SimulatedTask, StageName } from '../taskStore';

export type AnyIntSongStatus = 'PENDING' | 'TEXT_SUCCESS' | 'FIRST_SUCCESS' | 'SUCCESS' | 'GENERATE_AUDIO_FAILED';

/** The family's callback code for a generation that failed while making audio. */
export const AUDIO_FAILED_CODE = 501;

const STATUS_BY_STAGE: Record<StageName, AnyIntSongStatus> = {
  text: 'TEXT_SUCCESS',
  first: 'FIRST_SUCCESS',
  complete: 'SUCCESS',
};

const CALLBACK_MESSAGES: Record<StageName, string> = {
  text: 'Text generation completed.',
  first: 'First audio generated.',
  complete: 'All generated successfully.',
};

export function successEnvelope<T>(data: T) {
  return { code: 200, msg: 'success', data };
}

export function errorEnvelope(code: number, msg: string) {
  return { code, msg, data: null };
}

/** "V4_5PLUS" -> "chirp-v4-5plus", the family's naming of the model that made a clip. */
function modelName(model: string): string {
  return `chirp-${model.toLowerCase().replace(/_/g, '-')}`;
}

/** The family's "2025-01-01 00:00:00" (UTC). */
export function createTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

interface WireClip {
  id: string;
  audioUrl: string;
  streamAudioUrl: string;
  imageUrl: string;
  prompt: string;
  modelName: string;
  title: string;
  tags: string;
  createTime: string;
  duration: number | null;
}

function wireClip(progress: ClipProgress, content: SongContent, submittedAt: Date): WireClip {
  return {
    id: progress.clip.id,
    // Not-yet-finished fields are empty strings and null, as the family sends at early stages.
    audioUrl: progress.audio?.url ?? '',
    streamAudioUrl: progress.audio?.url ?? '',
    imageUrl: progress.imageUrl ?? '',
    prompt: progress.clip.lyrics,
    modelName: modelName(content.model),
    title: progress.clip.title,
    tags: progress.clip.tags,
    createTime: createTime(submittedAt),
    duration: progress.audio?.durationSeconds ?? null,
  };
}

function songStatus(progress: SongProgress): AnyIntSongStatus {
  if (progress.failure) return 'GENERATE_AUDIO_FAILED';
  return progress.stage ? STATUS_BY_STAGE[progress.stage] : 'PENDING';
}

/** `data` of GET /suno/query/task. */
export function songQueryData(task: SimulatedTask<SongContent>, progress: SongProgress, type = 'GENERATE') {
  const sunoData = progress.clips.map((clip) => {
    const wire = wireClip(clip, task.content, task.submittedAt);
    return {
      id: wire.id,
      audioUrl: wire.audioUrl,
      sourceAudioUrl: wire.audioUrl,
      streamAudioUrl: wire.streamAudioUrl,
      sourceStreamAudioUrl: wire.streamAudioUrl,
      imageUrl: wire.imageUrl,
      sourceImageUrl: wire.imageUrl,
      prompt: wire.prompt,
      modelName: wire.modelName,
      title: wire.title,
      tags: wire.tags,
      createTime: wire.createTime,
      duration: wire.duration,
    };
  });
  return {
    taskId: task.id,
    parentMusicId: '',
    param: JSON.stringify(task.request),
    response: { taskId: task.id, sunoData },
    status: songStatus(progress),
    type,
    operationType: type.toLowerCase(),
    errorCode: progress.failure ? AUDIO_FAILED_CODE : null,
    errorMessage: progress.failure ?? null,
  };
}

/** Webhook body for a song task's stage, or its failure. */
export function songCallbackBody(task: SimulatedTask<SongContent>, progress: SongProgress, stage: StageName) {
  if (progress.failure) {
    return {
      code: AUDIO_FAILED_CODE,
      msg: `Audio generation failed: ${progress.failure}`,
      data: { callbackType: 'error', task_id: task.id, data: [] },
    };
  }
  const data = progress.clips.map((clip) => {
    const wire = wireClip(clip, task.content, task.submittedAt);
    return {
      id: wire.id,
      audio_url: wire.audioUrl,
      source_audio_url: wire.audioUrl,
      stream_audio_url: wire.streamAudioUrl,
      source_stream_audio_url: wire.streamAudioUrl,
      image_url: wire.imageUrl,
      source_image_url: wire.imageUrl,
      prompt: wire.prompt,
      model_name: wire.modelName,
      title: wire.title,
      tags: wire.tags,
      // The family's docs keep this one field camelCase inside the snake_case body.
      createTime: wire.createTime,
      duration: wire.duration,
    };
  });
  return { code: 200, msg: CALLBACK_MESSAGES[stage], data: { callbackType: stage, task_id: task.id, data } };
}

/** `data` of GET /suno/query/lyrics. */
export function lyricsQueryData(task: SimulatedTask<LyricsContent>, done: boolean) {
  const data = done
    ? task.content.variants.map((variant) => ({
        text: variant.text,
        title: variant.title,
        status: 'complete',
        errorMessage: '',
      }))
    : [];
  return {
    taskId: task.id,
    param: JSON.stringify(task.request),
    response: { taskId: task.id, data },
    status: done ? 'SUCCESS' : 'PENDING',
    type: 'LYRICS',
    errorCode: null,
    errorMessage: null,
  };
}

/** Webhook body for a finished lyrics task. */
export function lyricsCallbackBody(task: SimulatedTask<LyricsContent>) {
  const data = task.content.variants.map((variant) => ({
    text: variant.text,
    title: variant.title,
    status: 'complete',
    error_message: '',
  }));
  return { code: 200, msg: CALLBACK_MESSAGES.complete, data: { callbackType: 'complete', task_id: task.id, data } };
}
