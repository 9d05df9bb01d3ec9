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
  'upload-cover',
  'upload-extend',
  'add-vocals',
  'add-instrumental',
  'replace-section',
  'concat',
  'mashup',
  'remaster',
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

/** Steps that take a finished clip and nothing else. */
export const CLIP_STEPS = ['stems', 'all-stems', 'wav', 'mp4', 'cover-art', 'timestamped-lyrics'] as const;
export type ClipStepKind = (typeof CLIP_STEPS)[number];

export type StepRequest =
  | { kind: 'lyrics'; lyrics: LyricsRequest }
  | { kind: 'song'; song: SongRequest }
  | { kind: 'persona'; persona: PersonaRequest }
  | { kind: ClipStepKind; source: ClipRef };

/** The stage a callback reports; a hint only, never a result. */
export type CallbackStage = 'text' | 'first' | 'complete' | 'error';

export interface CallbackHint {
  taskId: string;
  stage: CallbackStage;
}
