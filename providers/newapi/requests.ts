// What we send to the NewAPI relay, validated strictly: songs and continuations on
// `POST /suno/submit/music`, lyrics on `POST /suno/submit/lyrics`, uploads on
// `POST /suno/uploads/audio-url`, concatenation on `POST /suno/submit/concat`, batched reads on
// `POST /suno/fetch`.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { ClipRef, SongRequest, StepKind, TransformRequest } from '../model';
import { parseOrThrow, dropUndefined } from '../wire';

export const musicBody = z
  .strictObject({
    gpt_description_prompt: z.string().min(1).optional(),
    prompt: z.string().min(1).optional(),
    title: z.string().min(1).optional(),
    tags: z.string().min(1).optional(),
    mv: z.string().min(1),
    make_instrumental: z.boolean(),
    notify_hook: z.url().optional(),
  })
  .refine((b) => (b.gpt_description_prompt === undefined) !== (b.prompt === undefined), {
    message: 'send either gpt_description_prompt (inspiration mode) or prompt with title and tags (custom mode)',
    path: ['prompt'],
  })
  .refine((b) => b.prompt === undefined || (b.title !== undefined && b.tags !== undefined), {
    message: 'custom mode needs title and tags',
    path: ['tags'],
  });

export const lyricsBody = z.strictObject({
  prompt: z.string().min(1),
  notify_hook: z.url().optional(),
});

/** A continuation: the music route with the song's task, the clip and the second to continue from. */
export const extendBody = z.strictObject({
  task_id: z.string().min(1),
  continue_at: z.number().min(0),
  continue_clip_id: z.string().min(1),
  mv: z.string().min(1),
  prompt: z.string().min(1).optional(),
  tags: z.string().min(1).optional(),
  title: z.string().min(1).optional(),
  make_instrumental: z.boolean().optional(),
  notify_hook: z.url().optional(),
});

export const uploadBody = z.strictObject({ url: z.url() });

export const concatBody = z.strictObject({
  clip_id: z.string().min(1),
  is_infill: z.boolean().optional(),
});

/**
 * `action` is optional in the seed. Songs, extensions and lyrics name theirs; uploads and
 * concatenations are read without one, since the relay's action word for them is not documented and
 * a wrong one would hide the task.
 */
export const fetchBody = z.strictObject({
  ids: z.array(z.string().min(1)).min(1),
  action: z.enum(['MUSIC', 'LYRICS']).optional(),
});

/** Custom mode needs lyrics, title and tags; an instrumental is always described. */
export function songCall(song: SongRequest, mv: string, callbackUrl: string | undefined): HttpCall {
  const body =
    song.lyrics && !song.instrumental
      ? { prompt: song.lyrics, title: song.title ?? 'Untitled', tags: song.style ?? song.prompt, mv, make_instrumental: false, notify_hook: callbackUrl }
      : { gpt_description_prompt: song.prompt, mv, make_instrumental: song.instrumental, notify_hook: callbackUrl };
  return { method: 'POST', path: '/suno/submit/music', body: parseOrThrow(musicBody, dropUndefined(body), 'newapi music request') };
}

export function lyricsCall(prompt: string, callbackUrl: string | undefined): HttpCall {
  return {
    method: 'POST',
    path: '/suno/submit/lyrics',
    body: parseOrThrow(lyricsBody, dropUndefined({ prompt, notify_hook: callbackUrl }), 'newapi lyrics request'),
  };
}

export function actionOf(kind: StepKind): 'MUSIC' | 'LYRICS' | undefined {
  if (kind === 'lyrics') return 'LYRICS';
  return kind === 'upload' || kind === 'concat' ? undefined : 'MUSIC';
}

// ---- Transforms: validated on the canonical request first, so a refusal names our own field ----

function oneSource(kind: string, sources: ClipRef[] | undefined): ClipRef {
  if (!sources || sources.length === 0) throw new Error(`${kind}: sources: one clip is required`);
  if (sources.length > 1) throw new Error(`${kind}: sources: takes one clip, got ${sources.length}`);
  const source = sources[0]!;
  if (!source.clipId) throw new Error(`${kind}: sources[0].clipId: required`);
  return source;
}

/**
 * Continues `sources[0]` from `continueAt` (the clip's end when not given). Our lyrics are the
 * relay's `prompt`; a description (`prompt`) has no place in a continuation and is refused up front.
 */
export function extendCall(t: TransformRequest, mv: string, callbackUrl: string | undefined): HttpCall {
  const source = oneSource('extend', t.sources);
  if (!source.taskId) throw new Error('extend: sources[0].taskId: required (the relay continues a clip of its own task)');
  const continueAt = t.continueAt ?? source.durationSeconds;
  if (continueAt === undefined) throw new Error('extend: continueAt: required (the source clip has no known duration)');
  if (!Number.isFinite(continueAt) || continueAt < 0) throw new Error(`extend: continueAt: must be 0 or more seconds, got ${continueAt}`);
  if (source.durationSeconds !== undefined && continueAt > source.durationSeconds) {
    throw new Error(`extend: continueAt: ${continueAt} s is past the end of the source clip (${source.durationSeconds} s)`);
  }
  const body = {
    task_id: source.taskId,
    continue_at: continueAt,
    continue_clip_id: source.clipId,
    mv,
    prompt: t.lyrics,
    tags: t.style,
    title: t.title,
    make_instrumental: t.instrumental,
    notify_hook: callbackUrl,
  };
  return { method: 'POST', path: '/suno/submit/music', body: parseOrThrow(extendBody, dropUndefined(body), 'newapi extend request') };
}

export function uploadCall(t: TransformRequest): HttpCall {
  if (!t.audioUrl) throw new Error('upload: audioUrl: required');
  return { method: 'POST', path: '/suno/uploads/audio-url', body: parseOrThrow(uploadBody, { url: t.audioUrl }, 'newapi upload request') };
}

/** The relay follows the chain of continuations back from the last clip, so only the last is sent. */
export function concatCall(t: TransformRequest): HttpCall {
  const sources = t.sources ?? [];
  if (sources.length === 0) throw new Error('concat: sources: at least one clip is required (the last extension)');
  const last = sources[sources.length - 1]!;
  if (!last.clipId) throw new Error(`concat: sources[${sources.length - 1}].clipId: required`);
  return { method: 'POST', path: '/suno/submit/concat', body: parseOrThrow(concatBody, { clip_id: last.clipId }, 'newapi concat request') };
}

export function queryCall(taskId: string): HttpCall {
  return { method: 'GET', path: `/suno/fetch/${encodeURIComponent(taskId)}` };
}

export function batchQueryCall(kind: StepKind, taskIds: string[]): HttpCall {
  return { method: 'POST', path: '/suno/fetch', body: parseOrThrow(fetchBody, dropUndefined({ ids: taskIds, action: actionOf(kind) }), 'newapi batch query request') };
}
