// What each step kind reads and which parameters it takes. A definition that gives a step an input it
// cannot use, or leaves out one it needs, is refused before anything starts: a silently ignored
// `continueAt` on a cover would pay for a result the user did not ask for.
import type { StepKind } from '../../providers/model';
import { PIPELINE_LIMITS } from './schema';

/** The input fields of a step in a definition, and what each must name. */
export const INPUT_FIELDS = ['clip', 'clips', 'audio', 'lyricsFrom', 'personaFrom', 'styleFrom'] as const;
export type InputField = (typeof INPUT_FIELDS)[number];

export const PARAM_FIELDS = [
  'prompt',
  'lyrics',
  'lyricsFile',
  'style',
  'negativeStyle',
  'title',
  'model',
  'instrumental',
  'persona',
  'playlist',
  'continueAt',
  'section',
  'seconds',
  'weights',
  'vocalGender',
  'variation',
  'name',
  'description',
] as const;
export type ParamField = (typeof PARAM_FIELDS)[number];

export interface StepRule {
  /** Exactly one of these groups of inputs must be given (an empty group: no input needed). */
  needs: InputField[][];
  /** Inputs the step may also read. */
  mayRead: InputField[];
  /** Parameters the step takes; `required` must be given. */
  params: ParamField[];
  required?: ParamField[];
  /** The step yields clips, so later steps can name it as a `clip`. */
  yieldsClips: boolean;
  /** `clips` must list exactly this many steps (mashup: two). */
  clipCount?: { min: number; max: number };
  /** At least one of these inputs or parameters must be given (inspiration: references or a playlist). */
  needsOneOf?: (InputField | ParamField)[];
}

const SONG_PARAMS: ParamField[] = ['prompt', 'lyrics', 'lyricsFile', 'style', 'negativeStyle', 'title', 'model', 'instrumental', 'persona', 'weights', 'vocalGender', 'variation'];
const REMAKE_PARAMS: ParamField[] = ['prompt', 'lyrics', 'lyricsFile', 'style', 'negativeStyle', 'title', 'model', 'instrumental', 'weights', 'vocalGender', 'persona'];
const ONE_CLIP: InputField[][] = [['clip']];
const CLIP_OR_AUDIO: InputField[][] = [['clip'], ['audio']];

const clipExport = (): StepRule => ({ needs: ONE_CLIP, mayRead: [], params: [], yieldsClips: false });

