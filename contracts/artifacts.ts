// Shapes of the artifact activities (download, verify, write files; artifacts/artifactActivities.ts):
// they cross the activity boundary (and so appear in workflow history): keep them small and free of
// secrets.
import type { AlignedWord, ProviderName } from '../providers/model';

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

/** Input of writeTimedLyrics: the provider's aligned words become lyrics.lrc in `dir`. */
export interface TimedLyricsInput {
  dir: string;
  words: AlignedWord[];
  lyrics?: string;
  title?: string;
  lengthSeconds: number;
  /** Default lyrics.lrc. */
  fileName?: string;
}
