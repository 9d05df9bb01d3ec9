// A validated manifest becomes the plan the album workflow runs: every track with its effective
// settings (defaults applied), its number, its folder and file names, the steps it will actually
// submit, and its part in the persona strategy. The plan is plain JSON, so it can be the workflow's
// input as it is.
import path from 'node:path';
import type { ProviderName } from '../../providers/model';
import { adapterFor } from '../../providers/registry';
import { PIPELINE_STEPS, type PipelineStep } from '../../contracts/trackManifest';
import type { FailurePolicy, PersonaStrategy } from '../../contracts/albumPipeline';
import type { AlbumManifest } from './schema';
import { personaTrackNumber } from './rules';
import { shortHash, slugify } from '../../runtime/slug';
import type { TrackPipeline } from './trackPipeline';
import type { ReleaseSection } from './release';

/** A track's part in the album's persona: it makes the persona, sings with it, or has nothing to do with it. */
export type TrackPersonaRole = 'makes' | 'sings-with' | 'none';

export interface ResolvedTrack {
  /** 1..N in manifest order. */
  number: number;
  title: string;
  /** The song request's prompt: the track's prompt, else its style (custom mode with its own lyrics). */
  prompt: string;
  style?: string;
  instrumental: boolean;
  /** The lyrics file's text, trimmed; the song is then made in custom mode and no lyrics step runs. */
  lyrics?: string;
  /** Absolute path of the lyrics file, for messages. */
  lyricsFile?: string;
  /**
   * The steps the track's song pipeline is asked for, in pipeline order, already without the ones
   * that cannot apply (lyrics when the track brings its own or is instrumental; persona and timed
   * lyrics on an instrumental; persona on a track that sings with the album's persona) and with
   * persona added on the track that makes it. What is listed here is what costs credits. Empty for
   * a track that runs a definition: its steps are the definition's (`pipeline.plan.steps`).
   */
  steps: PipelineStep[];
  /** The built-in song pipeline, or a checked definition with the track's settings filled in. */
  pipeline: TrackPipeline;
  persona: TrackPersonaRole;
  /** Folder of the track under the album folder: `03-night-train`. */
  dirName: string;
  /** File name (without extension) for player-facing files: `03 - Night Train`. */
  fileStem: string;
  /** The recording's ISRC, as written (with or without hyphens). */
  isrc?: string;
  explicit?: boolean;
}

export interface ResolvedAlbum {
  /** Stable id: workflow ids and the album folder derive from it. */
  id: string;
  title: string;
  artist: string;
  year?: number;
  genre?: string;
  provider: ProviderName;
  model?: string;
  persona: PersonaStrategy;
  concurrency: number;
  failurePolicy: FailurePolicy;
  budget?: number;
  loudness?: { targetLufs: number };
  /** Measure each track's tempo and key (the manifest's `analysis`, default true). */
  analysis: boolean;
  /** Absolute path of the manifest, when it came from a file. */
  manifestFile?: string;
  /** The manifest's release section; `cover` made absolute (relative to the manifest's folder). */
  release?: ReleaseSection;
  tracks: ResolvedTrack[];
}

/**
 * Text as part of a file name that is safe on every system a user may copy the album to (Windows
 * forbids the most), kept as readable as the text itself. Track files and delivered stems share it.
 */
