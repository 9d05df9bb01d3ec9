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

export const SIMULATED_ACTIONS = [
  'generate',
  'artist_consistency',
  'extend',
  'stems',
  'all_stems',
  'concat',
  'cover',
  'upload_cover',
  'upload_extend',
  'artist_consistency_vox',
  'replace_section',
  'underpainting',
  'overpainting',
  'samples',
  'remaster',
  'mashup',
  'inspo',
] as const;
export type SimulatedAction = (typeof SIMULATED_ACTIONS)[number];

/** The document: `audio_urls` holds 1 to 4 reference audios. */
export const INSPO_REFERENCES_MAX = 4;

/** The document's limit on `prompt`. */
export const PROMPT_LIMIT = 200;

const unit = () =>
  z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional();

const seconds = () => z.number({ error: 'must be a number of seconds' }).nonnegative('must not be negative').optional();

/** The user's audio: only http(s) URLs can be fetched. */
const audioUrl = () =>
  z
    .string({ error: 'must be a string' })
    .refine((value) => {
      if (!URL.canParse(value)) return false;
      const protocol = new URL(value).protocol;
      return protocol === 'http:' || protocol === 'https:';
    }, 'must be an http(s) URL')
    .optional();

/**
 * Actions that work on one clip named by audio_id. The document's body has no audio_url: the user's
 * audio is uploaded with /suno/upload first (AceData's upload guide) and named by the audio_id it got.
 */
const NEEDS_AUDIO_ID = [
  'extend',
  'stems',
  'all_stems',
  'concat',
  'cover',
  'replace_section',
  'remaster',
  'upload_cover',
  'upload_extend',
  'underpainting',
  'overpainting',
  'samples',
];
/** Each section-taking action's start and end fields. */
export const SECTION_FIELDS = {
  replace_section: ['replace_section_start', 'replace_section_end'],
  underpainting: ['underpainting_start', 'underpainting_end'],
  overpainting: ['overpainting_start', 'overpainting_end'],
  samples: ['samples_start', 'samples_end'],
} as const;

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
      variation_category: z.enum(['high', 'normal', 'subtle'], { error: "must be 'high', 'normal' or 'subtle'" }).optional(),
      weirdness: unit(),
      style_influence: unit(),
      audio_weight: unit(),
      persona_id: optionalText(),
      audio_id: optionalText(),
      audio_url: audioUrl(),
      mashup_audio_ids: z.array(requiredText(), { error: 'must be an array of audio ids' }).optional(),
      audio_urls: z.array(audioUrl().unwrap(), { error: 'must be an array of audio URLs' }).optional(),
      continue_at: optionalNumber(),
      replace_section_start: seconds(),
      replace_section_end: seconds(),
      underpainting_start: seconds(),
      underpainting_end: seconds(),
      overpainting_start: seconds(),
      overpainting_end: seconds(),
      samples_start: seconds(),
      samples_end: seconds(),
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
    if (body.continue_at !== undefined && body.continue_at < 0) problem('continue_at', 'must not be negative');
    if (body.variation_category !== undefined && !isV5OrLater(body.model)) {
      problem('variation_category', 'needs model v5 or later');
    }
    if (NEEDS_AUDIO_ID.includes(action) && !isPresent(body.audio_id)) problem('audio_id', `is required when action is ${action}`);
    if (body.audio_url !== undefined) problem('audio_url', 'is not a field of /suno/audios: upload the audio with /suno/upload and send its audio_id');
    if ((action === 'extend' || action === 'upload_extend') && body.continue_at === undefined) {
      problem('continue_at', `is required when action is ${action}`);
    }
    if (action === 'mashup' && body.mashup_audio_ids?.length !== 2) {
      problem('mashup_audio_ids', body.mashup_audio_ids === undefined ? 'is required when action is mashup' : 'must name exactly 2 audios');
    }
    if (action === 'inspo') {
      // The seed: 1 to 4 publicly accessible reference audios, mandatory for inspo.
      const count = body.audio_urls?.length;
      if (count === undefined) problem('audio_urls', 'is required when action is inspo');
      else if (count < 1 || count > INSPO_REFERENCES_MAX) problem('audio_urls', `must hold 1 to ${INSPO_REFERENCES_MAX} audio URLs, got ${count}`);
    } else if (body.audio_urls !== undefined) problem('audio_urls', `is taken only when action is inspo, not ${action}`);
    if (action === 'artist_consistency_vox' && !isPresent(body.persona_id) && !isPresent(body.audio_id)) {
      problem('persona_id', 'or audio_id is required when action is artist_consistency_vox');
    }
    if (action === 'replace_section') {
      if (body.replace_section_start === undefined) problem('replace_section_start', 'is required when action is replace_section');
      if (body.replace_section_end === undefined) problem('replace_section_end', 'is required when action is replace_section');
      if (!isPresent(body.lyric)) problem('lyric', 'is required when action is replace_section');
    }
    if (action in SECTION_FIELDS) {
      const [startField, endField] = SECTION_FIELDS[action as keyof typeof SECTION_FIELDS];
      const start = body[startField];
      const end = body[endField];
      if (start !== undefined && end !== undefined && end <= start) problem(endField, `must be after ${startField}`);
    }
    if (NEEDS_AUDIO_ID.includes(action) || action === 'mashup' || action === 'inspo') return;
    if (action === 'artist_consistency' && !isPresent(body.persona_id)) problem('persona_id', 'is required when action is artist_consistency');
    if (body.custom) {
      if (!body.instrumental && !isPresent(body.lyric) && !isPresent(body.lyric_prompt)) {
        problem('lyric', 'is required in custom mode unless instrumental or lyric_prompt is given');
      }
    } else if (!isPresent(body.prompt)) {
      problem('prompt', 'is required unless custom is true');
    }
  });

/** variation_category needs v5 or later ("chirp-v5", "chirp-v5-5", "v5"...); the default chirp-v4 is older. */
function isV5OrLater(model: string | undefined): boolean {
  const match = /v(\d+)/i.exec(model ?? 'chirp-v4');
  return match !== null && Number(match[1]) >= 5;
}
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

/** The upload route: a publicly reachable audio file by URL. */
export const uploadRequest = z.object({ audio_url: audioUrl().unwrap() }, OBJECT_BODY);

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
