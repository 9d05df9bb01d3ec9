// Request bodies the AceData Cloud dialect accepts: one audio route whose `action` picks the
// operation, a lyrics route and a task-reading route, checked as the document describes them.
// Messages read "<field>: <problem>".

import { z } from 'zod';
import { isPresent, OBJECT_BODY, optionalBoolean, optionalHttpUrl, optionalNumber, optionalText, requiredText } from '../dialects';

/** Every action the document lists; the simulator performs SIMULATED_ACTIONS of them. */
export const DOCUMENTED_ACTIONS = [
  'generate',
  'extend',
  'concat',
  'cover',
  'upload_cover',
  'upload_extend',
  'artist_consistency',
  'artist_consistency_vox',
  'stems',
  'all_stems',
  'replace_section',
  'underpainting',
  'overpainting',
  'samples',
  'remaster',
  'mashup',
  'inspo',
] as const;

export const SIMULATED_ACTIONS = ['generate', 'artist_consistency', 'extend', 'stems', 'all_stems'] as const;
export type SimulatedAction = (typeof SIMULATED_ACTIONS)[number];

/** The document's limit on `prompt`. */
export const PROMPT_LIMIT = 200;

export const audiosRequest = z
  .object(
    {
      action: z.enum(DOCUMENTED_ACTIONS, { error: `must be one of ${DOCUMENTED_ACTIONS.join(', ')}` }).optional(),
      prompt: optionalText(),
      lyric_prompt: optionalText(),
      lyric: optionalText(),
      custom: optionalBoolean(),
      instrumental: optionalBoolean(),
      title: optionalText(),
      style: optionalText(),
      style_negative: optionalText(),
      model: optionalText(),
      vocal_gender: z.enum(['m', 'f'], { error: "must be 'm' or 'f'" }).optional(),
      persona_id: optionalText(),
      audio_id: optionalText(),
      continue_at: optionalNumber(),
      callback_url: optionalHttpUrl(),
      async: optionalBoolean(),
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    const problem = (field: string, message: string) => context.addIssue({ code: 'custom', path: [field], message });
    if (body.prompt !== undefined && body.prompt.length > PROMPT_LIMIT) {
      problem('prompt', `must be at most ${PROMPT_LIMIT} characters, got ${body.prompt.length}`);
    }
    const action = body.action ?? 'generate';
    if (action === 'extend' || action === 'stems' || action === 'all_stems' || action === 'concat') {
      if (!isPresent(body.audio_id)) problem('audio_id', `is required when action is ${action}`);
      if (body.continue_at !== undefined && body.continue_at < 0) problem('continue_at', 'must not be negative');
      return;
    }
    if (action === 'artist_consistency' && !isPresent(body.persona_id)) problem('persona_id', 'is required when action is artist_consistency');
    if (action !== 'generate' && action !== 'artist_consistency') return;
    if (body.custom) {
      if (!body.instrumental && !isPresent(body.lyric) && !isPresent(body.lyric_prompt)) {
        problem('lyric', 'is required in custom mode unless instrumental or lyric_prompt is given');
      }
    } else if (!isPresent(body.prompt)) {
      problem('prompt', 'is required unless custom is true');
    }
  });
export type AudiosRequest = z.infer<typeof audiosRequest>;

export const lyricsRequest = z.object(
  {
    prompt: requiredText(),
    model: z.enum(['default', 'remi-v1'], { error: "must be 'default' or 'remi-v1'" }).optional(),
    callback_url: optionalHttpUrl(),
    async: optionalBoolean(),
  },
  OBJECT_BODY,
);
export type LyricsRequest = z.infer<typeof lyricsRequest>;

export const wavRequest = z.object({ audio_id: requiredText(), callback_url: optionalHttpUrl() }, OBJECT_BODY);
export type WavRequest = z.infer<typeof wavRequest>;

/** MP4 export; like WAV, held open unless a callback_url is given. */
export const mp4Request = z.object({ audio_id: requiredText(), callback_url: optionalHttpUrl() }, OBJECT_BODY);

/** Word timings of a clip's lyrics, answered at once. */
export const timingRequest = z.object({ audio_id: requiredText() }, OBJECT_BODY);

export const personaRequest = z.object(
  {
    name: requiredText(),
    audio_id: requiredText(),
    description: optionalText(),
    vox_audio_id: optionalText(),
    vocal_start: optionalNumber(),
    vocal_end: optionalNumber(),
  },
  OBJECT_BODY,
);
export type PersonaRequest = z.infer<typeof personaRequest>;

export const tasksRequest = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('retrieve'), id: requiredText() }),
    z.object({
      action: z.literal('retrieve_batch'),
      ids: z.array(requiredText(), { error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array of task ids') }),
    }),
  ],
  { error: (issue) => (issue.input === undefined ? 'is required' : "must be 'retrieve' or 'retrieve_batch'") },
);
export type TasksRequest = z.infer<typeof tasksRequest>;
