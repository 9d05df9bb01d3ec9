// CQTAI wire shapes: `{code, msg, data}` everywhere. A submit's data is the task id string; a
// query's data is `{id, taskType, status, errorMsg, param, result}`, where `result` is null until
// there is something to show, then an array of Suno clips (songs, stems) or an object (lyrics,
// WAV, MP4, timeline, persona).

import type { CqtModel } from './requests';
import type { PostSongMedia } from '../derivedMedia';
import { uuidFor } from '../dialects';
import type { ClipProgress, SongProgress } from '../songProgress';
import type { StemName } from '../stemSplits';
import type { LyricsContent, SongClip, SongContent } from '../taskContent';
import type { SimulatedTask, StageName } from '../taskStore';
import type { WordTiming } from '../wordTimings';

export type CqtStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export function submitAnswer(taskId: string) {
  return { code: 200, msg: 'success', data: taskId };
}

export function errorAnswer(code: number, msg: string) {
  return { code, msg, data: null };
}

/** The query answer; `param` is the submit body as received. */
export function taskInfo(task: SimulatedTask<unknown>, taskType: string, status: CqtStatus, errorMsg: string, result: unknown) {
  return { code: 200, msg: 'success', data: { id: task.id, taskType, status, errorMsg, param: task.request, result } };
}

/** Suno's major version for each CQTAI model name, as its clips report it. */
const MAJOR_VERSION: Record<CqtModel, string> = {
  v55: 'v5.5',
  v50: 'v5',
  'v45+': 'v4.5+',
  v45: 'v4.5',
  v40: 'v4',
};

function majorVersion(model: string): string {
  return MAJOR_VERSION[model as CqtModel] ?? model;
}

function stageStatus(stage: StageName | undefined): CqtStatus {
  if (stage === 'complete') return 'succeeded';
  return stage ? 'running' : 'pending';
}

function clipStatus(clip: ClipProgress, progress: SongProgress): string {
  if (progress.failure) return 'error';
  return clip.audio ? 'complete' : 'streaming';
}

function wireClip(task: SimulatedTask<SongContent>, clip: ClipProgress, progress: SongProgress) {
  const model = task.content.model;
  return {
    id: clip.clip.id,
    title: clip.clip.title,
    status: clipStatus(clip, progress),
    metadata: {
      tags: clip.clip.tags,
      type: 'gen',
      prompt: clip.clip.lyrics,
      duration: clip.audio?.durationSeconds ?? null,
      error_message: progress.failure ?? null,
    },
    // Unfinished links are empty strings until the audio exists.
    audio_url: clip.audio?.url ?? '',
    image_url: clip.imageUrl ?? '',
    image_large_url: clip.imageUrl ?? '',
    video_url: '',
    model_name: `chirp-${model}`,
    major_model_version: majorVersion(model),
    created_at: task.submittedAt.toISOString(),
  };
}

/** The answer for a task that makes clips (create, extend, cover). */
export function songInfo(task: SimulatedTask<SongContent>, taskType: string, progress: SongProgress) {
  const status = progress.failure ? 'failed' : stageStatus(progress.stage);
  const result = progress.stage ? progress.clips.map((clip) => wireClip(task, clip, progress)) : null;
  return taskInfo(task, taskType, status, progress.failure ?? '', result);
}

export function lyricsInfo(task: SimulatedTask<LyricsContent>, done: boolean) {
  const variant = task.content.variants[0];
  const result = done && variant ? { title: variant.title, text: variant.text, status: 'complete' } : null;
  return taskInfo(task, 'lyrics', done ? 'succeeded' : 'pending', '', result);
}

const STEM_GROUPS: Record<StemName, string> = {
  vocals: 'Vocals',
  instrumental: 'Instrumental',
  drums: 'Drums',
  bass: 'Bass',
  keyboard: 'Keyboard',
  synth: 'Synth',
};

/** Stems come back as clips of their own, titled and tagged with their track as Suno does. */
export function stemsResult(
  task: SimulatedTask<SongContent>,
  clip: SongClip,
  imageUrl: string,
  stems: Extract<PostSongMedia, { kind: 'stems' }>,
) {
  return stems.stems.map((stem) => ({
    id: uuidFor(task.id, stem.name),
    title: `${clip.title} (${STEM_GROUPS[stem.name]})`,
    status: 'complete',
    metadata: {
      task: 'gen_stem',
      type: 'gen',
      duration: stem.durationSeconds,
      stem_from_id: clip.id,
      stem_type_group_name: STEM_GROUPS[stem.name],
    },
    audio_url: stem.url,
    image_url: imageUrl,
    video_url: '',
    model_name: `chirp-${task.content.model}`,
    created_at: task.submittedAt.toISOString(),
  }));
}

export function wavResult(clipId: string, wav: Extract<PostSongMedia, { kind: 'wav' }>) {
  return { clipId, wav_url: wav.url, duration: wav.durationSeconds };
}

export function videoResult(clipId: string, video: Extract<PostSongMedia, { kind: 'video' }>) {
  return { clipId, video_url: video.url, duration: video.durationSeconds };
}

/** The vendor's aligned-words shape (its timeline page); the simulated aligner is always sure. */
export function timelineResult(words: WordTiming[]) {
  return {
    aligned_words: words.map((word) => ({
      word: word.word,
      success: true,
      start_s: word.startSeconds,
      end_s: word.endSeconds,
      p_align: 1,
    })),
  };
}

/** A persona's id is its task's, so it stays valid after a restart. */
export function personaResult(task: SimulatedTask<unknown>, clipId: string, name: string, description: string) {
  return { persona_id: task.id, name, description, root_clip_id: clipId };
}
