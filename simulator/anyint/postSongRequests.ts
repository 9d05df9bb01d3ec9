// Request bodies of the AnyInt routes that work on a finished song, checked the way the family
// documents them. As for songs, messages read "<field>: <problem>" so the client learns what to fix.

import { z } from 'zod';
import { callbackUrl, OBJECT_BODY, optionalText, requiredText } from './requests';

/** Every post-song route names its source the same way: the song task and one of its clips. */
const sourceClip = { taskId: requiredText(), audioId: requiredText() };

export const SEPARATION_TYPES = ['separate_vocal', 'split_stem'] as const;

export const vocalRemovalRequest = z.object(
  {
    ...sourceClip,
    callBackUrl: callbackUrl(),
    type: z.enum(SEPARATION_TYPES, { error: `must be one of ${SEPARATION_TYPES.join(', ')}` }).optional(),
  },
  OBJECT_BODY,
);

/** /suno/split-stem: multitrack stems, like vocal-removal with type split_stem. */
export const splitStemRequest = z.object({ ...sourceClip, callBackUrl: callbackUrl() }, OBJECT_BODY);

export const wavRequest = z.object({ ...sourceClip, callBackUrl: callbackUrl() }, OBJECT_BODY);

export const mp4Request = z.object(
  {
    ...sourceClip,
    callBackUrl: callbackUrl(),
    author: optionalText().refine((value) => value === undefined || value.length <= 50, 'must be at most 50 characters'),
    domainName: optionalText().refine((value) => value === undefined || value.length <= 50, 'must be at most 50 characters'),
  },
  OBJECT_BODY,
);

/** Cover art is made for a whole song task, not for one clip. */
export const coverRequest = z.object({ taskId: requiredText(), callBackUrl: callbackUrl() }, OBJECT_BODY);

const seconds = () => z.number({ error: 'must be a number of seconds' }).nonnegative('must not be negative').optional();

export const personaRequest = z
  .object(
    {
      ...sourceClip,
      name: requiredText(),
      description: requiredText(),
      style: optionalText(),
      vocalStart: seconds(),
      vocalEnd: seconds(),
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    // The family analyses a 10 to 30 second stretch of the voice (0 to 30 s unless told).
    const length = (body.vocalEnd ?? 30) - (body.vocalStart ?? 0);
    if (body.vocalStart !== undefined || body.vocalEnd !== undefined) {
      if (length < 10 || length > 30) {
        context.addIssue({ code: 'custom', path: ['vocalEnd'], message: 'vocalEnd - vocalStart must be between 10 and 30 seconds' });
      }
    }
  });

/** Answered at once, so no callback URL. */
export const timestampedLyricsRequest = z.object(sourceClip, OBJECT_BODY);
