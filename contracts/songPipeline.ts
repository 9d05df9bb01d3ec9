// The song pipeline's input and result: what a script or the album workflow starts a songPipeline
// run with, and what the run returns. Both travel through workflow history: no secrets here.
import type { ClipRef, ProviderName, SongRequest, StepKind } from '../providers/model';
import type { ArtifactRecord } from './artifacts';
import type { StepProgress } from './pipelineMessages';
import type { PipelineStep } from './trackManifest';

export interface ReviewOptions {
  /** How long to wait for a person before the policy decides. */
  timeoutMs: number;
}

export interface SongPipelineInput {
  provider: ProviderName;
  request: SongRequest;
  steps: PipelineStep[];
  /** Absolute folder for this track's files. */
  outDir: string;
  /** Ask providers for webhooks; polling always runs as the fallback. */
  callbacks: boolean;
  /** Wait this long for a person to choose a clip (chooseClip update) before the policy decides. */
  review?: ReviewOptions;
  /** How many later steps run at once (default 8: every later step; providers' own task limits come first). */
  parallelSteps?: number;
  /** Per step kind, in ms; defaults are generous. */
  deadlines?: Partial<Record<StepKind, number>>;
  /** A submit whose outcome is unknown: wait for an operator (default), or submit again (may pay twice). */
  onAmbiguousSubmit?: 'wait' | 'resubmit';
  /** The provider task that wrote `request.lyrics`, when someone else (an album) ran the lyrics step. */
  lyricsTaskId?: string;
  /**
   * Credits per step kind at this provider (the client's price table). Given, track.json keeps the
   * single's running total across reruns; an album leaves it out (album.json keeps its credits).
   */
  prices?: Partial<Record<StepKind, number>>;
  /** Tag song.mp3 in place at the end (title, style as genre, cover, lyrics). Default true; an album passes false: it tags its own copies. */
  tagSong?: boolean;
}

export interface SongPipelineResult {
  workflowId: string;
  runId: string;
  /** 'partial' when some later step failed; the files of the others are kept. */
  status: 'succeeded' | 'partial';
  provider: ProviderName;
  title: string;
  outDir: string;
  personaId?: string;
  clip: ClipRef;
  steps: StepProgress[];
  failedSteps: { step: string; error: string }[];
  artifacts: ArtifactRecord[];
  /** What track.json now records: paid this run, over every run in this folder, by run id (when the input had prices). */
  credits?: { spent: number; spentThisRun: number; byRun: Record<string, number> };
}
