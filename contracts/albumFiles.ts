// Shapes that cross the album-assembly activity boundary (and so appear in workflow history), and
// the album.json they produce. Paths are absolute on the worker's disk; nothing here is secret.
import type { ProviderName } from '../providers/model';
import type { PersonaRecord } from './albumPipeline';
import type { ArtifactKind, ArtifactRecord } from './artifacts';
import type { AlbumDeliveryRecord, TrackDeliveryRecord } from './albumDelivery';

/** Failure type of an assembly activity's bad input (a missing file, not an MP3, silent audio): never retried. */
export const ALBUM_ASSEMBLY_FAILURE = 'AlbumAssemblyFailed';

/**
 * A track's tempo and musical key, measured from its audio (album/analysis/). `bpm` is rounded to a
 * whole beat per minute; `key` is a tonic and mode such as "A minor" or "F# major" (sharps only).
 */
export interface TrackAnalysis {
  bpm: number;
  key: string;
}

export interface AnalyzeTrackInput {
  /** The track's audio as the pipeline stored it; only read. */
  audioPath: string;
}

export interface TagTrackInput {
  /** The song as the pipeline stored it; it is read, never changed. */
  mp3Path: string;
  /** Where the tagged copy goes (may equal mp3Path to tag in place). Default: `<name>.tagged.mp3` beside it. */
  outPath?: string;
  title: string;
  artist: string;
  album: string;
  trackNumber: number;
  trackCount: number;
  year?: number;
  genre?: string;
  /** PNG, JPEG or WebP (WebP is converted to PNG: few players show WebP cover art). */
  coverPath?: string;
  /** Plain lyrics (USLT). Without it, the lines of the .lrc are used when there is one. */
  lyricsText?: string;
  /** Plain lyrics from a text file (the track's lyrics.txt); used instead of `lyricsText` when given. */
  lyricsPath?: string;
  /** Timed lyrics (SYLT, in milliseconds). */
  lrcPath?: string;
  /** Tempo and key, written as TBPM and TKEY. */
  analysis?: TrackAnalysis;
  /** ISO 639-2 code of the lyrics' language. Default `eng`. */
  language?: string;
  /** The recording's ISRC (TSRC), the label (TPUB) and the copyright line (TCOP), from the manifest's release section. */
  isrc?: string;
  label?: string;
  copyright?: string;
}

export interface StoredAlbumFile {
  path: string;
  sha256: string;
  bytes: number;
  durationSeconds: number;
}

export interface TagTrackResult extends StoredAlbumFile {
  /** The ID3v2.3 frames written, e.g. TIT2, TRCK, APIC, USLT, SYLT. */
  frames: string[];
}

export interface NormalizeLoudnessInput {
  inPath: string;
  /** A separate file; its extension (.mp3, .wav, .flac, .m4a) chooses the codec. */
  outPath: string;
  /** Integrated loudness target, LUFS (-30..-5). */
  targetLufs: number;
  /** Ceiling for true peaks, dBTP. Default -1. */
  truePeakDb?: number;
}

export interface LoudnessStats {
  integratedLufs: number;
  truePeakDb: number;
  rangeLu: number;
}

export interface NormalizeLoudnessResult extends StoredAlbumFile {
  targetLufs: number;
  before: LoudnessStats;
  /** Measured on the written file (after encoding), not the filter's own prediction. */
  after: LoudnessStats;
  /** linear: one gain for the whole song (dynamics kept); dynamic: loudnorm had to compress to respect the peak ceiling. */
  normalization: 'linear' | 'dynamic';
}

export interface PlaylistEntry {
  path: string;
  title: string;
  artist?: string;
  /** Probed from the file when absent. */
  durationSeconds?: number;
}

export interface WritePlaylistInput {
  albumDir: string;
  entries: PlaylistEntry[];
  /** Default `playlist.m3u8`. */
  fileName?: string;
  /** Written as #PLAYLIST. */
  title?: string;
}

/** Input of writeAlbumCover: the album's own cover.<ext>, a copy of a track's image. */
export interface WriteAlbumCoverInput {
  albumDir: string;
  /** The image to use (a track's cover art, or its clip image): PNG, JPEG or WebP. */
  sourcePath: string;
}

export interface WrittenAlbumCover extends WrittenAlbumFile {
  /** False when cover.<ext> already had these bytes and was left as it was. */
  rewritten: boolean;
}

