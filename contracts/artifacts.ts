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
  /**
   * An MP3's sha256 without its ID3 tags: the audio itself. Tagging changes `sha256` but not this,
   * so a song tagged after its record was written (or by the user's player) is still reused.
   */
  audioSha256?: string;
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

/** Failure type of tagSong's bad input (a missing or corrupt file, not an MP3): never retried. */
export const SONG_TAG_FAILURE = 'SongTagFailed';

/** Input of tagSong: a single's song.mp3 tagged in place (ID3v2.3) with what its folder holds. */
export interface TagSongInput {
  /** The song's record (its path is tagged in place). */
  song: ArtifactRecord;
  title: string;
  /** The request's style, written as the genre. */
  genre?: string;
  /** The cover art, or the clip's own image (PNG, JPEG or WebP). */
  coverPath?: string;
  /** lyrics.txt (USLT). */
  lyricsPath?: string;
  /** lyrics.lrc (SYLT). */
  lrcPath?: string;
}

/** The song's record after tagging; `retagged` is false when the file already had exactly these tags. */
export interface TagSongResult {
  song: ArtifactRecord;
  retagged: boolean;
  /** The ID3v2.3 frames the file carries, e.g. TIT2, TCON, APIC, USLT, SYLT. */
  frames: string[];
}
