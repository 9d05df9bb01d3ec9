// Entry points for album manifests: text to a validated manifest (every error listed with its path),
// and a manifest file to the resolved plan the album workflow runs (lyrics files read and checked).
// Nothing is started from a manifest with errors, so everything that can be known before a submit
// is checked here.
import path from 'node:path';
import type { ProviderName } from '../../providers/model';
import { issueLines, pathError } from '../../pipeline/definition/pathErrors';
import { readLyricsFile } from '../../pipeline/definition/lyricsFile';
import { readDocumentFile, readYamlDocument } from '../../pipeline/definition/yamlDocument';
import { resolveAlbum, type ResolvedAlbum } from './resolve';
import { albumProvider, crossFieldErrors, trackPipelineName } from './rules';
import { BUILTIN_SONG, loadTrackPipeline, type TrackPipeline, type TrackValues } from './trackPipeline';
import { albumManifestSchema, KNOWN_FIELDS, type AlbumManifest } from './schema';

export type { AlbumManifest, AlbumTrackSpec, ManifestPersona } from './schema';
export type { ResolvedAlbum, ResolvedTrack, TrackPersonaRole } from './resolve';
export type { TrackPipeline } from './trackPipeline';
export { ALBUM_LIMITS } from './schema';

export type ParseResult = { ok: true; album: AlbumManifest; provider: ProviderName } | { ok: false; errors: string[] };
export type LoadResult = { ok: true; album: ResolvedAlbum } | { ok: false; errors: string[] };

export interface ParseOptions {
  /** Named in syntax errors. */
  file?: string;
  /** The provider when the manifest names none (the CLI passes MUSIC_PROVIDER / --provider). Default anyint. */
  defaultProvider?: ProviderName;
}

/** YAML or JSON (JSON is YAML) to a validated manifest; on failure every problem, each as `path: message`. */
export function parseAlbumManifest(text: string, options: ParseOptions = {}): ParseResult {
  const read = readYamlDocument(text, options.file ?? '(manifest)');
  if (!read.ok) return read;
  const checked = checkManifestValue(read.value, options.defaultProvider ?? 'anyint');
  if (!checked.ok) return { ok: false, errors: sortErrors(checked.errors) };
  return checked;
}

/** The document's fields and the rules between them, every problem at once. */
function checkManifestValue(raw: unknown, defaultProvider: ProviderName): ParseResult {
  if (raw === null || raw === undefined) return { ok: false, errors: [pathError([], 'the manifest is empty (it needs title, artist and tracks)')] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, errors: [pathError([], 'expected a mapping with title, artist and tracks')] };
  const parsed = albumManifestSchema.safeParse(raw, { reportInput: true });
  const errors = [...(parsed.success ? [] : parsed.error.issues.flatMap((i) => issueLines(i, KNOWN_FIELDS))), ...crossFieldErrors(raw, defaultProvider)];
  const provider = albumProvider(raw, defaultProvider);
  if (errors.length > 0 || !parsed.success || !provider) return { ok: false, errors: unique(errors) };
  return { ok: true, album: parsed.data, provider };
}

