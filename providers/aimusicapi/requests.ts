// What we send to aimusicapi.org, validated strictly: `POST /api/submit` in inspiration mode (a
// description) or custom mode (our lyrics, title and style tags), and `GET /api/query?workId=`.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { SongRequest } from '../model';
import { parseOrThrow } from '../wire';

/** Inspiration mode: the provider writes lyrics, title and style from the description. */
export const inspirationBody = z.strictObject({
  gpt_description_prompt: z.string().min(1),
  make_instrumental: z.boolean(),
  model: z.string().min(1),
});

/** Custom mode: our lyrics (`prompt`), title and style tags. */
export const customBody = z.strictObject({
  prompt: z.string().min(1),
  title: z.string().min(1),
  tags: z.string().min(1),
  make_instrumental: z.boolean(),
  model: z.string().min(1),
});

/** `model` is already resolved (the provider's own name, `latest` replaced by its newest). */
export function songCall(song: SongRequest, model: string): HttpCall {
  // Custom mode requires lyrics here, so an instrumental is always described, never customized.
  const body =
    song.lyrics && !song.instrumental
      ? parseOrThrow(
          customBody,
          { prompt: song.lyrics, title: song.title ?? 'Untitled', tags: song.style ?? song.prompt, make_instrumental: false, model },
          'aimusicapi custom-mode request',
        )
      : parseOrThrow(inspirationBody, { gpt_description_prompt: song.prompt, make_instrumental: song.instrumental, model }, 'aimusicapi inspiration-mode request');
  return { method: 'POST', path: '/api/submit', body };
}

export function queryCall(workId: string): HttpCall {
  return { method: 'GET', path: `/api/query?workId=${encodeURIComponent(workId)}` };
}
