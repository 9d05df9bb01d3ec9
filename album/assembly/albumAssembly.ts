// Activities that turn finished track folders into an album: tagged MP3s a player shows with track
// numbers, cover art and lyrics; optional mastered copies at a loudness target; the album's own
// cover file; album.json; a playlist. Every file is produced in a scratch file and committed to the
// artifact store (renamed into place in the output folder, or uploaded to the bucket) once complete
// and checked, so running an activity again (a retry, a rerun of the album) rewrites the same bytes
// and never exposes a half-written file. The song pipeline's own files are only read, through the
// store, which checks each against its sha256: their sha256 in track.json is what lets a later run
// reuse them.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { probeMedia } from '../../runtime/ffmpeg';
import { AlbumFileError, buildAlbumJson } from './albumJson';
import {
  ALBUM_ASSEMBLY_FAILURE,
  type NormalizeLoudnessInput,
  type NormalizeLoudnessResult,
  type TagTrackInput,
  type TagTrackResult,
  type WriteAlbumCoverInput,
  type WriteAlbumManifestInput,
  type WrittenAlbumCover,
  type WritePlaylistInput,
  type WrittenAlbumFile,
  type WrittenAlbumManifest,
} from '../../contracts/albumFiles';
import { ArtifactCorruptError, ArtifactMissingError, type ArtifactStore } from '../../artifacts/store/artifactStore';
import { buildTags, imageMime, loadCover as loadCoverImage, readTags, tagMp3, UnsupportedImageError, type TrackTags } from '../../artifacts/id3Tags';
import { keepAlive } from '../../artifacts/keepAlive';
import { measureLoudness, normalizeInto, outputFormat, SilentAudioError, SUPPORTED_OUTPUT_EXTENSIONS } from './loudness';
import { playlistLocation, renderM3u8 } from './playlist';
import { id3Key } from '../analysis/audioAnalysis';


/** Bad input (a missing file, not an MP3, silent audio): the same call would fail again, so it is not retried. */
export function badInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ALBUM_ASSEMBLY_FAILURE);
}

/**
 * A stored input as a file on this machine for `use`; a missing or corrupt one is bad input (a retry
 * would find it the same), while a store that does not answer fails the attempt and is retried.
 */
