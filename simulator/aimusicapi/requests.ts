// Request bodies the aimusicapi.org dialect accepts, as its document describes them: one submit
// route for both modes, told apart by which fields are sent. Messages read "<field>: <problem>".

import { z } from 'zod';
import { isPresent, OBJECT_BODY, optionalBoolean, optionalText, requiredText } from '../dialects';

export const submitRequest = z
  .object(
    {
      // Inspiration mode: Suno invents lyrics, title and tags from this description.
      gpt_description_prompt: optionalText(),
      // Custom mode: all three are required.
      prompt: optionalText(),
      title: optionalText(),
      tags: optionalText(),
      make_instrumental: optionalBoolean(),
      // The document marks it required while naming a default; requiring it keeps clients explicit.
      model: requiredText(),
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    if (isPresent(body.gpt_description_prompt)) return;
    const customFields = [body.prompt, body.title, body.tags];
    if (!customFields.some(isPresent)) {
      context.addIssue({
        code: 'custom',
        path: ['gpt_description_prompt'],
        message: 'is required in inspiration mode (or send prompt, title and tags for custom mode)',
      });
      return;
    }
    for (const field of ['prompt', 'title', 'tags'] as const) {
      if (!isPresent(body[field])) context.addIssue({ code: 'custom', path: [field], message: 'is required in custom mode' });
    }
  });
export type SubmitRequest = z.infer<typeof submitRequest>;

export const workQuery = z.object({ workId: requiredText() }, OBJECT_BODY);
