// What each AceData task is and what it answers at a stage. A task's kind is read back from the
// route and request it was saved with (both journaled), never from its content: songs, stems and
// WAV exports all hold song content, so tasks restored after a restart answer like fresh ones.

import {
  audiosAnswer,
  uploadAnswer,
  failedAnswer,
  lyricsAnswer,
  personaAnswer,
  stemsAnswer,
  timingAnswer,
  videoAnswer,
  wavAnswer,
  type RecordType,
} from './results';
import type { SimulatorContext } from '../context';
import { renderPostSong, type PostSongJob } from '../derivedMedia';
import { requestText } from '../dialects';
import { songProgressAt } from '../songProgress';
import { asLyricsTask, asSongTask, type TaskContent } from '../taskContent';
import type { SimulatedTask, StageName } from '../taskStore';
import { wordTimings } from '../wordTimings';

export const DIALECT = 'acedata';
export const AUDIOS_ROUTE = 'POST /suno/audios';
export const LYRICS_ROUTE = 'POST /suno/lyrics';
export const WAV_ROUTE = 'POST /suno/wav';
export const MP4_ROUTE = 'POST /suno/mp4';
export const TIMING_ROUTE = 'POST /suno/timing';
export const PERSONA_ROUTE = 'POST /suno/persona';
/** AceData's upload guide: the user's audio by URL becomes a clip (its audio_id) at once. */
export const UPLOAD_ROUTE = 'POST /suno/upload';

/** Audio actions that make new clips (artist_consistency sings with a persona); other tasks may work on them. */
const SONG_ACTIONS = [
  'generate',
  'artist_consistency',
  'artist_consistency_vox',
  'extend',
  'concat',
  'cover',
  'upload_cover',
  'upload_extend',
  'replace_section',
  'underpainting',
  'overpainting',
  'samples',
  'remaster',
  'mashup',
  'inspo',
];

export type AcedataKind = 'song' | 'upload' | 'stems' | 'lyrics' | 'wav' | 'mp4' | 'timing' | 'persona';

const RECORD_TYPES: Record<AcedataKind, RecordType> = {
  song: 'audios',
  upload: 'audios',
  stems: 'audios',
  lyrics: 'lyrics',
  wav: 'wav',
  mp4: 'mp4',
  timing: 'timing',
  persona: 'persona',
};

export function kindOf(task: SimulatedTask<TaskContent>): AcedataKind | undefined {
  switch (task.route) {
    case AUDIOS_ROUTE: {
      const action = requestText(task.request, 'action') ?? 'generate';
      if (action === 'stems' || action === 'all_stems') return 'stems';
      return SONG_ACTIONS.includes(action) ? 'song' : undefined;
    }
    case LYRICS_ROUTE:
      return 'lyrics';
    case WAV_ROUTE:
      return 'wav';
    case MP4_ROUTE:
      return 'mp4';
    case TIMING_ROUTE:
      return 'timing';
    case PERSONA_ROUTE:
      return 'persona';
    case UPLOAD_ROUTE:
      return 'upload';
    default:
      return undefined;
  }
}

export function recordTypeOf(task: SimulatedTask<TaskContent>): RecordType | undefined {
  const kind = kindOf(task);
  return kind && RECORD_TYPES[kind];
}

/** Songs (generated, sung with a persona or extended) are what every other task works on. */
export function isSongTask(task: SimulatedTask<TaskContent>): boolean {
  const kind = kindOf(task);
  return kind === 'song' || kind === 'upload';
}

/** The render a stems, WAV or MP4 task stands for; its content holds exactly the clip it works on. */
export function postSongJob(task: SimulatedTask<TaskContent>): PostSongJob | undefined {
  const song = asSongTask(task);
  const clip = song?.content.clips[0];
  if (!song || !clip) return undefined;
  const kind = kindOf(task);
  if (kind === 'wav') return { kind: 'wav', clip };
  if (kind === 'mp4') return { kind: 'video', clip };
  if (kind !== 'stems') return undefined;
  const separation = requestText(task.request, 'action') === 'all_stems' ? 'multitrack' : 'vocals';
  return { kind: 'stems', separation, clip, instrumental: song.content.instrumental };
}

/**
 * The answer the task gives at a stage (the submit's own answer, each NDJSON line, the callback
 * body and the `response` of its record); undefined while it has nothing to show yet.
 */
export async function answerAt(context: SimulatorContext, task: SimulatedTask<TaskContent>, stage: StageName | undefined) {
  const { media, mediaUrl, options } = context;
  const kind = kindOf(task);
  if (kind === 'persona') return personaAnswer(task);
  if (kind === 'lyrics') {
    const lyrics = asLyricsTask(task);
    return lyrics && stage === 'complete' ? lyricsAnswer(lyrics) : undefined;
  }
  const song = asSongTask(task);
  if (!song) return undefined;
  if (kind === 'song') {
    if (stage === undefined) return undefined;
    return audiosAnswer(song, await songProgressAt(song.content, stage, media, mediaUrl));
  }
  if (kind === 'upload') {
    if (stage !== 'complete') return undefined;
    const progress = await songProgressAt(song.content, stage, media, mediaUrl);
    return progress.failure ? audiosAnswer(song, progress) : uploadAnswer(song, progress);
  }
  if (kind === 'timing') {
    const clip = song.content.clips[0];
    // Words are spread over the clip's length (a transformed clip's own), so every word lies inside it.
    if (!clip) return undefined;
    const seconds = await media.secondsOf(clip).catch(() => options.clipSeconds);
    return timingAnswer(task, wordTimings(clip.lyrics, seconds));
  }
  const job = postSongJob(task);
  if (!job || stage !== 'complete') return undefined;
  try {
    const made = await renderPostSong(job, media, mediaUrl);
    if (made.kind === 'wav') return wavAnswer(task, made);
    if (made.kind === 'video') return videoAnswer(task, made);
    if (made.kind === 'stems' && job.kind === 'stems') {
      const image = await media.imageFor(job.clip.id);
      return stemsAnswer(song, job.clip, mediaUrl(image.name), made);
    }
    return failedAnswer(task, `internal error: made ${made.kind} for a ${kind} task`);
  } catch (error) {
    return failedAnswer(task, `render failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
