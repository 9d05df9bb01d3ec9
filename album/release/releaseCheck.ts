// The release check of an album already made: album.json and the files it lists, read from the album
// folder on this machine, measured, and checked against what distributors accept. Nothing is paid
// and nothing is written, so it runs in the client, before anything is uploaded anywhere.
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AlbumJson, AlbumJsonFile, AlbumJsonTrack } from '../../contracts/albumFiles';
import type { ReleaseSection } from '../manifest/release';
import type { DeliveryFormat } from '../../contracts/albumDelivery';
import { releaseProblems, type AlbumFacts, type ReleaseProblem, type TrackFacts } from './checks';
import { measureAudio, measureImage } from './measure';

export interface ReleaseCheckInput {
  albumDir: string;
  /** From the manifest: the release section (cover absolute) and each track's ISRC by number. */
  release?: ReleaseSection;
  isrcs?: ReadonlyMap<number, string>;
}

export interface ReleaseReport {
  albumDir: string;
  albumId: string;
  title: string;
  /** True when a distributor would take it as it is: no errors (warnings allowed). */
  ready: boolean;
  tracks: TrackFacts[];
  cover?: AlbumFacts['cover'];
  problems: ReleaseProblem[];
}

export class ReleaseCheckInputError extends Error {
  override readonly name = 'ReleaseCheckInputError';
}

async function readAlbumJson(albumDir: string): Promise<AlbumJson> {
  const file = path.join(albumDir, 'album.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReleaseCheckInputError(code === 'ENOENT' ? `${file} does not exist: make the album first (npm run album -- <manifest>)` : `${file} cannot be read (${code})`);
  }
  const album = JSON.parse(text) as Partial<AlbumJson>;
  if (album.version !== 1 || !Array.isArray(album.tracks)) throw new ReleaseCheckInputError(`${file} is not an album.json of version 1`);
  return album as AlbumJson;
}

/** The copy a distributor would get: the delivery folder's master, else mastered, else tagged, else the provider's own. */
export function deliveredFile(track: AlbumJsonTrack): AlbumJsonFile | undefined {
  for (const kind of ['delivery-master', 'mastered-audio', 'tagged-audio', 'audio'] as const) {
    const found = track.files.find((f) => f.kind === kind);
    if (found) return found;
  }
  return undefined;
}

async function trackFacts(albumDir: string, track: AlbumJsonTrack, isrc: string | undefined, delivery: DeliveryFormat | undefined): Promise<TrackFacts> {
  const base: TrackFacts = { number: track.number, title: track.title, ...(isrc ? { isrc } : {}), ...(track.analysis ? { analysis: track.analysis } : {}) };
  const file = deliveredFile(track);
  if (!file) return { ...base, missingReason: track.state === 'succeeded' ? 'album.json lists no audio file' : `the track ${track.state}${track.error ? `: ${track.error}` : ''}` };
  const absolute = path.join(albumDir, file.file);
  try {
    await access(absolute);
  } catch {
    return { ...base, file: file.file, missingReason: `${file.file} is missing` };
  }
  // Tagged copies of the same music differ by their tags; the provider's file says whether the music is the same.
  const source = track.files.find((f) => f.kind === 'audio') ?? file;
  return { ...base, file: file.file, audioSha256: source.sha256, audio: await measureAudio(absolute), ...(delivery ? { delivery } : {}), ...(file.kind === 'delivery-master' ? { deliveryMaster: true } : {}) };
}

async function coverFacts(albumDir: string, album: AlbumJson, release: ReleaseSection | undefined): Promise<AlbumFacts['cover']> {
  const own = release?.cover;
  const provider = album.tracks.flatMap((t) => t.files).find((f) => f.kind === 'cover-art') ?? album.tracks.flatMap((t) => t.files).find((f) => f.kind === 'cover');
  const file = own ?? (provider ? path.join(albumDir, provider.file) : undefined);
  if (!file) return undefined;
  const shown = own ?? provider!.file;
  const source = own ? 'release' : 'provider';
  try {
    await access(file);
  } catch {
    return { file: shown, source, missing: `does not exist (looked for ${file})` };
  }
  try {
    return { file: shown, source, image: await measureImage(file) };
  } catch (err) {
    return { file: shown, source, missing: `is not an image ffprobe can read (${(err as Error).message})` };
  }
}

export async function checkRelease(input: ReleaseCheckInput): Promise<ReleaseReport> {
  const album = await readAlbumJson(input.albumDir);
  const tracks: TrackFacts[] = [];
  // One track at a time: each measurement is two ffmpeg decodes, and the machine may be busy.
  // The format the masters were made to: as album.json records it, else as the manifest asks now.
  const delivery = album.delivery?.settings ?? input.release?.delivery;
  for (const track of [...album.tracks].sort((a, b) => a.number - b.number)) tracks.push(await trackFacts(input.albumDir, track, input.isrcs?.get(track.number), delivery));
  const cover = await coverFacts(input.albumDir, album, input.release);
  const problems = releaseProblems({ release: input.release, cover, tracks });
  return { albumDir: input.albumDir, albumId: album.id, title: album.title, ready: !problems.some((p) => p.severity === 'error'), tracks, cover, problems };
}
