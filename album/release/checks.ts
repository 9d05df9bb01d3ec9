// What a distributor or store would refuse (errors) or flag (warnings), from facts already measured.
// Pure: the figures in, the problems out, each naming its track and the figure against the limit.
// The limits are the published ones (Spotify's loudness and provider pages, DistroKid, Symphonic).
import type { ReleaseSection } from '../manifest/release';
import { AI_DISCLOSURE_PARTS } from '../manifest/release';
import type { AudioMeasurement, ImageMeasurement } from './measure';
import type { DeliveryFormat } from '../../contracts/albumDelivery';
import type { TrackAnalysis } from '../../contracts/albumFiles';

export const RELEASE_LIMITS = {
  /** Stores ask for 3000×3000; below 1000 every distributor refuses the art. */
  coverPx: 3000,
  coverFloorPx: 1000,
  /** Shorter tracks are filtered as spam (and earn no royalties on Spotify). */
  minTrackSeconds: 30,
  maxTrailingSilenceSeconds: 10,
  truePeakCeilingDb: -1,
  targetLufs: -14,
  /** Further than this from the target, the store's normalization changes the sound noticeably. */
  loudnessToleranceLu: 2,
} as const;

export type ReleaseCheckName =
  | 'cover-missing'
  | 'cover-size'
  | 'cover-format'
  | 'no-audio'
  | 'too-short'
  | 'trailing-silence'
  | 'silent'
  | 'true-peak'
  | 'loudness'
  | 'clipping'
  | 'delivery-format'
  | 'isrc-missing'
  | 'isrc-duplicate'
  | 'upc-missing'
  | 'no-release-section'
  | 'duplicate-title'
  | 'duplicate-audio';

export interface ReleaseProblem {
  /** error: a distributor would refuse the release; warning: accepted, but worth fixing. */
  severity: 'error' | 'warning';
  check: ReleaseCheckName;
  /** Absent for album-wide problems (the UPC, the cover). */
  track?: { number: number; title: string };
  message: string;
  /** The measured figure and the limit it breaks, in the message's unit. */
  figure?: number;
  limit?: number;
}

export interface TrackFacts {
  number: number;
  title: string;
  /** The file a distributor would get (mastered, else tagged, else the provider's), relative to the album folder. */
  file?: string;
  /** sha256 of the provider's audio (tags differ between copies, the music does not). */
  audioSha256?: string;
  audio?: AudioMeasurement;
  isrc?: string;
  /** Why there is no audio (the track failed or was skipped). */
  missingReason?: string;
  /** The format the delivery folder's masters are made to, when the album has (or the manifest asks for) one. */
  delivery?: DeliveryFormat;
  /** True when `file` is the delivery folder's master. */
  deliveryMaster?: boolean;
  /** Tempo and key from album.json (album/analysis/), shown with the figures. */
  analysis?: TrackAnalysis;
}

export interface AlbumFacts {
  release?: ReleaseSection;
  cover?: { file: string; image?: ImageMeasurement; source: 'release' | 'provider'; missing?: string };
  tracks: TrackFacts[];
}

const RGB_PIXEL_FORMATS = /^(rgb|bgr|argb|rgba|abgr|bgra|yuv|yuvj|pal8|gbr)/;

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

export function coverProblems(cover: AlbumFacts['cover']): ReleaseProblem[] {
  if (!cover) return [{ severity: 'error', check: 'cover-missing', message: 'no cover art: the album has no cover image and the manifest names none (release.cover)' }];
  if (cover.missing || !cover.image) return [{ severity: 'error', check: 'cover-missing', message: `cover ${cover.file}: ${cover.missing ?? 'unreadable'}` }];
  const { width, height, codec, pixelFormat } = cover.image;
  const problems: ReleaseProblem[] = [];
  const smaller = Math.min(width, height);
  const whose = cover.source === 'provider' ? " (the provider's image; give your own art as release.cover)" : '';
  if (smaller < RELEASE_LIMITS.coverFloorPx) {
    problems.push({ severity: 'error', check: 'cover-size', message: `cover ${cover.file} is ${width}×${height} px; distributors refuse art under ${RELEASE_LIMITS.coverFloorPx}×${RELEASE_LIMITS.coverFloorPx}${whose}`, figure: smaller, limit: RELEASE_LIMITS.coverFloorPx });
  } else if (smaller < RELEASE_LIMITS.coverPx) {
    problems.push({ severity: 'warning', check: 'cover-size', message: `cover ${cover.file} is ${width}×${height} px; stores ask for ${RELEASE_LIMITS.coverPx}×${RELEASE_LIMITS.coverPx}${whose}`, figure: smaller, limit: RELEASE_LIMITS.coverPx });
  }
  if (width !== height) problems.push({ severity: 'error', check: 'cover-size', message: `cover ${cover.file} is ${width}×${height} px; cover art must be square` });
  if (codec !== 'mjpeg' && codec !== 'png') problems.push({ severity: 'error', check: 'cover-format', message: `cover ${cover.file} is ${codec || 'not an image'}; distributors take JPEG or PNG` });
  else if (!RGB_PIXEL_FORMATS.test(pixelFormat)) problems.push({ severity: 'error', check: 'cover-format', message: `cover ${cover.file} is ${pixelFormat} (not RGB); distributors take RGB colour` });
  return problems;
}

