// What each CQTAI task is and what the info route answers for it at a stage. Every task goes to
// the same route, so its kind is the `task` field of the request it was saved with (journaled);
// songs, stems and exports all hold song content, so the content never decides.

import type { SimulatorContext } from '../context';
import { CLIP_TASKS, SONG_TASKS, type ClipTaskType } from './requests';
import {
  lyricsInfo,
  personaResult,
  songInfo,
  stemsResult,
  taskInfo,
  timelineResult,
  videoResult,
  wavResult,
} from './results';
import { renderPostSong, type PostSongJob } from '../derivedMedia';
import { requestText } from '../dialects';
import { songProgressAt } from '../songProgress';
import { asLyricsTask, asSongTask, type TaskContent } from '../taskContent';
import type { SimulatedTask, StageName } from '../taskStore';
import { wordTimings } from '../wordTimings';
import { downbeatSeconds } from '../melody';

export const DIALECT = 'cqt';
export const SUBMIT_ROUTE = 'POST /api/cqt/generator/suno';

export function taskTypeOf(task: SimulatedTask<TaskContent>): string {
  return requestText(task.request, 'task') ?? '';
}

/** Tasks whose clips other tasks may work on. */
export function isSongTask(task: SimulatedTask<TaskContent>): boolean {
  return (SONG_TASKS as readonly string[]).includes(taskTypeOf(task));
}

function isClipTask(taskType: string): taskType is ClipTaskType {
  return (CLIP_TASKS as readonly string[]).includes(taskType);
}

/** The render a stems, WAV or MP4 task stands for; its content holds exactly its clip. */
export function postSongJob(task: SimulatedTask<TaskContent>): PostSongJob | undefined {
  const song = asSongTask(task);
  const clip = song?.content.clips[0];
  if (!song || !clip) return undefined;
  switch (taskTypeOf(task)) {
    case 'gen_stem_two':
      return { kind: 'stems', separation: 'vocals', clip, instrumental: song.content.instrumental };
    case 'gen_stem_all':
      return { kind: 'stems', separation: 'multitrack', clip, instrumental: song.content.instrumental };
    case 'wav':
      return { kind: 'wav', clip };
    case 'mp4':
    case 'video':
      return { kind: 'video', clip };
    case 'cover_image':
      // Cover art is seeded by the clip it is for.
      return { kind: 'cover-art', sourceTaskId: clip.id };
    default:
      return undefined;
  }
}

/** The info route's answer for the task at a stage; undefined for a task this dialect cannot read. */
export async function infoAt(context: SimulatorContext, task: SimulatedTask<TaskContent>, stage: StageName | undefined) {
  const { media, mediaUrl, options } = context;
  const taskType = taskTypeOf(task);
  if (taskType === 'lyrics') {
    const lyrics = asLyricsTask(task);
    return lyrics && lyricsInfo(lyrics, stage === 'complete');
  }
  if (taskType === 'enhance_tags') {
    const expanded = asLyricsTask(task)?.content.variants[0]?.text;
    if (expanded === undefined) return undefined;
    return stage === 'complete' ? taskInfo(task, taskType, 'succeeded', '', { tags: expanded }) : taskInfo(task, taskType, 'pending', '', null);
  }
  const song = asSongTask(task);
  if (!song) return undefined;
  if (isSongTask(task)) return songInfo(song, taskType, await songProgressAt(song.content, stage, media, mediaUrl));
  const clip = song.content.clips[0];
  if (!clip) return undefined;
  if (stage !== 'complete') return taskInfo(task, taskType, 'pending', '', null);
  if (taskType === 'persona') {
    const name = requestText(task.request, 'name') ?? '';
    return taskInfo(task, taskType, 'succeeded', '', personaResult(task, clip.id, name, requestText(task.request, 'description') ?? ''));
  }
  if (taskType === 'timeline') {
    // Words are spread over the clip's length (a transformed clip's own), so every word lies inside it.
    const seconds = await media.secondsOf(clip).catch(() => options.clipSeconds);
    return taskInfo(task, taskType, 'succeeded', '', timelineResult(wordTimings(clip.lyrics, seconds)));
  }
  if (taskType === 'custom_model') {
    // The trained model's id, in the family's `chirp-custom:<uuid>` form, seeded by the task.
    const name = requestText(task.request, 'name') ?? '';
    return taskInfo(task, taskType, 'succeeded', '', { modelId: `chirp-custom:${task.id}`, name });
  }
  if (taskType === 'downbeats') {
    const seconds = await media.secondsOf(clip);
    return taskInfo(task, taskType, 'succeeded', '', { downbeats: downbeatSeconds(clip.id, seconds) });
  }
  const job = postSongJob(task);
  if (!job || !(isClipTask(taskType) || taskType === 'video')) return undefined;
  try {
    const made = await renderPostSong(job, media, mediaUrl);
    if (made.kind === 'stems') {
      const image = await media.imageFor(clip.id);
      return taskInfo(task, taskType, 'succeeded', '', stemsResult(song, clip, mediaUrl(image.name), made));
    }
    if (made.kind === 'wav') return taskInfo(task, taskType, 'succeeded', '', wavResult(clip.id, made));
    if (made.kind === 'video' && taskType === 'video') {
      return taskInfo(task, taskType, 'succeeded', '', { videoUrl: made.url, duration: made.durationSeconds });
    }
    if (made.kind === 'video') return taskInfo(task, taskType, 'succeeded', '', videoResult(clip.id, made));
    return taskInfo(task, taskType, 'succeeded', '', { imageUrls: made.imageUrls });
  } catch (error) {
    return taskInfo(task, taskType, 'failed', `render failed: ${error instanceof Error ? error.message : String(error)}`, null);
  }
}
