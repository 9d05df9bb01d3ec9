// The activity that writes report.html in the album folder: album.json read through the artifact
// store, each track's delivered audio (mastered, else tagged, else the provider's) measured
// (duration, integrated loudness, true peak) and drawn as a waveform, the cover and the lyrics
// embedded, and the page committed whole through the store (a local folder or a bucket alike).
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ArtifactCorruptError, ArtifactMissingError, type ArtifactStore } from '../../artifacts/store/artifactStore';
import { imageMime } from '../../artifacts/id3Tags';
import { keepAlive } from '../../artifacts/keepAlive';
import { ALBUM_ASSEMBLY_FAILURE, type AlbumJson, type AlbumJsonTrack, type WriteAlbumReportInput, type WrittenAlbumFile } from '../../contracts/albumFiles';
import { measureAudio } from '../release/measure';
import { deliveredFile } from '../release/releaseCheck';
import { renderAlbumReport, type ReportImage, type ReportTrack } from './reportHtml';
import { waveformPng } from './waveform';

export const REPORT_FILE = 'report.html';

function badInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ALBUM_ASSEMBLY_FAILURE);
}

/** A missing or corrupt file is bad input (a retry finds it the same); a store that does not answer is retried. */
function rethrowStoreError(err: unknown, what: string): never {
  if (err instanceof ArtifactMissingError || err instanceof ArtifactCorruptError) throw badInput(`report: ${what}: ${err.message}`);
  throw err;
}

async function readAlbumJson(store: ArtifactStore, albumDir: string): Promise<AlbumJson> {
  const file = path.join(albumDir, 'album.json');
  const bytes = await store.readBytes(file).catch((err) => rethrowStoreError(err, 'album.json'));
  const album = JSON.parse(bytes.toString('utf8')) as Partial<AlbumJson>;
  if (album.version !== 1 || !Array.isArray(album.tracks)) throw badInput(`report: ${file} is not an album.json of version 1`);
  return album as AlbumJson;
}

async function readImage(store: ArtifactStore, file: string): Promise<ReportImage | undefined> {
  const data = await store.readBytes(file).catch((err) => rethrowStoreError(err, 'cover'));
  const mime = imageMime(data.subarray(0, 12));
  return mime ? { mime, data } : undefined;
}

function coverFile(albumDir: string, album: AlbumJson): string | undefined {
  const own = album.files.find((f) => f.kind === 'cover');
  const fromTrack = album.tracks.flatMap((t) => t.files).find((f) => f.kind === 'cover-art') ?? album.tracks.flatMap((t) => t.files).find((f) => f.kind === 'cover');
  const chosen = own ?? fromTrack;
  return chosen ? path.join(albumDir, chosen.file) : undefined;
}

function providerIds(track: AlbumJsonTrack): ReportTrack['providerIds'] {
  const ids: ReportTrack['providerIds'] = [];
  const p = track.provider;
  if (p?.songTaskId) ids.push({ label: 'song task', value: p.songTaskId });
  if (p?.clipId) ids.push({ label: 'clip', value: p.clipId });
  if (p?.personaId) ids.push({ label: 'persona', value: p.personaId });
  for (const [step, taskId] of Object.entries(p?.tasks ?? {})) if (!(step === 'song' && taskId === p?.songTaskId)) ids.push({ label: `${step} task`, value: taskId });
  return ids;
}

async function describeTrack(store: ArtifactStore, albumDir: string, track: AlbumJsonTrack): Promise<ReportTrack> {
  const base: ReportTrack = {
    number: track.number,
    title: track.title,
    state: track.state,
    ...(track.error ? { error: track.error } : {}),
    ...(track.analysis ? { bpm: track.analysis.bpm, key: track.analysis.key } : {}),
    ...(track.credits?.spent !== undefined ? { creditsSpent: track.credits.spent } : {}),
    providerIds: providerIds(track),
  };
  const lyricsFile = track.files.find((f) => f.kind === 'lyrics');
  if (lyricsFile) base.lyrics = (await store.readBytes(path.join(albumDir, lyricsFile.file)).catch((err) => rethrowStoreError(err, `track ${track.number} lyrics`))).toString('utf8');
  const audio = deliveredFile(track);
  if (!audio) return base;
  const measured = await store
    .withLocalCopy(path.join(albumDir, audio.file), async (file) => ({ figures: await measureAudio(file), waveform: await waveformPng(file) }))
    .catch((err) => rethrowStoreError(err, `track ${track.number} audio`));
  return {
    ...base,
    file: audio.file,
    durationSeconds: measured.figures.durationSeconds,
    ...(measured.figures.integratedLufs !== undefined ? { integratedLufs: measured.figures.integratedLufs, truePeakDb: measured.figures.truePeakDb } : {}),
    waveform: { mime: 'image/png', data: measured.waveform },
  };
}

export function createAlbumReportActivities(store: ArtifactStore) {
  async function writeAlbumReport(input: WriteAlbumReportInput): Promise<WrittenAlbumFile> {
    const album = await readAlbumJson(store, input.albumDir);
    const cover = coverFile(input.albumDir, album);
    const tracks: ReportTrack[] = [];
    // One track at a time: each is two decodes and a drawing, and the worker has other work.
    for (const track of [...album.tracks].sort((a, b) => a.number - b.number)) tracks.push(await describeTrack(store, input.albumDir, track));
    const html = renderAlbumReport({
      title: album.title,
      artist: album.artist,
      year: album.year,
      genre: album.genre,
      provider: album.provider,
      model: album.model,
      completedAt: album.completedAt,
      creditsSpent: album.credits.spent,
      durationSeconds: album.durationSeconds,
      cover: cover ? await readImage(store, cover) : undefined,
      tracks,
    });
    const target = path.join(input.albumDir, REPORT_FILE);
    return { path: target, ...(await store.writeBytes(target, Buffer.from(html, 'utf8'), 'text/html; charset=utf-8')) };
  }
  return { writeAlbumReport: keepAlive(writeAlbumReport) };
}

export type AlbumReportActivities = ReturnType<typeof createAlbumReportActivities>;
