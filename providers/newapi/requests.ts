// What we send to the NewAPI relay, validated strictly: songs on `POST /suno/submit/music`, lyrics on
// `POST /suno/submit/lyrics`, batched reads on `POST /suno/fetch`.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { SongRequest, StepKind } from '../model';
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

export const fetchBody = z.strictObject({
  ids: z.array(z.string().min(1)).min(1),
  action: z.enum(['MUSIC', 'LYRICS']),
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

export function actionOf(kind: StepKind): 'MUSIC' | 'LYRICS' {
  return kind === 'lyrics' ? 'LYRICS' : 'MUSIC';
}

export function queryCall(taskId: string): HttpCall {
  return { method: 'GET', path: `/suno/fetch/${encodeURIComponent(taskId)}` };
}

export function batchQueryCall(kind: StepKind, taskIds: string[]): HttpCall {
  return { method: 'POST', path: '/suno/fetch', body: parseOrThrow(fetchBody, { ids: taskIds, action: actionOf(kind) }, 'newapi batch query request') };
}
