// A single's song.mp3 tagged in place, like an album's tracks: title, the style as genre, the cover
// (art or the clip's image) as APIC, lyrics.txt as USLT and lyrics.lrc as SYLT. The tag is rebuilt
// from the folder's files every time and written only when the bytes would differ, so a rerun that
// reuses everything leaves the file (and its sha256 in track.json) as it is. The tagged copy is made
// in a scratch file, checked (it still decodes to the same length, its title reads back), and
// committed through the artifact store, so a bucket works as the local folder does.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { probeMedia } from '../runtime/ffmpeg';
import { SONG_TAG_FAILURE, type TagSongInput, type TagSongResult } from '../contracts/artifacts';
import { buildTags, loadCover, readTags, stripId3, tagMp3, UnsupportedImageError } from './id3Tags';
import { keepAlive } from './keepAlive';
import { ArtifactCorruptError, ArtifactMissingError, type ArtifactStore } from './store/artifactStore';

/** The tagged file may differ from the untagged one in length by at most this much (frames, not audio, changed). */
const DURATION_TOLERANCE_SECONDS = 0.1;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The sha256 of an MP3's audio without its ID3 tags: unchanged by tagging. */
export function audioSha256(mp3: Buffer): string {
  return sha256(stripId3(mp3));
}

/** A file that is missing, corrupt or no MP3 will be so on a retry too. */
function badInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, SONG_TAG_FAILURE);
}

async function readInput<T>(store: ArtifactStore, file: string, what: string, use: (local: string) => Promise<T>): Promise<T> {
  try {
    return await store.withLocalCopy(file, use);
  } catch (err) {
    if (err instanceof ArtifactMissingError) throw badInput(`${what} ${file} does not exist`);
    if (err instanceof ArtifactCorruptError) throw badInput(`${what} ${err.message}`);
    if (err instanceof UnsupportedImageError) throw badInput(`${what} ${err.message}`);
    throw err;
  }
}

export function createSongTagActivities(store: ArtifactStore) {
  async function tagSong(input: TagSongInput): Promise<TagSongResult> {
    const target = input.song.path;
    const { current, source } = await readInput(store, target, 'song', async (file) => ({
      current: await readFile(file),
      source: await probeMedia(file).catch((err: Error) => {
        throw badInput(`song ${target} does not decode: ${err.message}`);
      }),
    }));
    if (!source.streams.some((s) => s.codecType === 'audio' && s.codecName === 'mp3')) throw badInput(`song ${target} is not an MP3 (ID3 tags are for MP3 files)`);

    const { tags, frames } = buildTags({
      title: input.title,
      genre: input.genre,
      cover: input.coverPath ? await readInput(store, input.coverPath, 'cover', loadCover) : undefined,
      lyricsText: input.lyricsPath ? await readInput(store, input.lyricsPath, 'lyrics', (file) => readFile(file, 'utf8')) : undefined,
      lrcText: input.lrcPath ? await readInput(store, input.lrcPath, 'timed lyrics', (file) => readFile(file, 'utf8')) : undefined,
    });
    const tagged = tagMp3(current, tags);
    const audio = audioSha256(current);
    const record = { ...input.song, audioSha256: audio };
    if (tagged.equals(current)) {
      // Already exactly these tags (a rerun, or a retry after the commit): nothing to write.
      return { song: { ...record, sha256: sha256(current), bytes: current.length }, retagged: false, frames };
    }

    const temp = await store.scratchFor(target);
    try {
      await writeFile(temp, tagged);
      const probe = await probeMedia(temp);
      if (Math.abs(probe.durationSeconds - source.durationSeconds) > DURATION_TOLERANCE_SECONDS) {
        throw new Error(`tagged ${target} lasts ${probe.durationSeconds} s instead of ${source.durationSeconds} s`);
      }
      const back = readTags(temp);
      if (back.title !== input.title) throw new Error(`tags of ${target} do not read back (title "${back.title}")`);
      const stored = await store.commit(temp, target, { sha256: sha256(tagged), bytes: tagged.length }, 'audio/mpeg');
      return { song: { ...record, sha256: stored.sha256, bytes: stored.bytes }, retagged: true, frames };
    } finally {
      await store.discard(temp).catch(() => {});
    }
  }

  return { tagSong: keepAlive(tagSong) };
}

export type SongTagActivities = ReturnType<typeof createSongTagActivities>;