export const STEP_RULES: Readonly<Record<StepKind, StepRule>> = {
  lyrics: { needs: [[]], mayRead: [], params: ['prompt'], required: ['prompt'], yieldsClips: false },
  song: { needs: [[]], mayRead: ['lyricsFrom', 'personaFrom', 'styleFrom'], params: SONG_PARAMS, yieldsClips: true },
  persona: { needs: ONE_CLIP, mayRead: [], params: ['name', 'description'], yieldsClips: false },
  stems: clipExport(),
  'all-stems': clipExport(),
  wav: clipExport(),
  mp4: clipExport(),
  'cover-art': clipExport(),
  'timestamped-lyrics': clipExport(),
  downbeats: clipExport(),
  video: { needs: ONE_CLIP, mayRead: [], params: ['prompt'], yieldsClips: false },
  style: { needs: [[]], mayRead: [], params: ['prompt'], required: ['prompt'], yieldsClips: false },
  extend: { needs: ONE_CLIP, mayRead: ['lyricsFrom', 'personaFrom', 'styleFrom'], params: [...REMAKE_PARAMS, 'continueAt'], required: ['continueAt'], yieldsClips: true },
  upload: { needs: [['audio']], mayRead: [], params: [], yieldsClips: true },
  cover: { needs: ONE_CLIP, mayRead: ['lyricsFrom', 'styleFrom'], params: REMAKE_PARAMS, yieldsClips: true },
  'upload-cover': { needs: [['audio']], mayRead: ['lyricsFrom', 'styleFrom'], params: REMAKE_PARAMS, yieldsClips: true },
  'upload-extend': { needs: [['audio']], mayRead: ['lyricsFrom', 'styleFrom'], params: [...REMAKE_PARAMS, 'continueAt'], required: ['continueAt'], yieldsClips: true },
  'add-vocals': { needs: CLIP_OR_AUDIO, mayRead: ['lyricsFrom', 'styleFrom'], params: [...REMAKE_PARAMS, 'section'], yieldsClips: true },
  'add-instrumental': { needs: CLIP_OR_AUDIO, mayRead: ['styleFrom'], params: ['style', 'negativeStyle', 'title', 'model', 'weights', 'vocalGender', 'section'], yieldsClips: true },
  'replace-section': { needs: ONE_CLIP, mayRead: ['lyricsFrom', 'styleFrom'], params: ['prompt', 'lyrics', 'lyricsFile', 'style', 'negativeStyle', 'title', 'section'], required: ['section'], yieldsClips: true },
  concat: { needs: [['clips'], ['clip']], mayRead: [], params: [], yieldsClips: true, clipCount: { min: 2, max: 8 } },
  mashup: { needs: [['clips']], mayRead: [], params: ['prompt', 'style', 'title', 'model'], yieldsClips: true, clipCount: { min: 2, max: 2 } },
  sample: { needs: CLIP_OR_AUDIO, mayRead: ['styleFrom'], params: [...REMAKE_PARAMS, 'section'], yieldsClips: true },
  'sound-effect': { needs: [[]], mayRead: [], params: ['prompt', 'seconds'], required: ['prompt', 'seconds'], yieldsClips: true },
  remaster: { needs: ONE_CLIP, mayRead: [], params: ['model'], yieldsClips: true },
  vox: { needs: [['clip'], ['personaFrom'], []], mayRead: ['lyricsFrom', 'styleFrom'], params: [...REMAKE_PARAMS], yieldsClips: true },
  'reuse-style': { needs: ONE_CLIP, mayRead: ['lyricsFrom'], params: ['prompt', 'lyrics', 'lyricsFile', 'title', 'model'], yieldsClips: true },
  // References are earlier steps' clips and/or the user's audio (AceData), or a provider playlist (CQT).
  inspiration: {
    needs: [[]],
    mayRead: ['clips', 'audio', 'lyricsFrom', 'styleFrom', 'personaFrom'],
    params: ['prompt', 'lyrics', 'lyricsFile', 'style', 'title', 'model', 'instrumental', 'weights', 'persona', 'playlist'],
    yieldsClips: true,
    clipCount: { min: 1, max: PIPELINE_LIMITS.inspirationReferences },
    needsOneOf: ['clips', 'audio', 'playlist'],
  },
  crop: { needs: ONE_CLIP, mayRead: [], params: ['section', 'title'], required: ['section'], yieldsClips: true },
  // Not a media step: it trains a model on the clips and yields the model's id (in pipeline.json).
  'custom-model': { needs: [['clips']], mayRead: [], params: ['name'], required: ['name'], yieldsClips: false, clipCount: { min: PIPELINE_LIMITS.customModelClips, max: 8 } },
};

/** What a reference field must name: a step that yields clips, or a step of one kind. */
export function referenceKindProblem(field: InputField, targetKind: StepKind): string | undefined {
  switch (field) {
    case 'clip':
    case 'clips':
    case 'audio':
      return STEP_RULES[targetKind].yieldsClips ? undefined : `must name a step that makes audio (a ${targetKind} step does not)`;
    case 'lyricsFrom':
      return targetKind === 'lyrics' ? undefined : `must name a lyrics step (not ${targetKind})`;
    case 'personaFrom':
      return targetKind === 'persona' ? undefined : `must name a persona step (not ${targetKind})`;
    case 'styleFrom':
      return targetKind === 'style' ? undefined : `must name a style step (not ${targetKind})`;
  }
}