export interface LoadOptions {
  defaultProvider?: ProviderName;
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

/**
 * Reads a manifest file, validates it, reads every lyrics file and every pipeline definition it names
 * (relative to the manifest's folder), and resolves each track's effective settings. Everything is
 * checked in one pass: the manifest's fields, its lyrics files and its definitions (each checked with
 * the track's settings filled in) are listed together, so a broken file needs one round of fixes.
 */
export async function loadAlbumManifest(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const absolute = path.resolve(file);
  const read = await readDocumentFile(file, absolute);
  if (!read.ok) return read;
  const document = readYamlDocument(read.text, file);
  if (!document.ok) return document;
  const raw = document.value;
  const defaultProvider = options.defaultProvider ?? 'anyint';
  const checked = checkManifestValue(raw, defaultProvider);
  const errors: string[] = checked.ok ? [] : [...checked.errors];

  // The files the manifest names are read even when its fields have errors, from whatever is
  // readable in the raw document, so their problems are not left for a second pass.
  const base = path.dirname(absolute);
  const rawTracks: unknown[] = isRecord(raw) && Array.isArray(raw.tracks) ? raw.tracks : [];
  const lyrics = new Map<number, { text: string; file: string }>();
  await Promise.all(
    rawTracks.map(async (track, index) => {
      const given = isRecord(track) ? textOf(track.lyricsFile) : undefined;
      if (!given) return;
      const lyricsPath = path.resolve(base, given);
      const read = await readLyricsFile(lyricsPath);
      if (read.ok) lyrics.set(index + 1, { text: read.text, file: lyricsPath });
      else errors.push(pathError(['tracks', index, 'lyricsFile'], `${given}: ${read.reason}${read.reason === 'no such file' ? ` (looked for ${lyricsPath})` : ''}`));
    }),
  );
  const provider = albumProvider(raw, defaultProvider);
  const pipelines = new Map<number, TrackPipeline>();
  if (provider) errors.push(...(await loadTrackPipelines(raw, rawTracks, base, provider, lyrics, pipelines)));

  if (errors.length > 0 || !checked.ok) return { ok: false, errors: sortErrors(unique(errors)) };
  return { ok: true, album: resolveAlbum({ manifest: checked.album, provider: checked.provider, lyrics, pipelines, manifestFile: absolute }) };
}

/**
 * Every track's definition file, read and checked with the track's settings filled in. A definition
 * a track names itself reports under `tracks[N].pipeline`; one the album names for every track
 * reports under `pipeline`, each problem once, with the tracks it concerns.
 */
async function loadTrackPipelines(
  raw: unknown,
  rawTracks: unknown[],
  base: string,
  provider: ProviderName,
  lyrics: ReadonlyMap<number, { text: string }>,
  out: Map<number, TrackPipeline>,
): Promise<string[]> {
  const album = isRecord(raw) ? raw : {};
  const defaults = isRecord(album.defaults) ? album.defaults : {};
  const persona = isRecord(album.persona) ? album.persona : {};
  const errors: string[] = [];
  const shared = new Map<string, number[]>();
  await Promise.all(
    rawTracks.map(async (track, index) => {
      const name = trackPipelineName(raw, track);
      if (name === BUILTIN_SONG || !isRecord(track)) return;
      const number = index + 1;
      const instrumental = typeof track.instrumental === 'boolean' ? track.instrumental : defaults.instrumental === true;
      const values: TrackValues = {
        title: textOf(track.title),
        prompt: textOf(track.prompt) ?? textOf(track.style) ?? textOf(defaults.style) ?? textOf(track.title),
        style: textOf(track.style) ?? textOf(defaults.style),
        model: textOf(defaults.model) ?? textOf(album.model),
        instrumental,
        lyrics: instrumental ? undefined : lyrics.get(number)?.text,
        persona: instrumental ? undefined : persona.strategy === 'given' && textOf(persona.personaId) ? { id: textOf(persona.personaId)! } : persona.strategy === 'from-track' ? 'album' : undefined,
      };
      const loaded = await loadTrackPipeline(name, base, provider, values);
      if (loaded.ok) out.set(number, loaded.pipeline);
      else if (textOf(track.pipeline)) errors.push(...loaded.errors.map((e) => pathError(['tracks', index, 'pipeline'], e)));
      else for (const e of loaded.errors) shared.set(e, [...(shared.get(e) ?? []), number]);
    }),
  );
  for (const [error, numbers] of shared) {
    const sorted = numbers.sort((a, b) => a - b);
    errors.push(pathError(['pipeline'], `${error} (${sorted.length === 1 ? 'track' : 'tracks'} ${sorted.join(', ')})`));
  }
  return errors;
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}

/** Album-wide problems first, then track by track in album order (stable within a track). */
function sortErrors(lines: string[]): string[] {
  const index = (line: string) => Number(/^tracks\[(\d+)\]/.exec(line)?.[1] ?? -1);
  return [...lines].sort((a, b) => index(a) - index(b));
}