export function audioProblems(track: TrackFacts): ReleaseProblem[] {
  const at = { number: track.number, title: track.title };
  if (!track.audio) return [{ severity: 'error', check: 'no-audio', track: at, message: `no audio${track.missingReason ? ` (${track.missingReason})` : ''}` }];
  const a = track.audio;
  const problems: ReleaseProblem[] = [];
  const add = (p: Omit<ReleaseProblem, 'track'>) => problems.push({ ...p, track: at });
  if (a.durationSeconds < RELEASE_LIMITS.minTrackSeconds) {
    add({ severity: 'error', check: 'too-short', message: `${fmt(a.durationSeconds)} s long; tracks under ${RELEASE_LIMITS.minTrackSeconds} s are filtered as spam`, figure: a.durationSeconds, limit: RELEASE_LIMITS.minTrackSeconds });
  }
  if (a.trailingSilenceSeconds > RELEASE_LIMITS.maxTrailingSilenceSeconds) {
    add({ severity: 'error', check: 'trailing-silence', message: `ends with ${fmt(a.trailingSilenceSeconds)} s of silence; at most ${RELEASE_LIMITS.maxTrailingSilenceSeconds} s`, figure: a.trailingSilenceSeconds, limit: RELEASE_LIMITS.maxTrailingSilenceSeconds });
  }
  if (a.integratedLufs === undefined || a.truePeakDb === undefined) {
    add({ severity: 'error', check: 'silent', message: 'the audio is silent (no measurable loudness)' });
    return problems;
  }
  // A delivery master is held to its own ceiling when that is stricter than the stores'.
  const ceiling = Math.min(RELEASE_LIMITS.truePeakCeilingDb, (track.deliveryMaster ? track.delivery?.truePeak : undefined) ?? 0);
  if (a.truePeakDb > ceiling) {
    const whose = ceiling < RELEASE_LIMITS.truePeakCeilingDb ? `the delivery's ceiling of ${ceiling} dBTP` : `at most ${ceiling} dBTP (it distorts once encoded)`;
    add({ severity: 'error', check: 'true-peak', message: `true peak ${fmt(a.truePeakDb)} dBTP; ${whose}`, figure: a.truePeakDb, limit: ceiling });
  }
  if (a.clippedSamples > 0) {
    add({ severity: 'error', check: 'clipping', message: `${a.clippedSamples} clipped samples (runs at full scale; sample peak ${fmt(a.samplePeakDb, 2)} dBFS)`, figure: a.clippedSamples, limit: 0 });
  }
  const off = a.integratedLufs - RELEASE_LIMITS.targetLufs;
  if (Math.abs(off) > RELEASE_LIMITS.loudnessToleranceLu) {
    add({ severity: 'warning', check: 'loudness', message: `integrated loudness ${fmt(a.integratedLufs)} LUFS, ${fmt(Math.abs(off))} LU ${off > 0 ? 'above' : 'below'} the stores' ${RELEASE_LIMITS.targetLufs} LUFS (set loudness.targetLufs to master it)`, figure: a.integratedLufs, limit: RELEASE_LIMITS.targetLufs });
  }
  return problems;
}

/**
 * The format a distributor gets: a delivery master must be what distributors take (44.1 kHz or more,
 * 16 or 24 bit, stereo) and what the manifest asked for; lossy audio without one is flagged.
 */
