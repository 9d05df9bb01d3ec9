// The album pipeline's input and result, its run ids, and the album's persona strategy and failure
// policy as the workflow runs them. `album/manifest/` turns a user's manifest into this input;
// album.json records the strategy again (contracts/albumFiles.ts).
import type { ProviderName, SongRequest, StepKind } from '../providers/model';
import type { PipelinePlan, PipelineRunResult } from './pipelinePlan';
import type { SongPipelineResult } from './songPipeline';
import type { PipelineStep } from './trackManifest';
import type { AlbumDeliverySummary, AlbumReleaseInput } from './albumDelivery';
import type { TrackAnalysis } from './albumFiles';

/**
 * Where the album's voice comes from: nowhere (`none`), a persona that already exists on the
 * provider (`given`), or one made once from a track's chosen clip (`from-track`, 1-based number),
 * which every later vocal track then sings with.
 */
export type PersonaStrategy = { strategy: 'none' } | { strategy: 'given'; personaId: string } | { strategy: 'from-track'; track: number };

/** What a failed track does to the album: run again (at most 1 + attempts times), skip it, or fail the album. */
export type FailurePolicy = { mode: 'retry'; attempts: number } | { mode: 'skip' } | { mode: 'fail-album' };

/** An album's run: running the same album again attaches to it. */
export function albumWorkflowId(albumId: string): string {
  return `album-${albumId}`;
}

/** A track's child run (songPipeline, or pipelineRun for a track with a definition), e.g. `album-rainy-days-t03`. */
export function trackWorkflowId(albumId: string, number: number): string {
  return `${albumWorkflowId(albumId)}-t${String(number).padStart(2, '0')}`;
}

export interface AlbumTrackPlan {
  /** 1-based position on the album. */
  number: number;
  title: string;
  request: SongRequest;
  steps: PipelineStep[];
  /** Absolute folder of the track. */
  outDir: string;
  /** Name of the album's tagged copy, e.g. "03 - Night Train" (no extension). */
  fileStem: string;
  /**
   * Set when the track runs a pipeline definition instead of the song pipeline: the checked plan
   * (the track's settings filled in; `request` and `steps` are then not used), and the steps that
   * sing with the persona the album's persona track makes, which the album fills in when it exists.
   */
  pipeline?: { definition: string; plan: PipelinePlan; personaSteps: string[] };
  /** The recording's ISRC and explicit flag, from the manifest. */
  isrc?: string;
  explicit?: boolean;
}

export interface AlbumPipelineInput {
  albumId: string;
  title: string;
  artist: string;
  provider: ProviderName;
  /** Absolute album folder. */
  outDir: string;
  tracks: AlbumTrackPlan[];
  persona: PersonaStrategy;
  concurrency: number;
  failurePolicy: FailurePolicy;
  callbacks: boolean;
  year?: number;
  genre?: string;
  model?: string;
  /** Also write loudness-normalized copies under mastered/. */
  loudness?: { targetLufs: number };
  /**
   * Measure each track's tempo and key (album/analysis/) before tagging. The album command always
   * sets it (the manifest's `analysis`, default true); without it, no track is analysed.
   */
  analysis?: boolean;
  /** Credits per step at this provider (the price table the command used), to record what was spent. */
  prices?: Partial<Record<StepKind, number>>;
  credits?: { estimated?: number; budget?: number };
  /** The manifest's release section: tags, and the delivery folder when it asks for one. */
  release?: AlbumReleaseInput;
}

export interface AlbumTrackResult {
  number: number;
  title: string;
  workflowId: string;
  state: 'succeeded' | 'partial' | 'failed' | 'skipped';
  attempts: number;
  error?: string;
  result?: SongPipelineResult;
  /** The child pipelineRun's result, for a track that runs a definition. */
  run?: PipelineRunResult;
  /** Credits of the provider tasks this track actually ran (reused steps cost nothing). */
  creditsSpent?: number;
  /** The album's tagged copy of the song, and its mastered copy when loudness was asked for. */
  tagged?: { path: string; sha256: string; bytes: number; durationSeconds: number };
  mastered?: { path: string; sha256: string; bytes: number; durationSeconds: number; beforeLufs: number; afterLufs: number };
  /** Tempo and key of the track's audio, or why there are none (the album goes on without them). */
  analysis?: TrackAnalysis;
  analysisError?: string;
}

export interface AlbumPipelineResult {
  albumId: string;
  status: 'succeeded' | 'partial' | 'failed';
  personaId?: string;
  tracks: AlbumTrackResult[];
  /** Credits this run paid (0 when a finished album was only re-checked). */
  creditsSpent: number;
  /** Credits paid over every run of the album so far, as album.json records them. */
  creditsTotal?: number;
  /** album.json, the playlist, the album's cover and its report.html. */
  files: { path: string; sha256: string; bytes: number; kind: 'album-manifest' | 'playlist' | 'cover' | 'report' }[];
  /** The delivery folder, when the manifest asked for one. */
  delivery?: AlbumDeliverySummary;
}

/** The persona strategy as album.json records it: which one, the persona it gave, and its track. */
export interface PersonaRecord {
  strategy: PersonaStrategy['strategy'];
  personaId?: string;
  track?: number;
}
