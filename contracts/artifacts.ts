// Shapes that cross the activity boundary (and so appear in workflow history): keep them small and
// free of secrets.
import type { ProviderName, StepKind, StepRequest } from '../providers/model';

export type ArtifactKind = 'lyrics' | 'lrc' | 'audio' | 'wav' | 'stem' | 'video' | 'cover' | 'cover-art' | 'manifest' | 'text' | 'data';

/** One stored file, as listed in track.json and printed by the CLI. */
export interface ArtifactRecord {
  kind: ArtifactKind;
  /** Absolute path on the worker's disk. */
  path: string;
  sha256: string;
  bytes: number;
  durationSeconds?: number;
  /** Where it came from: the provider URL (which expires) and the ids that produced it. */
  source?: { provider: ProviderName; taskId: string; clipId?: string; url?: string };
}

export interface SubmitInput {
  provider: ProviderName;
  workflowId: string;
  stepId: string;
  request: StepRequest;
  /** Ask the provider for webhooks (a signed callback URL is minted inside the activity). */
  callbacks: boolean;
  /** How long the callback token stays valid. */
  callbackTtlMs: number;
}

export interface QueryInput {
  provider: ProviderName;
  kind: StepKind;
  taskId: string;
  /** Changes only how sparse the fallback polling is. */
  callbacks: boolean;
}

/** What a downloaded file must be before it is accepted. */
export type MediaCheck =
  | { media: 'audio'; expectDurationSeconds?: number }
  | { media: 'video'; expectDurationSeconds?: number }
  | { media: 'image' };

export interface StoreDownloadInput {
  url: string;
  /** Folder of the file; its name is `name` plus the extension the content calls for. */
  dir: string;
  name: string;
  kind: ArtifactKind;
  check: MediaCheck;
  source: NonNullable<ArtifactRecord['source']>;
}

export interface WriteTextInput {
  dir: string;
  fileName: string;
  text: string;
  kind: 'lyrics' | 'lrc' | 'manifest' | 'text' | 'data';
}