export function deliveryFormatProblems(track: TrackFacts): ReleaseProblem[] {
  const a = track.audio;
  const asked = track.delivery;
  if (!a) return [];
  const at = { number: track.number, title: track.title };
  if (!track.deliveryMaster || !asked) {
    // Lossy audio is not what distributors take; without a delivery folder the check measures an MP3.
    if (a.bitDepth !== undefined) return [];
    return asked
      ? [{ severity: 'error', check: 'delivery-format', track: at, message: `the manifest asks for a delivery folder, but album.json lists no master for this track (${track.file} is ${a.codec}): run the album again to make it` }]
      : [{ severity: 'warning', check: 'delivery-format', track: at, message: `${track.file} is ${a.codec}; distributors take WAV or FLAC (release.delivery in the manifest makes them)` }];
  }
  const problems: ReleaseProblem[] = [];
  const add = (message: string, figure: number, limit: number) => problems.push({ severity: 'error', check: 'delivery-format', track: at, message: `master ${track.file}: ${message}`, figure, limit });
  if (a.sampleRate < 44_100) add(`${a.sampleRate} Hz; distributors take 44100 Hz or more`, a.sampleRate, 44_100);
  else if (a.sampleRate !== asked.sampleRate) add(`${a.sampleRate} Hz; the manifest asks for ${asked.sampleRate} Hz (release.delivery.sampleRate)`, a.sampleRate, asked.sampleRate);
  const depth = a.bitDepth ?? 0;
  if (depth !== 16 && depth !== 24) add(`${depth ? `${depth}-bit` : `${a.codec}, not PCM or FLAC`}; distributors take 16 or 24 bit`, depth, asked.bitDepth);
  else if (depth !== asked.bitDepth) add(`${depth}-bit; the manifest asks for ${asked.bitDepth} (release.delivery.bitDepth)`, depth, asked.bitDepth);
  if (a.channels !== 2) add(`${a.channels} ${a.channels === 1 ? 'channel' : 'channels'}; distributors take stereo`, a.channels, 2);
  return problems;
}

export function identifierProblems(release: ReleaseSection | undefined, tracks: readonly TrackFacts[]): ReleaseProblem[] {
  if (!release) {
    return [{ severity: 'warning', check: 'no-release-section', message: `the manifest has no release section: UPC, ISRCs and AI disclosure (${AI_DISCLOSURE_PARTS.join(', ')}) are not checked` }];
  }
  const problems: ReleaseProblem[] = [];
  if (!release.upc) problems.push({ severity: 'error', check: 'upc-missing', message: 'no UPC (release.upc): every release needs one (your distributor assigns it)' });
  const seen = new Map<string, number>();
  for (const t of tracks) {
    const at = { number: t.number, title: t.title };
    if (!t.isrc) {
      problems.push({ severity: 'error', check: 'isrc-missing', track: at, message: `no ISRC (tracks[${t.number}].isrc): every recording needs one` });
      continue;
    }
    const code = t.isrc.toUpperCase().replace(/-/g, '');
    const first = seen.get(code);
    if (first !== undefined) problems.push({ severity: 'error', check: 'isrc-duplicate', track: at, message: `ISRC ${t.isrc} is also track ${first}'s: each recording has its own` });
    else seen.set(code, t.number);
  }
  return problems;
}

export function duplicateProblems(tracks: readonly TrackFacts[]): ReleaseProblem[] {
  const problems: ReleaseProblem[] = [];
  const titles = new Map<string, number>();
  const audio = new Map<string, number>();
  for (const t of tracks) {
    const at = { number: t.number, title: t.title };
    const key = t.title.trim().toLowerCase();
    const sameTitle = titles.get(key);
    if (sameTitle !== undefined) problems.push({ severity: 'error', check: 'duplicate-title', track: at, message: `same title as track ${sameTitle}` });
    else titles.set(key, t.number);
    if (!t.audioSha256) continue;
    const sameAudio = audio.get(t.audioSha256);
    if (sameAudio !== undefined) problems.push({ severity: 'error', check: 'duplicate-audio', track: at, message: `same audio as track ${sameAudio} (sha256 ${t.audioSha256.slice(0, 12)}…); stores remove duplicates as spam` });
    else audio.set(t.audioSha256, t.number);
  }
  return problems;
}

/** Every problem: album-wide first, then track by track in album order. */
export function releaseProblems(facts: AlbumFacts): ReleaseProblem[] {
  const all = [...coverProblems(facts.cover), ...identifierProblems(facts.release, facts.tracks), ...duplicateProblems(facts.tracks), ...facts.tracks.flatMap((t) => [...deliveryFormatProblems(t), ...audioProblems(t)])];
  return all.map((p, i) => ({ p, i })).sort((a, b) => (a.p.track?.number ?? 0) - (b.p.track?.number ?? 0) || a.i - b.i).map(({ p }) => p);
}
