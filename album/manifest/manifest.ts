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
import { albumProvider, crossFieldErrors } from './rules';
import { albumManifestSchema, KNOWN_FIELDS, type AlbumManifest } from './schema';

export type { AlbumManifest, AlbumTrackSpec, ManifestPersona } from './schema';
export type { ResolvedAlbum, ResolvedTrack, TrackPersonaRole } from './resolve';
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
  const where = options.file ?? '(manifest)';
  const read = readYamlDocument(text, where);
  if (!read.ok) return read;
  const raw = read.value;
  if (raw === null || raw === undefined) return { ok: false, errors: [pathError([], 'the manifest is empty (it needs title, artist and tracks)')] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, errors: [pathError([], 'expected a mapping with title, artist and tracks')] };

  const defaultProvider = options.defaultProvider ?? 'anyint';
  const parsed = albumManifestSchema.safeParse(raw, { reportInput: true });
  const errors = [...(parsed.success ? [] : parsed.error.issues.flatMap((i) => issueLines(i, KNOWN_FIELDS))), ...crossFieldErrors(raw, defaultProvider)];
  const provider = albumProvider(raw, defaultProvider);
  if (errors.length > 0 || !parsed.success || !provider) return { ok: false, errors: unique(errors).sort(byTrackPosition) };
  return { ok: true, album: parsed.data, provider };
}

export interface LoadOptions {
  defaultProvider?: ProviderName;
}

/**
 * Reads a manifest file, validates it, reads every lyrics file (relative to the manifest's folder)
 * and resolves each track's effective settings. All problems, of the manifest and of the lyrics
 * files, are listed together.
 */
export async function loadAlbumManifest(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const absolute = path.resolve(file);
  const read = await readDocumentFile(file, absolute);
  if (!read.ok) return read;
  const { text } = read;
  const parsed = parseAlbumManifest(text, { file, defaultProvider: options.defaultProvider });
  if (!parsed.ok) return parsed;

  const base = path.dirname(absolute);
  const lyrics = new Map<number, { text: string; file: string }>();
  const errors: string[] = [];
  await Promise.all(
    parsed.album.tracks.map(async (track, index) => {
      if (!track.lyricsFile) return;
      const lyricsPath = path.resolve(base, track.lyricsFile);
      const read = await readLyricsFile(lyricsPath);
      if (read.ok) lyrics.set(index + 1, { text: read.text, file: lyricsPath });
      else errors.push(pathError(['tracks', index, 'lyricsFile'], `${track.lyricsFile}: ${read.reason}${read.reason === 'no such file' ? ` (looked for ${lyricsPath})` : ''}`));
    }),
  );
  if (errors.length > 0) return { ok: false, errors: errors.sort(byTrackPosition) };
  return { ok: true, album: resolveAlbum({ manifest: parsed.album, provider: parsed.provider, lyrics, manifestFile: absolute }) };
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}

function byTrackPosition(a: string, b: string): number {
  const index = (line: string) => Number(/^tracks\[(\d+)\]/.exec(line)?.[1] ?? -1);
  return index(a) - index(b);
}