export interface WrittenAlbumFile {
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * What album.json records of the credits paid: every run of the album adds its own entry (by run
 * id, so an activity retry rewrites its entry instead of adding it twice), and `spent` is their sum,
 * so re-checking a finished album (which pays nothing) keeps the record of what the album cost.
 */
export interface CreditsRecord {
  /** Paid over every run of the album so far. */
  spent?: number;
  /** Paid by the run that wrote this file. */
  spentThisRun?: number;
  /** Paid per album run id. */
  byRun?: Record<string, number>;
}

/** album.json written, and the credits it now records for the whole album. */
export interface WrittenAlbumManifest extends WrittenAlbumFile {
  creditsTotal: number;
}

/** What album.json can list: the pipeline's own kinds plus the album's. */
export type AlbumFileKind = ArtifactKind | 'tagged-audio' | 'mastered-audio' | 'playlist' | 'delivery-master' | 'delivery-stem' | 'delivery-cover';

export interface AlbumFileInput {
  path: string;
  kind: AlbumFileKind;
  /** When given, the file on disk must still have it (else the activity fails naming the file). */
  sha256?: string;
  durationSeconds?: number;
  source?: ArtifactRecord['source'];
}

export type AlbumTrackState = 'succeeded' | 'partial' | 'failed' | 'skipped';

export interface AlbumTrackInput {
  number: number;
  title: string;
  state: AlbumTrackState;
  error?: string;
  /** How many times the track's pipeline ran (with failurePolicy retry). */
  attempts?: number;
  workflowId?: string;
  runId?: string;
  /** The track's folder: its track.json is read and every file it lists is hashed and included. */
  trackDir?: string;
  /** Files beyond track.json's: the tagged MP3, the mastered copy. */
  files?: AlbumFileInput[];
  credits?: { estimated?: number; spent?: number };
  loudness?: { beforeLufs: number; afterLufs: number };
  analysis?: TrackAnalysis;
  /** Why the track has no analysis (the analysis tool is missing, the audio is silent). */
  analysisError?: string;
}

export interface WriteAlbumManifestInput {
  albumDir: string;
  album: {
    id: string;
    title: string;
    artist: string;
    year?: number;
    genre?: string;
    provider: ProviderName;
    model?: string;
    workflowId?: string;
    runId?: string;
    persona?: PersonaRecord;
    loudness?: { targetLufs: number };
    credits?: { estimated?: number; budget?: number };
    /** ISO time the album finished (workflow time, so that the file is the same on a replay). */
    completedAt?: string;
  };
  tracks: AlbumTrackInput[];
  /** Album-level files (playlists); album.json cannot list itself. */
  files?: AlbumFileInput[];
}

export interface AlbumJsonFile {
  /** Relative to the album folder, with `/` separators. */
  file: string;
  kind: AlbumFileKind;
  sha256: string;
  bytes: number;
  durationSeconds?: number;
  source?: ArtifactRecord['source'];
}

export interface AlbumJsonTrack {
  number: number;
  title: string;
  state: AlbumTrackState;
  error?: string;
  attempts?: number;
  workflowId?: string;
  runId?: string;
  /** The track folder, relative to the album folder. */
  dir?: string;
  /** Provider ids: the song task and clip the files come from, the persona, and every step's task. */
  provider: { songTaskId?: string; clipId?: string; personaId?: string; tasks: Record<string, string> };
  credits: CreditsRecord & { estimated?: number };
  durationSeconds?: number;
  loudness?: { beforeLufs: number; afterLufs: number };
  /** The delivery folder's master and stems of this track (album/delivery/). */
  delivery?: TrackDeliveryRecord;
  /** Tempo and key measured from the track's audio (album/analysis/). */
  analysis?: TrackAnalysis;
  analysisError?: string;
  files: AlbumJsonFile[];
}

export interface AlbumJson {
  version: 1;
  id: string;
  title: string;
  artist: string;
  year?: number;
  genre?: string;
  provider: ProviderName;
  model?: string;
  workflowId?: string;
  runId?: string;
  completedAt?: string;
  persona?: PersonaRecord;
  loudness?: { targetLufs: number };
  credits: CreditsRecord & { estimated?: number; budget?: number; spent: number };
  trackCount: number;
  durationSeconds: number;
  tracks: AlbumJsonTrack[];
  files: AlbumJsonFile[];
  /** The delivery folder, when the manifest asked for one. */
  delivery?: AlbumDeliveryRecord;
}

export interface WriteAlbumReportInput {
  /** The album folder: album.json is read from it and report.html written into it. */
  albumDir: string;
}
