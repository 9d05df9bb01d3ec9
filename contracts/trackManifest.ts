// track.json: what a track folder holds and where each file came from. It is also the record that
// lets a later run of the same request skip the steps whose files are already there and intact.
import type { ArtifactKind, ArtifactRecord } from './artifacts';
import type { ClipRef, ProviderName } from '../providers/model';
import type { CreditsRecord } from './albumFiles';

/** Steps of the song pipeline, in dependency order. */
export const PIPELINE_STEPS = ['lyrics', 'song', 'persona', 'stems', 'all-stems', 'wav', 'mp4', 'cover-art', 'timestamped-lyrics'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** The steps that work on the chosen clip; they depend on nothing else and run side by side. */
export const AFTER_SONG_STEPS = ['persona', 'stems', 'all-stems', 'wav', 'mp4', 'cover-art', 'timestamped-lyrics'] as const satisfies readonly PipelineStep[];
export type AfterSongStep = (typeof AFTER_SONG_STEPS)[number];

export interface ManifestFile {
  file: string;
  kind: ArtifactKind;
  sha256: string;
  bytes: number;
  durationSeconds?: number;
  /** An MP3's sha256 without its ID3 tags (see ArtifactRecord). */
  audioSha256?: string;
  source?: ArtifactRecord['source'];
}

export interface StepRecord {
  state: 'succeeded' | 'failed';
  taskId?: string;
  error?: string;
  /** Names (relative to the track folder) of the files this step produced. */
  files: string[];
  personaId?: string;
}

export interface TrackManifest {
  version: 1;
  title: string;
  provider: ProviderName;
  workflowId: string;
  runId: string;
  request: { prompt: string; style?: string; instrumental: boolean; model?: string; personaId?: string };
  /** The clip every later step worked on. */
  clip?: ClipRef & { tags?: string };
  /** The persona made from (or given for) this track. */
  personaId?: string;
  steps: Partial<Record<PipelineStep, StepRecord>>;
  files: ManifestFile[];
  /**
   * A single's credits over every run of it in this folder (`spent`), by run id; written when the
   * client gave the run its prices. An album track's credits are kept in album.json instead.
   */
  credits?: CreditsRecord;
}

/** What loadPreviousTrack answers: an earlier run's track.json, and what of it is still intact. */
export interface PreviousTrack {
  manifest: TrackManifest;
  /** Steps whose every file verified, with those files as artifact records (absolute paths). */
  reusable: Partial<Record<PipelineStep, ArtifactRecord[]>>;
  /** The lyrics text, when lyrics.txt verified (later steps such as the .lrc need it). */
  lyricsText?: string;
}

/** Path relative to the track folder (workflow code has no `path` module). */
export function relativeTo(dir: string, file: string): string {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return file.startsWith(prefix) ? file.slice(prefix.length) : file;
}

export function manifestFile(dir: string, artifact: ArtifactRecord): ManifestFile {
  const { path, ...rest } = artifact;
  return { file: relativeTo(dir, path), ...rest };
}
