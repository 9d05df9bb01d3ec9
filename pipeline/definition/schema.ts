// The pipeline definition as a user writes it (YAML or JSON), checked field by field with zod. How
// steps relate to each other (references, cycles, what each kind needs) is checked in graph.ts and
// against the provider in check.ts, so that every error is reported in one pass.
import { z } from 'zod';
import { PROVIDER_NAMES, STEP_KINDS, VARIATIONS } from '../../providers/model';

export const PIPELINE_LIMITS = {
  steps: 32,
  nameChars: 64,
  promptChars: 3000,
  styleChars: 1000,
  titleChars: 100,
  /** Custom-mode lyrics: the providers accept at most 5000 characters. */
  lyricsChars: 5000,
  concurrency: 16,
  /** A sound effect is short: the CQT page allows up to 30 s. */
  soundSeconds: 30,
  /** An inspiration takes 1 to 4 reference songs (AceData's `audio_urls`). */
  inspirationReferences: 4,
  /** A custom model is trained on at least 6 songs (the Suno family's minimum). */
  customModelClips: 6,
  /** No song is longer than this; a continue-at or a section past it is a typo. */
  songSeconds: 8 * 60,
} as const;

const text = (max: number) => z.string().trim().min(1).max(max);

/** Step names become ids and folder names: plain words. */
export const STEP_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const stepName = z.string().regex(STEP_NAME, 'must be 1-40 lowercase letters, digits or dashes, starting with a letter');

const seconds = z.number().finite().nonnegative().max(PIPELINE_LIMITS.songSeconds);
const weight = z.number().finite().min(0).max(1);

const clipChoice = z.union([z.enum(['first', 'longest', 'review']), z.number().int().min(1).max(2)]);

export const stepSchema = z.strictObject({
  kind: z.enum(STEP_KINDS),
  clip: stepName.optional(),
  clips: z.array(stepName).min(1).max(8).optional(),
  /** `upload:<file>` for the user's own audio (relative to the definition's folder), or a step name. */
  audio: text(1000).optional(),
  lyricsFrom: stepName.optional(),
  personaFrom: stepName.optional(),
  styleFrom: stepName.optional(),
  prompt: text(PIPELINE_LIMITS.promptChars).optional(),
  lyrics: text(PIPELINE_LIMITS.lyricsChars).optional(),
  lyricsFile: text(1000).optional(),
  style: text(PIPELINE_LIMITS.styleChars).optional(),
  negativeStyle: text(PIPELINE_LIMITS.styleChars).optional(),
  title: text(PIPELINE_LIMITS.titleChars).optional(),
  model: text(100).optional(),
  instrumental: z.boolean().optional(),
  persona: text(200).optional(),
  /** inspiration: the id of a playlist of reference songs the provider keeps (CQT). */
  playlist: text(200).optional(),
  continueAt: seconds.optional(),
  section: z.strictObject({ start: seconds, end: seconds }).optional(),
  seconds: z.number().finite().min(1).max(PIPELINE_LIMITS.soundSeconds).optional(),
  weights: z.strictObject({ weirdness: weight.optional(), style: weight.optional(), audio: weight.optional() }).optional(),
  vocalGender: z.enum(['male', 'female']).optional(),
  variation: z.enum(VARIATIONS).optional(),
  name: text(100).optional(),
  description: text(500).optional(),
  choose: clipChoice.optional(),
});
export type StepDefinition = z.infer<typeof stepSchema>;

export const pipelineSchema = z.strictObject({
  name: z.string().regex(STEP_NAME, 'must be 1-40 lowercase letters, digits or dashes, starting with a letter'),
  description: text(1000).optional(),
  provider: z.enum(PROVIDER_NAMES).optional(),
  /** The model every step uses unless it names its own. */
  model: text(100).optional(),
  concurrency: z.number().int().min(1).max(PIPELINE_LIMITS.concurrency).optional(),
  /** The steps whose files are kept; default: every step. */
  keep: z.array(stepName).min(1).optional(),
  /**
   * The step whose clip is the definition's finished audio (what an album puts on the record); it
   * must make audio and be kept. Default: the last kept step, in run order, that makes audio.
   */
  final: stepName.optional(),
  steps: z.record(stepName, stepSchema).refine((steps) => Object.keys(steps).length >= 1, 'must define at least one step').refine((steps) => Object.keys(steps).length <= PIPELINE_LIMITS.steps, `must define at most ${PIPELINE_LIMITS.steps} steps`),
});
export type PipelineDefinition = z.infer<typeof pipelineSchema>;

/** Field names a typo is compared against (`continueat` → continueAt). */
export const KNOWN_FIELDS = [...Object.keys(pipelineSchema.shape), ...Object.keys(stepSchema.shape), 'start', 'end', 'weirdness', 'audio'];

/** The prefix that marks the user's own audio file in `audio:`. */
export const UPLOAD_PREFIX = 'upload:';
