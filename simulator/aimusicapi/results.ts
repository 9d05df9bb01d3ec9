// aimusicapi.org wire shapes: `{code, message, workId}` on submit, `{code, message, data}` on
// query, with `data.type` for the work and a `status` per clip.
//
// The service reports `data.type: "SUCCESS"` as soon as the first clip is done, while the second is
// still streaming (see the DESIGN's provider facts). The simulator reproduces that window, from the
// 'first' stage to 'complete', so a client that trusts `type` alone downloads an unfinished clip.

import type { ClipProgress, SongProgress } from '../songProgress';
import type { SongContent } from '../taskContent';
import type { SimulatedTask } from '../taskStore';

export type WorkType = 'IN_PROGRESS' | 'SUCCESS' | 'FAILED';
export type ClipStatus = 'pending' | 'streaming' | 'complete' | 'error';

export function submitAnswer(workId: string) {
  return { code: 200, message: 'success', workId };
}

export function errorAnswer(code: number, message: string) {
  return { code, message };
}

function workType(progress: SongProgress): WorkType {
  if (progress.failure) return 'FAILED';
  return progress.stage === 'first' || progress.stage === 'complete' ? 'SUCCESS' : 'IN_PROGRESS';
}

function clipStatus(clip: ClipProgress, progress: SongProgress): ClipStatus {
  if (progress.failure) return 'error';
  if (clip.audio) return 'complete';
  // Once one clip is out, the other is audibly on its way; before that both wait.
  return progress.stage === 'first' ? 'streaming' : 'pending';
}

/** The answer to GET /api/query?workId=. */
export function queryAnswer(task: SimulatedTask<SongContent>, progress: SongProgress) {
  const createdAt = task.submittedAt.toISOString();
  const responseData = progress.clips.map((clip) => ({
    // Not in the document's field list, but clients need a stable name for each clip's files.
    clip_id: clip.clip.id,
    // Unfinished fields are empty strings, as the family sends at early stages.
    audio_url: clip.audio?.url ?? '',
    image_url: clip.imageUrl ?? '',
    // One cover size is rendered; the large link is the same picture.
    image_large_url: clip.imageUrl ?? '',
    video_url: '',
    created_at: createdAt,
    status: clipStatus(clip, progress),
    title: clip.clip.title,
    prompt: clip.clip.lyrics,
    tags: clip.clip.tags,
    ...(clip.audio ? { duration: clip.audio.durationSeconds } : {}),
  }));
  return {
    code: 200,
    message: 'success',
    data: {
      type: workType(progress),
      request_body: task.request,
      response_data: responseData,
      created_at: createdAt,
      ...(progress.failure ? { error_message: progress.failure } : {}),
    },
  };
}
