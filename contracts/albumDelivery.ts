// Shapes of the album's delivery folder (album/delivery/): the activities' inputs and results (so they
// appear in workflow history: paths, settings and figures, never image or audio bytes), and what
// album.json records of the delivery.

/** How the masters are made; the manifest's `release.delivery` with its defaults applied. */
export interface DeliveryFormat {
  format: 'wav' | 'flac';
  bitDepth: 16 | 24;
  sampleRate: 44_100 | 48_000 | 96_000;
  /** Integrated loudness target, LUFS. */
  loudness: number;
  /** True-peak ceiling, dBTP. */
  truePeak: number;
}

/** The release facts the workflow needs for the delivery folder and the tags (from the manifest's `release`). */
export interface AlbumReleaseInput {
  /** Set when the manifest asks for a delivery folder. */
  delivery?: DeliveryFormat;
  label?: string;
  upc?: string;
  releaseDate?: string;
  copyright?: string;
  phonographicCopyright?: string;
  /** The user's own cover art, absolute path readable by the worker. */
  cover?: string;
}

export interface DeliverTrackInput {
  albumDir: string;
  settings: DeliveryFormat;
  number: number;
  trackCount: number;
  title: string;
  artist: string;
  album: string;
  year?: number;
  genre?: string;
  isrc?: string;
  label?: string;
  upc?: string;
  releaseDate?: string;
  copyright?: string;
  phonographicCopyright?: string;
  /** The track's best audio: the provider's WAV when it made one, else the song. */
  sourcePath: string;
  /** Name of the master without extension, e.g. `03 - Night Train`. */
  fileStem: string;
  /** The track's stems, with the name the provider gave each (`vocals`, `drums`…). */
  stems: { path: string; name: string }[];
}

export interface DeliveredStem {
  path: string;
  sha256: string;
  bytes: number;
  stem: string;
  durationSeconds: number;
  /** Where the source stem's audio starts, seconds (0 for an aligned stem). */
  startSeconds: number;
  /** Why it does not line up with the master (length or start), absent when it does. */
  problem?: string;
}

export interface DeliveredMaster {
  path: string;
  sha256: string;
  bytes: number;
  durationSeconds: number;
  format: 'wav' | 'flac';
  sampleRate: number;
  bitDepth: number;
  channels: number;
  /** Measured on the written file (ebur128, true peak oversampled). */
  integratedLufs: number;
  truePeakDb: number;
  /** The source, before mastering (stereo). */
  before: { integratedLufs: number; truePeakDb: number };
  targetLufs: number;
  ceilingDb: number;
  /** Mastering passes it took to stay under the ceiling (each lowers the limiter by the excess). */
  passes: number;
  /** Tags written: Vorbis comment names for FLAC; RIFF INFO ids and ID3 frame ids for WAV. */
  tags: string[];
}

export interface DeliverTrackResult {
  number: number;
  master: DeliveredMaster;
  stems: DeliveredStem[];
  /** BPM and key from album.json's track analysis, when it had one (they go into the stems' names). */
  analysis?: { bpm: number; key: string };
}

export interface DeliverCoverInput {
  albumDir: string;
  /** The user's own art (release.cover), used when given. */
  ownCover?: string;
  /** The provider's image, the fallback. */
  providerCover?: string;
}

export interface DeliveredCover {
  path: string;
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  source: 'release' | 'provider';
  /** Set when the art is smaller than stores ask for (names the size). */
  warning?: string;
}

export interface RecordDeliveryInput {
  albumDir: string;
  settings: DeliveryFormat;
  tracks: DeliverTrackResult[];
  cover?: DeliveredCover;
}

/** What album.json says of a track's delivery: the figures after mastering and the stems' check. */
export interface TrackDeliveryRecord {
  master: string;
  format: 'wav' | 'flac';
  sampleRate: number;
  bitDepth: number;
  channels: number;
  integratedLufs: number;
  truePeakDb: number;
  targetLufs: number;
  ceilingDb: number;
  before: { integratedLufs: number; truePeakDb: number };
  tags: string[];
  stems: { file: string; stem: string; durationSeconds: number; startSeconds: number; problem?: string }[];
}

export interface AlbumDeliveryRecord {
  folder: string;
  settings: DeliveryFormat;
  cover?: { file: string; width: number; height: number; source: 'release' | 'provider'; warning?: string };
}

/** The album run's summary of its delivery folder, for the command to print. */
export interface AlbumDeliverySummary {
  folder: string;
  tracks: { number: number; title: string; master: string; integratedLufs: number; truePeakDb: number; stemProblems: string[] }[];
  cover?: { path: string; warning?: string };
  /** Tracks (or the cover) that could not be delivered, each naming what and why. */
  errors: string[];
}
