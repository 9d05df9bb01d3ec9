// What we send to AceData Cloud, validated strictly: songs and stem separation go to the one
// `POST /suno/audios` route with an `action`; lyrics, persona, WAV, MP4 and word timings have their
// own routes; tasks are read back with `POST /suno/tasks`.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { ClipRef, SongRequest } from '../model';
import { parseOrThrow, dropUndefined } from '../wire';

/** The `action` values of /suno/audios this adapter sends. */
export const AUDIO_ACTIONS = ['generate', 'artist_consistency', 'stems', 'all_stems'] as const;

export const audiosBody = z.strictObject({
  action: z.enum(AUDIO_ACTIONS),
  model: z.string().min(1).optional(),
  // The seed limits the inspiration prompt to 200 characters.
  prompt: z.string().min(1).max(200).optional(),
  custom: z.boolean().optional(),
  instrumental: z.boolean().optional(),
  lyric: z.string().min(1).optional(),
  title: z.string().min(1).optional(),
  style: z.string().min(1).optional(),
  persona_id: z.string().min(1).optional(),
  audio_id: z.string().min(1).optional(),
  callback_url: z.url().optional(),
  // Without it the request would stay open for the whole generation (minutes).
  async: z.literal(true),
});

export const lyricsBody = z.strictObject({ prompt: z.string().min(1) });

export const personaBody = z.strictObject({
  audio_id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().min(1).optional(),
});

export const wavBody = z.strictObject({
  audio_id: z.string().min(1),
  callback_url: z.url().optional(),
  async: z.literal(true),
});

/** MP4 and timing answer at once and take nothing but the clip. */
export const clipOnlyBody = z.strictObject({ audio_id: z.string().min(1) });

export const retrieveBody = z.strictObject({ id: z.string().min(1), action: z.literal('retrieve') });
export const retrieveBatchBody = z.strictObject({ ids: z.array(z.string().min(1)).min(1), action: z.literal('retrieve_batch') });

const INSPIRATION_PROMPT_MAX = 200;

/**
 * Custom mode when we bring lyrics, inspiration mode otherwise. An instrumental is described rather
 * than customized: this API refuses custom mode without lyrics. A persona song uses the
 * `artist_consistency` action.
 */
export function songCall(song: SongRequest, model: string, callbackUrl: string | undefined): HttpCall {
  const common = {
    action: song.personaId ? ('artist_consistency' as const) : ('generate' as const),
    model,
    persona_id: song.personaId,
    callback_url: callbackUrl,
    async: true as const,
  };
  const body =
    song.lyrics && !song.instrumental
      ? { ...common, custom: true, instrumental: false, lyric: song.lyrics, title: song.title ?? 'Untitled', style: song.style }
      : { ...common, custom: false, instrumental: song.instrumental, prompt: song.prompt.slice(0, INSPIRATION_PROMPT_MAX) };
  return { method: 'POST', path: '/suno/audios', body: parseOrThrow(audiosBody, dropUndefined(body), 'acedata song request') };
}

export function stemsCall(action: 'stems' | 'all_stems', source: ClipRef, callbackUrl: string | undefined): HttpCall {
  const body = dropUndefined({ action, audio_id: source.clipId, callback_url: callbackUrl, async: true as const });
  return { method: 'POST', path: '/suno/audios', body: parseOrThrow(audiosBody, body, `acedata ${action} request`) };
}

export function lyricsCall(prompt: string): HttpCall {
  return { method: 'POST', path: '/suno/lyrics', body: parseOrThrow(lyricsBody, { prompt }, 'acedata lyrics request') };
}

export function personaCall(source: ClipRef, name: string, description: string): HttpCall {
  const body = dropUndefined({ audio_id: source.clipId, name, description: description || undefined });
  return { method: 'POST', path: '/suno/persona', body: parseOrThrow(personaBody, body, 'acedata persona request') };
}

export function wavCall(source: ClipRef, callbackUrl: string | undefined): HttpCall {
  const body = dropUndefined({ audio_id: source.clipId, callback_url: callbackUrl, async: true as const });
  return { method: 'POST', path: '/suno/wav', body: parseOrThrow(wavBody, body, 'acedata wav request') };
}

export function clipOnlyCall(route: '/suno/mp4' | '/suno/timing', source: ClipRef): HttpCall {
  return { method: 'POST', path: route, body: parseOrThrow(clipOnlyBody, { audio_id: source.clipId }, `acedata ${route} request`) };
}

export function retrieveCall(taskId: string): HttpCall {
  return { method: 'POST', path: '/suno/tasks', body: parseOrThrow(retrieveBody, { id: taskId, action: 'retrieve' }, 'acedata task query') };
}

export function retrieveBatchCall(taskIds: string[]): HttpCall {
  return { method: 'POST', path: '/suno/tasks', body: parseOrThrow(retrieveBatchBody, { ids: taskIds, action: 'retrieve_batch' }, 'acedata batch task query') };
}