export function safeFileNamePart(text: string): string {
  return text
    .replace(/:/g, ' -')
    .replace(/"/g, "'")
    .replace(/[/\\]/g, '-')
    .replace(/[*?<>|\u0000-\u001f\u007f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .trim();
}

function safeFileName(title: string): string {
  return safeFileNamePart(title).slice(0, 100).trim();
}

export function trackFileStem(number: number, title: string, trackCount: number): string {
  const safe = safeFileName(title);
  return `${padNumber(number, trackCount)} - ${safe || 'Untitled'}`;
}

export function trackDirName(number: number, title: string, trackCount: number): string {
  return `${padNumber(number, trackCount)}-${slugify(title)}`;
}

function padNumber(number: number, trackCount: number): string {
  return String(number).padStart(Math.max(2, String(trackCount).length), '0');
}

/** The album id a manifest without `id` gets: readable, and distinct for two artists' albums of the same title. */
export function albumId(title: string, artist: string): string {
  return `${slugify(title)}-${shortHash([title, artist], 6)}`;
}

/**
 * Steps when neither the track nor the defaults list them: everything the provider offers except
 * persona, which the album's persona strategy governs (a persona per track would be paid for and
 * never used).
 */
export function defaultAlbumSteps(provider: ProviderName): PipelineStep[] {
  const offered = adapterFor(provider).capabilities;
  return PIPELINE_STEPS.filter((s) => s !== 'persona' && offered.includes(s));
}

export interface ResolveInput {
  manifest: AlbumManifest;
  provider: ProviderName;
  /** Lyrics text by 1-based track number, for tracks with a lyrics file. */
  lyrics: ReadonlyMap<number, { text: string; file: string }>;
  /** Checked definitions by 1-based track number, for tracks that run one; the others run the song pipeline. */
  pipelines?: ReadonlyMap<number, TrackPipeline>;
  manifestFile?: string;
}

/** Assumes the manifest passed the cross-field rules (persona track exists and has vocals). */
export function resolveAlbum({ manifest, provider, lyrics, pipelines, manifestFile }: ResolveInput): ResolvedAlbum {
  const defaults = manifest.defaults ?? {};
  const count = manifest.tracks.length;
  let persona: PersonaStrategy;
  if (manifest.persona.strategy === 'from-track') {
    const found = personaTrackNumber(manifest.persona.track, manifest.tracks);
    if ('error' in found) throw new Error(`persona.track: ${found.error}`);
    persona = { strategy: 'from-track', track: found.number };
  } else persona = manifest.persona;

  const tracks = manifest.tracks.map((spec, index): ResolvedTrack => {
    const number = index + 1;
    const instrumental = spec.instrumental ?? defaults.instrumental ?? false;
    const style = spec.style ?? defaults.style;
    const own = lyrics.get(number);
    const role: TrackPersonaRole =
      instrumental || persona.strategy === 'none' ? 'none' : persona.strategy === 'from-track' && persona.track === number ? 'makes' : 'sings-with';
    const pipeline = pipelines?.get(number) ?? { kind: 'song' };

    const wanted = new Set<PipelineStep>(spec.steps ?? defaults.steps ?? defaultAlbumSteps(provider));
    if (instrumental) for (const s of ['lyrics', 'persona', 'timestamped-lyrics'] as const) wanted.delete(s);
    if (own) wanted.delete('lyrics');
    if (role === 'makes') wanted.add('persona');
    if (role === 'sings-with') wanted.delete('persona');

    return {
      number,
      title: spec.title,
      prompt: spec.prompt ?? style ?? spec.title,
      style,
      instrumental,
      lyrics: own?.text,
      lyricsFile: own?.file,
      steps: pipeline.kind === 'song' ? PIPELINE_STEPS.filter((s) => wanted.has(s)) : [],
      pipeline,
      persona: role,
      dirName: trackDirName(number, spec.title, count),
      fileStem: trackFileStem(number, spec.title, count),
      ...(spec.isrc !== undefined ? { isrc: spec.isrc } : {}),
      ...(spec.explicit !== undefined ? { explicit: spec.explicit } : {}),
    };
  });

  return {
    id: manifest.id ?? albumId(manifest.title, manifest.artist),
    title: manifest.title,
    artist: manifest.artist,
    year: manifest.year,
    genre: manifest.genre,
    provider,
    model: defaults.model ?? manifest.model,
    persona,
    concurrency: manifest.concurrency,
    failurePolicy: manifest.failurePolicy,
    budget: manifest.budget,
    loudness: manifest.loudness,
    analysis: manifest.analysis,
    manifestFile,
    ...(manifest.release ? { release: { ...manifest.release, ...(manifest.release.cover ? { cover: path.resolve(manifestFile ? path.dirname(manifestFile) : '.', manifest.release.cover) } : {}) } } : {}),
    tracks,
  };
}
