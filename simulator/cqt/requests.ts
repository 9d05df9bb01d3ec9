// Request bodies the CQTAI single-endpoint dialect accepts. Every capability is one POST whose
// `task` field picks it; each task has its own fields, checked as CQTAI's pages describe them.
// Messages read "<field>: <problem>".

import { z } from 'zod';
import { isPresent, OBJECT_BODY, optionalBoolean, optionalText, requiredText } from '../dialects';

/** Models the document names for creation capabilities, newest first. */
export const MODELS = ['v55', 'v50', 'v45+', 'v45', 'v40'] as const;
export type CqtModel = (typeof MODELS)[number];

/** Tasks that make new clips; other tasks may work on their clips. */
export const SONG_TASKS = [
  'create',
  'extend',
  'cover',
  'upload_extend',
  'upload_cover',
  'reuse_style',
  'replace_section',
  'add_instrumental',
  'add_vocals',
  'mashup',
  'sample',
  'sound_effect',
  'remaster',
  'upload',
  'merge',
  'crop',
  'inspiration',
] as const;

/** Task values the vendor documents (docs/transforms-wire.md lists their fields): the song tasks and the tools. */
export const DOCUMENTED_TASKS = [
  ...SONG_TASKS,
  'cover_image',
  'video',
  'enhance_tags',
  'gen_stem_two',
  'gen_stem_all',
  'lyrics',
  'mp4',
  'wav',
  'timeline',
  'downbeats',
  'persona',
  'custom_model',
] as const;

/** Tasks that work on one finished clip, named by clipId alone. */
export const CLIP_TASKS = ['gen_stem_two', 'gen_stem_all', 'mp4', 'wav', 'timeline', 'cover_image', 'downbeats'] as const;
export const SIMULATED_TASKS = [...SONG_TASKS, 'lyrics', 'enhance_tags', 'video', ...CLIP_TASKS, 'persona', 'custom_model'] as const;
export type SimulatedTaskType = (typeof SIMULATED_TASKS)[number];
export type ClipTaskType = (typeof CLIP_TASKS)[number];

const seconds = () =>
  z.number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number of seconds') }).nonnegative('must not be negative');

const weight = () =>
  z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional();

