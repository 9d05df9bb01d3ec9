// What a simulated task produces, independent of any dialect's wire format. Dialects translate
// their requests into these inputs and these results into their responses.

import type { AudioSpec } from './clipAudio';
import { clipIdFor, seededRandom } from './deterministic';
import { generateLyrics, generateTitle, themeWords, type GeneratedLyrics } from './lyricsText';
import type { SimulatedTask } from './taskStore';

export const CLIPS_PER_GENERATION = 2;
export const LYRICS_VARIANTS = 2;

export interface SongInput {
  /** Simple mode: a description to invent lyrics, title and style from. */
  description?: string;
  /** Custom mode: the lyrics to sing. */
  lyrics?: string;
  title?: string;
  style?: string;
  instrumental: boolean;
  model: string;
}

export interface SongClip {
  id: string;
  title: string;
  tags: string;
  /** Empty for instrumentals. */
  lyrics: string;
  /** How the clip sounds when it is made from other audio (a transform); absent: a fresh tune. */
  audio?: AudioSpec;
}

export interface SongContent {
  kind: 'song';
  model: string;
  instrumental: boolean;
  clips: SongClip[];
}

export interface LyricsContent {
  kind: 'lyrics';
  variants: GeneratedLyrics[];
}

export type TaskContent = SongContent | LyricsContent;

const GENRES = ['pop', 'indie rock', 'synthwave', 'folk', 'lo-fi hip hop', 'soul', 'electronic', 'acoustic'];
const MOODS = ['upbeat', 'dreamy', 'melancholic', 'energetic', 'warm', 'nostalgic', 'uplifting'];
const VOICES = ['female vocal', 'male vocal', 'duet'];

function inventTags(taskId: string, description: string, instrumental: boolean): string {
  const random = seededRandom(taskId, 'tags');
  const tags = [random.pick(GENRES), random.pick(MOODS), ...themeWords(description).slice(0, 1)];
  if (!instrumental) tags.push(random.pick(VOICES));
  return tags.join(', ');
}

export function songContent(taskId: string, input: SongInput): SongContent {
  // Both clips of one generation share the text stage's result (title, lyrics, style), as the
  // family's do; only the audio differs.
  const description = input.description ?? '';
  const title = input.title ?? generateTitle(description, taskId);
  const tags = input.style ?? inventTags(taskId, description, input.instrumental);
  const lyrics = input.instrumental ? '' : (input.lyrics ?? generateLyrics(description, taskId).text);
  const clips = Array.from({ length: CLIPS_PER_GENERATION }, (_, index) => ({
    id: clipIdFor(taskId, index),
    title,
    tags,
    lyrics,
  }));
  return { kind: 'song', model: input.model, instrumental: input.instrumental, clips };
}

export function lyricsContent(taskId: string, prompt: string): LyricsContent {
  const variants = Array.from({ length: LYRICS_VARIANTS }, (_, index) => generateLyrics(prompt, `${taskId}:${index}`));
  return { kind: 'lyrics', variants };
}

/**
 * The content of a task that works on finished clips (persona, stems, WAV, video, cover art,
 * timestamped lyrics): a copy of the source song's content narrowed to those clips, so the task
 * carries everything it needs (ids, lyrics, instrumental or not) even without its source.
 *
 * It is song content on purpose: the state journal keeps song and lyrics content, and nothing
 * else would survive a restart. What such a task makes follows from the route and request its
 * dialect saved with it, so a dialect tells these tasks from songs by route, never by content.
 */
export function workOnClips(source: SongContent, clipIds: readonly string[]): SongContent {
  return { ...source, clips: source.clips.filter((clip) => clipIds.includes(clip.id)) };
}

export function clipOf(content: SongContent, clipId: string): SongClip | undefined {
  return content.clips.find((clip) => clip.id === clipId);
}

// The store holds every kind of task; each query route narrows to the kind it serves and treats
// any other id as unknown, so a client that polls the wrong route gets "task not found".
// Tasks that work on clips hold song content too (see workOnClips): check the route as well.
export function asSongTask(task: SimulatedTask<TaskContent>): SimulatedTask<SongContent> | undefined {
  return task.content.kind === 'song' ? (task as SimulatedTask<SongContent>) : undefined;
}

export function asLyricsTask(task: SimulatedTask<TaskContent>): SimulatedTask<LyricsContent> | undefined {
  return task.content.kind === 'lyrics' ? (task as SimulatedTask<LyricsContent>) : undefined;
}
