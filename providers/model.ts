// The canonical model every provider dialect is normalized into.
// Workflows, activities, the callback endpoint and the CLI speak only these types;
// the dialect modules in this folder translate to and from each provider's wire format.

export const STEP_KINDS = [
  'lyrics',
  'song',
  'extend',
  'persona',
  'stems',
  'all-stems',
  'wav',
  'mp4',
  'cover-art',
  'timestamped-lyrics',
  'style',
  'upload',
  'cover',
  'upload-cover',
  'upload-extend',
  'add-vocals',
  'add-instrumental',
  'replace-section',
  'concat',
  'mashup',
  'sample',
  'sound-effect',
  'remaster',
  'vox',
  'reuse-style',
  'video',
  'downbeats',
  'inspiration',
  'crop',
  'custom-model',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const PROVIDER_NAMES = ['anyint', 'aimusicapi', 'newapi', 'acedata', 'cqt'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Task state normalized from every dialect. */
export type TaskState = 'queued' | 'running' | 'partial' | 'succeeded' | 'failed';

export const TERMINAL_STATES: readonly TaskState[] = ['succeeded', 'failed'];

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** One generated clip (a generation returns two). */
export interface Clip {
  id: string;
  title?: string;
  audioUrl?: string;
  streamAudioUrl?: string;
  imageUrl?: string;
  durationSeconds?: number;
  tags?: string;
  /** The lyrics the clip was sung with, when the provider returns them. */
  lyrics?: string;
}

/** One lyrics variant (a lyrics task may return several). */
export interface LyricsVariant {
  title?: string;
  text: string;
}

/** A word (or line) of sung lyrics with its time in the song. */
export interface AlignedWord {
  word: string;
  startSeconds: number;
  endSeconds: number;
}

/** One separated track: 'vocals', 'instrumental', or an instrument name for all-stems. */
export interface StemFile {
  name: string;
  url: string;
}

/** Results of the steps that work on a finished clip; each step fills its own field. */
export interface StepOutputs {
  /** persona */
  personaId?: string;
  /** stems, all-stems */
  stems?: StemFile[];
  /** wav */
  wavUrl?: string;
  /** mp4 */
  videoUrl?: string;
  /** cover-art: one or more images, best first */
  imageUrls?: string[];
  /** timestamped-lyrics */
  alignedWords?: AlignedWord[];
  /** style: the expanded style text */
  style?: string;
  /** downbeats: seconds from the start of the clip */
  downbeats?: number[];
  /** custom-model: the trained model's id, for the `model` of later songs */
  modelId?: string;
}

/** What a query (or a callback body) says about one provider task. */
export interface TaskSnapshot {
  taskId: string;
  state: TaskState;
  /** The provider's own status word, kept for the UI and for errors. */
  providerStatus: string;
  clips: Clip[];
  lyrics: LyricsVariant[];
  /** Results of post-song steps (persona, stems, wav, mp4, cover art, timestamped lyrics). */
  outputs?: StepOutputs;
  /** Set when state is 'failed'. */
  failure?: { reason: string; retryable: boolean };
}

/** Input of the lyrics step. */
export interface LyricsRequest {
  prompt: string;
}

/** Input of the song step. With `lyrics` the song is made in custom mode. */
export interface SongRequest {
  prompt: string;
  title?: string;
  style?: string;
  lyrics?: string;
  instrumental: boolean;
  model?: string;
  personaId?: string;
  /** Styles the song should avoid. */
  negativeStyle?: string;
  vocalGender?: VocalGender;
  /** How far a v5 generation may stray from the prompt. */
  variation?: Variation;
  /** Suno's advanced sliders, each 0 to 1. */
  weights?: Weights;
}

export type VocalGender = 'male' | 'female';
export const VARIATIONS = ['high', 'normal', 'subtle'] as const;
export type Variation = (typeof VARIATIONS)[number];

/** Suno's advanced sliders, each from 0 to 1. */
export interface Weights {
  /** More experimental output. */
  weirdness?: number;
  /** Closer to the given style. */
  style?: number;
  /** More reliance on the reference audio (covers). */
  audio?: number;
}

/** A finished clip that a later step works on. */
export interface ClipRef {
  /** The song task that made the clip. */
  taskId: string;
  clipId: string;
  /** The clip's audio, for dialects that take a URL rather than ids. */
  audioUrl?: string;
  durationSeconds?: number;
  title?: string;
}

export interface PersonaRequest {
  source: ClipRef;
  name: string;
  description: string;
}

/** A span of a clip, in seconds from its start. */
export interface Section {
  start: number;
  end: number;
}

/**
 * The transforms: steps that make new audio from earlier audio (or, for sound effects, from a prompt).
 * One request shape serves them all; each kind uses the fields its description names, and each dialect
 * declares which fields it can take (`ProviderAdapter.transformFields`), so that a field it cannot
 * take is refused before anything is submitted.
 */
export const TRANSFORM_STEPS = [
  'extend',
  'upload',
  'cover',
  'upload-cover',
  'upload-extend',
  'add-vocals',
  'add-instrumental',
  'replace-section',
  'concat',
  'mashup',
  'sample',
  'sound-effect',
  'remaster',
  'vox',
  'reuse-style',
  'inspiration',
  'crop',
] as const;
export type TransformKind = (typeof TRANSFORM_STEPS)[number];

/**
 * - extend {source, continueAt, prompt or lyrics, style, title}: continue the clip from continueAt;
 *   the result is the new part (or the whole song, where the dialect joins it);
 * - upload {audioUrl}: make the user's own audio a provider clip that other steps can use;
 * - cover {source, style, lyrics, weights.audio}: the same song in another style;
 * - upload-cover, upload-extend {audioUrl, ...}: cover or extend the user's own audio;
 * - add-vocals {source or audioUrl, lyrics or prompt, section}: sing over an instrumental;
 * - add-instrumental {source or audioUrl, style, section}: accompany a vocal;
 * - replace-section {source, section, lyrics or prompt}: redo one span, same length;
 * - concat {sources}: join clips (an extension with its song) into one track;
 * - mashup {sources: two clips}: blend two songs;
 * - sample {source or audioUrl, section, prompt}: a new song from a snippet;
 * - sound-effect {prompt, seconds}: a sound, not a song;
 * - remaster {source}: the same song, cleaner;
 * - vox {source or personaId, prompt or lyrics}: a new song in a persona's voice (VOX mode);
 * - reuse-style {source, lyrics}: the clip's style with new lyrics;
 * - inspiration {sources and/or audioUrl (1 to 4 references) or playlistId, prompt, style}: a new
 *   song in the manner of reference songs (Suno's "Inspo"): AceData takes the references' URLs,
 *   CQT a playlist id of the provider's own;
 * - crop {source, section}: the section of the clip alone (Audio Editing), as long as the section.
 */
export interface TransformRequest {
  /** The clips worked on: one for most kinds, two or more for concat and mashup. */
  sources?: ClipRef[];
  /** The user's own audio, at a URL the provider can fetch. */
  audioUrl?: string;
  prompt?: string;
  lyrics?: string;
  style?: string;
  negativeStyle?: string;
  title?: string;
  model?: string;
  instrumental?: boolean;
  /** Seconds into the source where an extension starts. */
  continueAt?: number;
  section?: Section;
  /** Length of a sound effect. */
  seconds?: number;
  weights?: Weights;
  vocalGender?: VocalGender;
  personaId?: string;
  /** inspiration: a playlist of reference songs kept by the provider (CQT). */
  playlistId?: string;
}

/** The fields of a transform request, as named in refusals (`weights.audio`, `section`). */
export const TRANSFORM_FIELDS = [
  'sources',
  'audioUrl',
  'prompt',
  'lyrics',
  'style',
  'negativeStyle',
  'title',
  'model',
  'instrumental',
  'continueAt',
  'section',
  'seconds',
  'weights.weirdness',
  'weights.style',
  'weights.audio',
  'vocalGender',
  'personaId',
  'playlistId',
] as const;
export type TransformField = (typeof TRANSFORM_FIELDS)[number];

/** Steps that take a finished clip and nothing else. */
export const CLIP_STEPS = ['stems', 'all-stems', 'wav', 'mp4', 'cover-art', 'timestamped-lyrics'] as const;
export type ClipStepKind = (typeof CLIP_STEPS)[number];

/**
 * Input of the custom-model step: the clips a style model is trained on, and its name. Not a
 * media-making task: it yields a model id (`StepOutputs.modelId`) that later songs name as `model`.
 */
export interface CustomModelRequest {
  sources: ClipRef[];
  name: string;
}

export type StepRequest =
  | { kind: 'lyrics'; lyrics: LyricsRequest }
  | { kind: 'song'; song: SongRequest }
  | { kind: 'persona'; persona: PersonaRequest }
  | { kind: ClipStepKind; source: ClipRef }
  | { kind: 'style'; style: { prompt: string } }
  | { kind: 'video'; source: ClipRef; prompt?: string }
  | { kind: 'downbeats'; source: ClipRef }
  | { kind: 'custom-model'; customModel: CustomModelRequest }
  | { kind: TransformKind; transform: TransformRequest };

/** The stage a callback reports; a hint only, never a result. */
export type CallbackStage = 'text' | 'first' | 'complete' | 'error';

export interface CallbackHint {
  taskId: string;
  stage: CallbackStage;
}