const model = () =>
  z.enum(MODELS, { error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${MODELS.join(', ')}`) });

/** Only `task` is read first, so an unsimulated task is refused by name rather than by its fields. */
export const taskField = z.object(
  {
    task: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).refine(
      (value) => (DOCUMENTED_TASKS as readonly string[]).includes(value),
      `must be one of ${DOCUMENTED_TASKS.join(', ')}`,
    ),
  },
  OBJECT_BODY,
);

/** The creative fields every clip-making task shares. */
const songFields = {
  model: model(),
  customMode: optionalBoolean(),
  makeInstrumental: optionalBoolean(),
  // Simple mode: a description. Custom mode: the lyrics.
  prompt: optionalText(),
  tags: optionalText(),
  negativeTags: optionalText(),
  title: optionalText(),
  vocalGender: z.enum(['m', 'f'], { error: "must be 'm' or 'f'" }).optional(),
  styleWeight: weight(),
  weirdnessConstraint: weight(),
  audioWeight: weight(),
  personaId: optionalText(),
};

export const createRequest = z
  .object({ task: z.literal('create'), ...songFields }, OBJECT_BODY)
  .superRefine((body, context) => {
    const missing = (field: string, why: string) => context.addIssue({ code: 'custom', path: [field], message: `is required ${why}` });
    if (body.customMode) {
      if (!body.makeInstrumental && !isPresent(body.prompt)) missing('prompt', 'in custom mode unless makeInstrumental');
      if (!isPresent(body.tags)) missing('tags', 'in custom mode');
      if (!isPresent(body.title)) missing('title', 'in custom mode');
    } else if (!isPresent(body.prompt)) {
      missing('prompt', 'in simple mode');
    }
  });

/** extend and cover work on an existing clip, whose title and tags they keep unless told. */
export const remakeRequest = z
  .object(
    {
      task: z.enum(['extend', 'cover']),
      clipId: requiredText(),
      continueAt: seconds().optional(),
      ...songFields,
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    if (body.task === 'extend' && body.continueAt === undefined) {
      context.addIssue({ code: 'custom', path: ['continueAt'], message: 'is required for extend' });
    }
    customLyrics(body, context);
  });

/** Custom mode sings the prompt: it is needed unless the song is instrumental. */
function customLyrics(body: { customMode?: boolean; makeInstrumental?: boolean; prompt?: string }, context: z.RefinementCtx): void {
  if (body.customMode && !body.makeInstrumental && !isPresent(body.prompt)) {
    context.addIssue({ code: 'custom', path: ['prompt'], message: 'is required in custom mode unless makeInstrumental' });
  }
}

/** The user's audio: only http(s) URLs can be fetched. */
const audioUrl = () =>
  requiredText().refine((value) => {
    if (!URL.canParse(value)) return false;
    const protocol = new URL(value).protocol;
    return protocol === 'http:' || protocol === 'https:';
  }, 'must be an http(s) URL');

/** upload_extend and upload_cover work on the user's audio. */
export const uploadRemakeRequest = z
  .object(
    { task: z.enum(['upload_extend', 'upload_cover']), audioUrl: audioUrl(), continueAt: seconds().optional(), ...songFields },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    if (body.task === 'upload_extend' && body.continueAt === undefined) {
      context.addIssue({ code: 'custom', path: ['continueAt'], message: 'is required for upload_extend' });
    }
    customLyrics(body, context);
  });
export type UploadRemakeRequest = z.infer<typeof uploadRemakeRequest>;

export const reuseStyleRequest = z.object(
  { task: z.literal('reuse_style'), clipId: requiredText(), prompt: requiredText(), title: optionalText(), model: model().optional() },
  OBJECT_BODY,
);

/** A section of the source: its end after its start. */
function sectionOrder(body: { infillStartS?: number; infillEndS?: number }, context: z.RefinementCtx): void {
  if (body.infillStartS !== undefined && body.infillEndS !== undefined && body.infillEndS <= body.infillStartS) {
    context.addIssue({ code: 'custom', path: ['infillEndS'], message: 'must be after infillStartS' });
  }
}

export const replaceSectionRequest = z
  .object(
    {
      task: z.literal('replace_section'),
      clipId: requiredText(),
      infillStartS: seconds(),
      infillEndS: seconds(),
      prompt: requiredText(),
      tags: optionalText(),
      title: optionalText(),
    },
    OBJECT_BODY,
  )
  .superRefine(sectionOrder);

/** add_instrumental and add_vocals: a clip or the user's audio (exactly one), optionally a section of it. */
export const layerRequest = z
  .object(
    {
      task: z.enum(['add_instrumental', 'add_vocals']),
      clipId: optionalText(),
      audioUrl: audioUrl().optional(),
      infillStartS: seconds().optional(),
      infillEndS: seconds().optional(),
      prompt: optionalText(),
      tags: optionalText(),
      title: optionalText(),
      model: model().optional(),
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    oneSource(body, context);
    if (body.task === 'add_vocals' && !isPresent(body.prompt)) {
      context.addIssue({ code: 'custom', path: ['prompt'], message: 'is required for add_vocals (the lyrics to sing)' });
    }
    sectionOrder(body, context);
  });
export type LayerRequest = z.infer<typeof layerRequest>;

function oneSource(body: { clipId?: string; audioUrl?: string }, context: z.RefinementCtx): void {
  if (isPresent(body.clipId) === (body.audioUrl !== undefined)) {
    context.addIssue({ code: 'custom', path: ['clipId'], message: 'give exactly one of clipId and audioUrl' });
  }
}

export const mashupRequest = z
  .object(
    {
      task: z.literal('mashup'),
      clipIds: z
        .array(requiredText(), { error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array of clip ids') })
        .length(2, 'must name exactly 2 clips'),
      ...songFields,
    },
    OBJECT_BODY,
  )
  .superRefine(customLyrics);
export type MashupRequest = z.infer<typeof mashupRequest>;

export const sampleRequest = z
  .object(
    {
      task: z.literal('sample'),
      clipId: optionalText(),
      audioUrl: audioUrl().optional(),
      sampleStartS: seconds().optional(),
      sampleEndS: seconds().optional(),
      ...songFields,
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    oneSource(body, context);
    if (body.sampleStartS !== undefined && body.sampleEndS !== undefined && body.sampleEndS <= body.sampleStartS) {
      context.addIssue({ code: 'custom', path: ['sampleEndS'], message: 'must be after sampleStartS' });
    }
    customLyrics(body, context);
  });
export type SampleRequest = z.infer<typeof sampleRequest>;

/** The vendor's limit on a sound effect's length. */
export const SOUND_EFFECT_SECONDS = { min: 1, max: 30 } as const;

export const soundEffectRequest = z.object(
  {
    task: z.literal('sound_effect'),
    prompt: requiredText(),
    durationS: z
      .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number of seconds') })
      .min(SOUND_EFFECT_SECONDS.min, `must be between ${SOUND_EFFECT_SECONDS.min} and ${SOUND_EFFECT_SECONDS.max}`)
      .max(SOUND_EFFECT_SECONDS.max, `must be between ${SOUND_EFFECT_SECONDS.min} and ${SOUND_EFFECT_SECONDS.max}`),
  },
  OBJECT_BODY,
);

export const remasterRequest = z.object({ task: z.literal('remaster'), clipId: requiredText(), model: model().optional() }, OBJECT_BODY);

export const uploadRequest = z.object({ task: z.literal('upload'), audioUrl: audioUrl() }, OBJECT_BODY);

export const mergeRequest = z.object(
  {
    task: z.literal('merge'),
    clipIds: z
      .array(requiredText(), { error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array of clip ids') })
      .min(2, 'must name at least 2 clips'),
  },
  OBJECT_BODY,
);

/** Audio Editing: keep [cropStartS, cropEndS) of a finished clip. */
export const cropRequest = z
  .object({ task: z.literal('crop'), clipId: requiredText(), cropStartS: seconds(), cropEndS: seconds(), title: optionalText() }, OBJECT_BODY)
  .superRefine((body, context) => {
    if (body.cropEndS <= body.cropStartS) context.addIssue({ code: 'custom', path: ['cropEndS'], message: 'must be after cropStartS' });
  });

/** A new song from an inspiration playlist (the page: model and playlistId required). */
export const inspirationRequest = z.object(
  {
    task: z.literal('inspiration'),
    model: model(),
    playlistId: requiredText(),
    prompt: optionalText(),
    styleWeight: weight(),
    audioWeight: weight(),
    weirdnessConstraint: weight(),
    personaId: optionalText(),
    artistClipId: optionalText(),
  },
  OBJECT_BODY,
);

/** The Suno family trains a custom model on at least 6 songs. */
export const CUSTOM_MODEL_MIN_CLIPS = 6;

export const customModelRequest = z.object(
  {
    task: z.literal('custom_model'),
    clipIds: z
      .array(requiredText(), { error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array of clip ids') })
      .min(CUSTOM_MODEL_MIN_CLIPS, `must name at least ${CUSTOM_MODEL_MIN_CLIPS} clips`),
    name: requiredText(),
  },
  OBJECT_BODY,
);

export const videoRequest = z.object({ task: z.literal('video'), clipId: requiredText(), prompt: optionalText() }, OBJECT_BODY);

export const enhanceTagsRequest = z.object({ task: z.literal('enhance_tags'), tags: requiredText() }, OBJECT_BODY);

export type CreateRequest = z.infer<typeof createRequest>;
export type RemakeRequest = z.infer<typeof remakeRequest>;

export const lyricsRequest = z.object({ task: z.literal('lyrics'), prompt: requiredText() }, OBJECT_BODY);
export type LyricsRequest = z.infer<typeof lyricsRequest>;

export const clipTaskRequest = z.object({ task: z.enum(CLIP_TASKS), clipId: requiredText() }, OBJECT_BODY);

export const personaRequest = z.object(
  { task: z.literal('persona'), clipId: requiredText(), name: requiredText(), description: optionalText() },
  OBJECT_BODY,
);
export type PersonaRequest = z.infer<typeof personaRequest>;

export const infoQuery = z.object({ id: requiredText() }, OBJECT_BODY);
