// album.json: every track of the album and every file it has, each checked on disk when the album is
// written. A track's own files come from its track.json (the song pipeline's record, with provider
// ids and URLs); files beyond it (tagged and mastered copies, playlists) are passed in. Hashes are
// computed from the disk, and a file whose recorded sha256 no longer matches fails the write: the
// manifest must describe what is really there.
import path from 'node:path';
import { probeMedia } from '../../runtime/ffmpeg';
import type { TrackManifest } from '../../contracts/trackManifest';
import { hashFile } from '../../artifacts/atomicFile';
import type { ArtifactStore } from '../../artifacts/store/artifactStore';
import type { AlbumFileInput, AlbumFileKind, AlbumJson, AlbumJsonFile, AlbumJsonTrack, AlbumTrackInput, WriteAlbumManifestInput } from '../../contracts/albumFiles';
import { playlistLocation } from './playlist';
import { addRunCredits } from '../../steps/paidCredits';

export class AlbumFileError extends Error {
  override readonly name = 'AlbumFileError';
}

const TIMED_KINDS: readonly AlbumFileKind[] = ['audio', 'wav', 'stem', 'video', 'tagged-audio', 'mastered-audio'];

async function describeFile(store: ArtifactStore, albumDir: string, input: AlbumFileInput, owner: string): Promise<AlbumJsonFile> {
  let actual: { sha256: string; bytes: number };
  let probed: number | undefined;
  const needsProbe = input.durationSeconds === undefined && TIMED_KINDS.includes(input.kind);
  try {
    // Read through the store (a scratch copy when it is a bucket, checked against the object's own sha256).
    [actual, probed] = await store.withLocalCopy(input.path, async (file) => [await hashFile(file), needsProbe ? (await probeMedia(file)).durationSeconds : undefined] as const);
  } catch (err) {
    // A bucket that does not answer is not a missing file: let the activity retry.
    if (typeof err === 'object' && err !== null && '$metadata' in err) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new AlbumFileError(`${owner}: ${input.path} ${code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (err as Error).message})`}`);
  }
  if (input.sha256 && input.sha256 !== actual.sha256) {
    throw new AlbumFileError(`${owner}: ${input.path} changed since it was recorded (sha256 ${actual.sha256.slice(0, 12)}…, recorded ${input.sha256.slice(0, 12)}…)`);
  }
  const durationSeconds = input.durationSeconds ?? probed;
  return {
    file: playlistLocation(albumDir, input.path),
    kind: input.kind,
    sha256: actual.sha256,
    bytes: actual.bytes,
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(input.source ? { source: input.source } : {}),
  };
}

async function readTrackManifest(store: ArtifactStore, trackDir: string, owner: string): Promise<TrackManifest> {
  const file = path.join(trackDir, 'track.json');
  try {
    const manifest = JSON.parse((await store.readBytes(file)).toString('utf8')) as TrackManifest;
    if (manifest.version !== 1 || !Array.isArray(manifest.files)) throw new Error('not a track.json of version 1');
    return manifest;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AlbumFileError(`${owner}: ${file} ${code === 'ENOENT' ? 'is missing' : `is unreadable (${(err as Error).message})`}`);
  }
}

/** The album.json an earlier run wrote, for the credits it records; none (or unreadable) is a first run. */
async function readPreviousAlbumJson(store: ArtifactStore, albumDir: string): Promise<Partial<AlbumJson> | undefined> {
  try {
    const previous = JSON.parse((await store.readBytes(path.join(albumDir, 'album.json'))).toString('utf8')) as Partial<AlbumJson>;
    return previous && typeof previous === 'object' ? previous : undefined;
  } catch {
    return undefined;
  }
}

async function describeTrack(store: ArtifactStore, albumDir: string, track: AlbumTrackInput, previous?: { track?: AlbumJsonTrack; runId?: string; thisRunId: string }): Promise<AlbumJsonTrack> {
  const owner = `track ${track.number} "${track.title}"`;
  const manifest = track.trackDir ? await readTrackManifest(store, track.trackDir, owner) : undefined;
  const inputs: AlbumFileInput[] = [];
  if (manifest && track.trackDir) {
    for (const f of manifest.files) inputs.push({ path: path.join(track.trackDir, f.file), kind: f.kind, sha256: f.sha256, durationSeconds: f.durationSeconds, source: f.source });
    inputs.push({ path: path.join(track.trackDir, 'track.json'), kind: 'manifest' });
  }
  inputs.push(...(track.files ?? []));
  const files: AlbumJsonFile[] = [];
  // One at a time: a track has a handful of files, and hashing them in parallel only thrashes the disk.
  for (const input of inputs) files.push(await describeFile(store, albumDir, input, owner));

  const tasks: Record<string, string> = {};
  for (const [step, record] of Object.entries(manifest?.steps ?? {})) if (record?.taskId) tasks[step] = record.taskId;
  const song = files.find((f) => f.kind === 'audio') ?? files.find((f) => f.kind === 'tagged-audio');
  return {
    number: track.number,
    title: track.title,
    state: track.state,
    ...(track.error ? { error: track.error } : {}),
    ...(track.attempts !== undefined ? { attempts: track.attempts } : {}),
    workflowId: track.workflowId ?? manifest?.workflowId,
    runId: track.runId ?? manifest?.runId,
    ...(track.trackDir ? { dir: playlistLocation(albumDir, track.trackDir) } : {}),
    provider: { songTaskId: manifest?.clip?.taskId, clipId: manifest?.clip?.clipId, personaId: manifest?.personaId, tasks },
    credits: { ...track.credits, ...(previous ? addRunCredits(previous.track?.credits, previous.runId, previous.thisRunId, track.credits?.spent ?? 0) : {}) },
    ...(song?.durationSeconds !== undefined ? { durationSeconds: song.durationSeconds } : {}),
    ...(track.loudness ? { loudness: track.loudness } : {}),
    ...(track.analysis ? { analysis: track.analysis } : {}),
    ...(track.analysisError ? { analysisError: track.analysisError } : {}),
    files,
  };
}

/** `store`: where the album's files are read from (the local output folder or a bucket). */
export async function buildAlbumJson(input: WriteAlbumManifestInput, store: ArtifactStore): Promise<AlbumJson> {
  const { album } = input;
  const earlier = await readPreviousAlbumJson(store, input.albumDir);
  // Without a run id there is nothing to key this run's credits by: record them as they are.
  const thisRunId = album.runId;
  const tracks: AlbumJsonTrack[] = [];
  for (const track of [...input.tracks].sort((a, b) => a.number - b.number)) {
    const previousTrack = earlier?.tracks?.find((t) => t.number === track.number);
    tracks.push(await describeTrack(store, input.albumDir, track, thisRunId ? { track: previousTrack, runId: earlier?.runId, thisRunId } : undefined));
  }
  const files: AlbumJsonFile[] = [];
  for (const f of input.files ?? []) files.push(await describeFile(store, input.albumDir, f, 'album'));
  const spentThisRun = tracks.reduce((n, t) => n + (t.credits.spentThisRun ?? t.credits.spent ?? 0), 0);
  return {
    version: 1,
    id: album.id,
    title: album.title,
    artist: album.artist,
    year: album.year,
    genre: album.genre,
    provider: album.provider,
    model: album.model,
    workflowId: album.workflowId,
    runId: album.runId,
    completedAt: album.completedAt,
    persona: album.persona,
    loudness: album.loudness,
    credits: { ...album.credits, ...(thisRunId ? addRunCredits(earlier?.credits, earlier?.runId, thisRunId, spentThisRun) : { spent: round(spentThisRun) }) },
    trackCount: tracks.length,
    durationSeconds: round(tracks.reduce((n, t) => n + (t.durationSeconds ?? 0), 0)),
    tracks,
    files,
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
