// Request bodies the CQTAI single-endpoint dialect accepts. Every capability is one POST whose
// `task` field picks it; each task has its own fields, checked as CQTAI's pages describe them.
// Messages read "<field>: <problem>".

import { z } from 'zod';
import { isPresent, OBJECT_BODY, optionalBoolean, optionalText, requiredText } from '../dialects';

/** Models the document names for creation capabilities, newest first. */
export const MODELS = ['v55', 'v50', 'v45+', 'v45', 'v40'] as const;
export type CqtModel = (typeof MODELS)[number];

/** Task values the vendor documents; the simulator performs SIMULATED_TASKS of them. */
export const DOCUMENTED_TASKS = [
  'create',
  'extend',
  'cover',
  'upload_extend',
  'upload_cover',
  'replace_section',
  'gen_stem_two',
  'gen_stem_all',
  'lyrics',
  'mp4',
  'wav',
  'timeline',
  'downbeats',
  'persona',
] as const;

/** Tasks that make new clips. */
export const SONG_TASKS = ['create', 'extend', 'cover'] as const;
/** Tasks that work on one finished clip, named by clipId alone. */
export const CLIP_TASKS = ['gen_stem_two', 'gen_stem_all', 'mp4', 'wav', 'timeline'] as const;
export const SIMULATED_TASKS = [...SONG_TASKS, 'lyrics', ...CLIP_TASKS, 'persona'] as const;
export type SimulatedTaskType = (typeof SIMULATED_TASKS)[number];
export type ClipTaskType = (typeof CLIP_TASKS)[number];

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
      continueAt: z.number({ error: 'must be a number of seconds' }).nonnegative('must not be negative').optional(),
      ...songFields,
    },
    OBJECT_BODY,
  )
  .superRefine((body, context) => {
    if (body.customMode && !body.makeInstrumental && !isPresent(body.prompt)) {
      context.addIssue({ code: 'custom', path: ['prompt'], message: 'is required in custom mode unless makeInstrumental' });
    }
  });

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