export async function withInput<T>(store: ArtifactStore, file: string, what: string, use: (local: string) => Promise<T>): Promise<T> {
  try {
    return await store.withLocalCopy(file, use);
  } catch (err) {
    if (err instanceof ArtifactMissingError) throw badInput(`${what} ${file} does not exist`);
    if (err instanceof ArtifactCorruptError) throw badInput(`${what} ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EISDIR') throw badInput(`${what} ${file} cannot be read (${code})`);
    throw err;
  }
}

/** Produces `target` in a scratch file with `fill` and commits it to the store; the scratch file never outlives the call. */
export async function produce<T>(store: ArtifactStore, target: string, fill: (temp: string) => Promise<T>, contentType?: string): Promise<{ result: T; sha256: string; bytes: number }> {
  const temp = await store.scratchFor(target);
  try {
    const result = await fill(temp);
    const { sha256, bytes } = await store.commit(temp, target, undefined, contentType);
    return { result, sha256, bytes };
  } finally {
    await store.discard(temp);
  }
}

/** Cover art for APIC; an image we cannot use is bad input. */
async function loadCover(file: string): Promise<TrackTags['cover']> {
  try {
    return await loadCoverImage(file);
  } catch (err) {
    if (err instanceof UnsupportedImageError) throw badInput(`cover ${err.message}`);
    throw err;
  }
}

function defaultTaggedPath(mp3Path: string): string {
  const ext = path.extname(mp3Path);
  return path.join(path.dirname(mp3Path), `${path.basename(mp3Path, ext)}.tagged${ext || '.mp3'}`);
}

const DURATION_TOLERANCE_SECONDS = 0.1;

const COVER_EXTENSIONS = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/webp': '.webp' } as const;

export function createAlbumAssemblyActivities(store: ArtifactStore) {
  const activities = {
    /** Writes a tagged copy of an MP3 (ID3v2.3: title, artist, album, n/N, year, genre, cover, lyrics, timed lyrics). */
    async tagTrack(input: TagTrackInput): Promise<TagTrackResult> {
      const outPath = input.outPath ?? defaultTaggedPath(input.mp3Path);
      const { audio, source } = await withInput(store, input.mp3Path, 'song', async (file) => ({
        audio: await readFile(file),
        source: await probeMedia(file).catch((err: Error) => {
          throw badInput(`song ${input.mp3Path} does not decode: ${err.message}`);
        }),
      }));
      if (!source.streams.some((s) => s.codecType === 'audio' && s.codecName === 'mp3')) throw badInput(`song ${input.mp3Path} is not an MP3 (ID3 tags are for MP3 files)`);

      const { tags, frames } = buildTags({
        title: input.title,
        artist: input.artist,
        album: input.album,
        trackNumber: input.trackNumber,
        trackCount: input.trackCount,
        year: input.year,
        genre: input.genre,
        cover: input.coverPath ? await withInput(store, input.coverPath, 'cover', loadCover) : undefined,
        lyricsText: input.lyricsPath ? await withInput(store, input.lyricsPath, 'lyrics', (file) => readFile(file, 'utf8')) : input.lyricsText,
        lrcText: input.lrcPath ? await withInput(store, input.lrcPath, 'timed lyrics', (file) => readFile(file, 'utf8')) : undefined,
        language: input.language,
        isrc: input.isrc,
        label: input.label,
        copyright: input.copyright,
        bpm: input.analysis?.bpm,
        initialKey: input.analysis ? id3Key(input.analysis.key) : undefined,
      });
      const tagged = tagMp3(audio, tags);

      const { result: durationSeconds, sha256, bytes } = await produce(store, outPath, async (temp) => {
        await writeFile(temp, tagged);
        // Check the copy before it takes the final name: it still decodes to the same length, and the
        // tag reads back with the track's own title and number.
        const probe = await probeMedia(temp);
        if (Math.abs(probe.durationSeconds - source.durationSeconds) > DURATION_TOLERANCE_SECONDS) {
          throw new Error(`tagged copy of ${input.mp3Path} lasts ${probe.durationSeconds} s instead of ${source.durationSeconds} s`);
        }
        const back = readTags(temp);
        if (back.title !== input.title || back.trackNumber !== tags.trackNumber) throw new Error(`tags of ${outPath} do not read back (title "${back.title}", track ${back.trackNumber})`);
        return probe.durationSeconds;
      }, 'audio/mpeg');
      return { path: outPath, sha256, bytes, durationSeconds, frames };
    },

    /** Writes a mastered copy at the target integrated loudness (two-pass loudnorm) and measures it. */
    async normalizeLoudness(input: NormalizeLoudnessInput): Promise<NormalizeLoudnessResult> {
      if (path.resolve(input.inPath) === path.resolve(input.outPath)) throw badInput(`mastering writes a separate file; outPath is the input ${input.inPath}`);
      if (!outputFormat(input.outPath)) throw badInput(`mastered file ${input.outPath}: the extension must be one of ${SUPPORTED_OUTPUT_EXTENSIONS.join(', ')}`);
      if (!(input.targetLufs >= -70 && input.targetLufs <= -5)) throw badInput(`loudness target ${input.targetLufs} LUFS is outside -70..-5`);
      const truePeakDb = input.truePeakDb ?? -1;
      try {
        const { result, sha256, bytes } = await withInput(store, input.inPath, 'song', (inFile) =>
          produce(store, input.outPath, async (temp) => {
            const done = await normalizeInto(inFile, temp, input.outPath, { targetLufs: input.targetLufs, truePeakDb });
            const after = await measureLoudness(temp, { targetLufs: input.targetLufs, truePeakDb, rangeLu: 11 });
            return { ...done, after, durationSeconds: (await probeMedia(temp)).durationSeconds };
          }),
        );
        const { before, normalization, after, durationSeconds } = result;
        return { path: input.outPath, sha256, bytes, durationSeconds, targetLufs: input.targetLufs, before: before.stats, after: after.stats, normalization };
      } catch (err) {
        if (err instanceof SilentAudioError) throw badInput(`cannot master ${input.inPath}: ${err.message}`);
        throw err;
      }
    },

    /** Writes album.json in the album folder: every track and every file, hashed on disk. */
    async writeAlbumManifest(input: WriteAlbumManifestInput): Promise<WrittenAlbumManifest> {
      let album;
      try {
        album = await buildAlbumJson(input, store);
      } catch (err) {
        // A missing or changed file will not come back by retrying.
        if (err instanceof AlbumFileError) throw badInput(`album.json: ${err.message}`);
        throw err;
      }
      const target = path.join(input.albumDir, 'album.json');
      const written = await store.writeBytes(target, Buffer.from(`${JSON.stringify(album, null, 2)}\n`, 'utf8'), 'application/json');
      return { path: target, ...written, creditsTotal: album.credits.spent };
    },

    /**
     * Writes the album's own cover (cover.png, .jpg or .webp, by its content) in the album folder: a
     * copy of the given image, written only when its bytes differ from what is there.
     */
    async writeAlbumCover(input: WriteAlbumCoverInput): Promise<WrittenAlbumCover> {
      const image = await withInput(store, input.sourcePath, 'cover', (file) => readFile(file));
      const mime = imageMime(image.subarray(0, 12));
      if (!mime) throw badInput(`cover ${input.sourcePath} is not a PNG, JPEG or WebP image`);
      const target = path.join(input.albumDir, `cover${COVER_EXTENSIONS[mime]}`);
      const sha256 = createHash('sha256').update(image).digest('hex');
      const existing = await store.digestOf(target);
      if (existing?.sha256 === sha256) return { path: target, ...existing, rewritten: false };
      const written = await store.writeBytes(target, image, mime);
      // A cover of another type (the first track's image went from PNG to JPEG) is the old album's:
      // left there, a player or a distributor could pick it instead of the one album.json lists.
      for (const extension of Object.values(COVER_EXTENSIONS)) {
        const other = path.join(input.albumDir, `cover${extension}`);
        if (other !== target) await store.remove(other);
      }
      return { path: target, ...written, rewritten: true };
    },

    /** Writes an .m3u8 playlist (default playlist.m3u8) in the album folder, with relative paths. */
    async writePlaylist(input: WritePlaylistInput): Promise<WrittenAlbumFile> {
      const lines = [];
      for (const entry of input.entries) {
        let durationSeconds = entry.durationSeconds;
        if (durationSeconds === undefined) {
          const probe = await withInput(store, entry.path, 'playlist entry', (file) => probeMedia(file)).catch((err: Error) => {
            if (err instanceof ApplicationFailure) throw err;
            throw badInput(`playlist entry ${entry.path}: ${err.message}`);
          });
          durationSeconds = probe.durationSeconds;
        }
        lines.push({ location: playlistLocation(input.albumDir, entry.path), title: entry.title, artist: entry.artist, durationSeconds });
      }
      const target = path.join(input.albumDir, input.fileName ?? 'playlist.m3u8');
      return { path: target, ...(await store.writeBytes(target, Buffer.from(renderM3u8(lines, input.title), 'utf8'), 'audio/x-mpegurl')) };
    },
  };
  return {
    tagTrack: keepAlive(activities.tagTrack),
    normalizeLoudness: keepAlive(activities.normalizeLoudness),
    writeAlbumManifest: keepAlive(activities.writeAlbumManifest),
    writePlaylist: keepAlive(activities.writePlaylist),
    writeAlbumCover: keepAlive(activities.writeAlbumCover),
  };
}

export type AlbumAssemblyActivities = ReturnType<typeof createAlbumAssemblyActivities>;
