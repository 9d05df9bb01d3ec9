// Request bodies the NewAPI relay's "Suno Music Format" accepts, as its document describes them.
// One music route covers inspiration mode, custom mode and continuation; which one a body means
// follows from the fields it sends. Messages read "<field>: <problem>".

import { z } from 'zod';
import { isPresent, OBJECT_BODY, optionalBoolean, optionalHttpUrl, optionalNumber, optionalText, requiredText } from '../dialects';

export const musicRequest = z
  .object(
    {
      prompt: optionalText(),
      mv: optionalText(),
      title: optionalText(),
      tags: optionalText(),
      make_instrumental: optionalBoolean(),
      gpt_description_prompt: optionalText(),
      notify_hook: optionalHttpUrl(),
      // Continuation: all three together.
      task_id: optionalText(),
      continue_at: optionalNumber(),
      continue_clip_id: optionalText(),
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    const missing = (field: string, why: string) => context.addIssue({ code: 'custom', path: [field], message: `is required ${why}` });
    const continuing = isPresent(body.task_id) || body.continue_at !== undefined || isPresent(body.continue_clip_id);
    if (continuing) {
      if (!isPresent(body.task_id)) missing('task_id', 'when continuing');
      if (body.continue_at === undefined) missing('continue_at', 'when continuing');
      else if (body.continue_at < 0) context.addIssue({ code: 'custom', path: ['continue_at'], message: 'must not be negative' });
      if (!isPresent(body.continue_clip_id)) missing('continue_clip_id', 'when continuing');
      return;
    }
    if (isPresent(body.gpt_description_prompt)) return;
    if (![body.prompt, body.title, body.tags].some(isPresent)) {
      missing('gpt_description_prompt', 'in inspiration mode (or send prompt, title and tags for custom mode)');
      return;
    }
    if (!isPresent(body.prompt) && !body.make_instrumental) missing('prompt', 'in custom mode');
    if (!isPresent(body.title)) missing('title', 'in custom mode');
    if (!isPresent(body.tags)) missing('tags', 'in custom mode');
  });
export type MusicRequest = z.infer<typeof musicRequest>;

/** Upload: the relay fetches the user's file from `url`; only http(s) URLs can be fetched. */
export const uploadRequest = z.object(
  {
    url: requiredText().refine((value) => {
      if (!URL.canParse(value)) return false;
      const protocol = new URL(value).protocol;
      return protocol === 'http:' || protocol === 'https:';
    }, 'must be an http(s) URL'),
  },
  OBJECT_BODY,
);

/** Concatenation: the last clip of a chain of extensions, joined back to the first song. */
export const concatRequest = z.object({ clip_id: requiredText(), is_infill: optionalBoolean() }, OBJECT_BODY);

export const lyricsRequest = z.object({ prompt: requiredText(), notify_hook: optionalHttpUrl() }, OBJECT_BODY);
export type LyricsRequest = z.infer<typeof lyricsRequest>;

export const ACTIONS = ['MUSIC', 'LYRICS'] as const;
export type Action = (typeof ACTIONS)[number];

export const batchFetchRequest = z.object(
  {
    ids: z.array(requiredText(), { error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array of task ids') }),
    action: z.enum(ACTIONS, { error: 'must be MUSIC or LYRICS' }).optional(),
  },
  OBJECT_BODY,
);
