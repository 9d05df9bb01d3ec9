// Activities that put finished media in the artifact store (the output folder or a bucket). Provider
// URLs expire (some after 72 hours), so files are fetched as soon as a step succeeds, into a scratch
// file, checked, hashed, and only then committed to the store: a reader never sees a half-written or
// unverified file.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { heartbeat } from '@temporalio/activity';
import { keepAlive } from './keepAlive';
import { ApplicationFailure } from '@temporalio/common';
import { Agent, interceptors, request } from 'undici';
import { probeMedia } from '../runtime/ffmpeg';
import { asWriteFailure } from './atomicFile';
import { makeFolder } from '../runtime/makeFolder';
import { renderLrc, timedLines } from './timedLyrics';
import { audioSha256 } from './songTags';
import type { ArtifactRecord, StoreDownloadInput, TimedLyricsInput, WriteTextInput } from '../contracts/artifacts';
import type { ArtifactStore } from './store/artifactStore';

export const ARTIFACT_CHECK_FAILURE = 'ArtifactCheckFailed';

export interface ArtifactDeps {
  downloadTimeoutMs: number;
  maxDownloadBytes: number;
  store: ArtifactStore;
}

// Media hosts often answer with a redirect to a CDN.
const downloads = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));

const IMAGE_SIGNATURES: { ext: string; magic: number[] }[] = [
  { ext: '.png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { ext: '.jpg', magic: [0xff, 0xd8, 0xff] },
  { ext: '.webp', magic: [0x52, 0x49, 0x46, 0x46] },
];

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function checkFailed(message: string): ApplicationFailure {
  // A file that fails its check will fail the same way if fetched again only rarely; retry a few
  // times (the activity's policy bounds it) in case the provider served a truncated body.
  return ApplicationFailure.create({ type: ARTIFACT_CHECK_FAILURE, message });
}

export function createArtifactActivities(deps: ArtifactDeps) {
  const activities = {
    /** Downloads one provider file, verifies it (decodes, right streams, right duration; or is an image), and stores it with its sha256. */
    async storeDownload(input: StoreDownloadInput): Promise<ArtifactRecord> {
      const temp = await deps.store.scratchFor(path.join(input.dir, input.name)).catch((err: unknown) => {
        throw asWriteFailure(err);
      });
      try {
        const response = await request(input.url, {
          method: 'GET',
          dispatcher: downloads,
          headersTimeout: deps.downloadTimeoutMs,
          bodyTimeout: deps.downloadTimeoutMs,
        });
        if (response.statusCode !== 200) {
          await response.body.dump();
          // 404/410 from a media host usually means the link expired; a retry will not help.
          throw ApplicationFailure.create({
            type: 'ArtifactDownloadFailed',
            message: `download of ${input.kind} ${input.url} answered HTTP ${response.statusCode}`,
            nonRetryable: response.statusCode === 404 || response.statusCode === 410,
          });
        }
        const hash = createHash('sha256');
        let bytes = 0;
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            if (bytes > deps.maxDownloadBytes) {
              done(checkFailed(`${input.kind} ${input.url} is larger than ${deps.maxDownloadBytes} bytes`));
              return;
            }
            hash.update(chunk);
            // Proof of life while bytes flow (the SDK throttles it), so a worker that dies mid-download
            // is noticed within the heartbeat timeout, not after the whole start-to-close timeout.
            heartbeat();
            done(null, chunk);
          },
        });
        await pipeline(response.body, meter, createWriteStream(temp));
        if (bytes === 0) throw checkFailed(`${input.kind} ${input.url} is empty`);

        heartbeat();
        const { extension, durationSeconds } = await checkMedia(temp, input);
        const fileName = `${input.name}${extension}`;
        const finalPath = path.join(input.dir, fileName);
        // The song's audio without ID3 tags: tagging song.mp3 later (songTags.ts) must not make it look lost.
        const audio = input.kind === 'audio' && extension === '.mp3' ? { audioSha256: audioSha256(await readFile(temp)) } : {};
        const stored = await deps.store.commit(temp, finalPath, { sha256: hash.digest('hex'), bytes }, CONTENT_TYPES[extension]);
        return { kind: input.kind, path: finalPath, sha256: stored.sha256, bytes: stored.bytes, durationSeconds, ...audio, source: input.source };
      } catch (err) {
        throw asWriteFailure(err);
      } finally {
        await deps.store.discard(temp).catch(() => {}); // nothing to clear up where nothing could be written
      }
    },

    /** Writes the timed lyrics as lyrics.lrc (or the given name): each line stamped with the time its first word is sung. */
    async writeTimedLyrics(input: TimedLyricsInput): Promise<ArtifactRecord> {
      const lines = timedLines(input.words, input.lyrics);
      if (lines.length === 0) throw ApplicationFailure.nonRetryable('timestamped lyrics: the provider aligned no words', ARTIFACT_CHECK_FAILURE);
      const outside = lines.find((l) => l.startSeconds < 0 || l.startSeconds > input.lengthSeconds + DURATION_TOLERANCE_SECONDS);
      if (outside) {
        throw ApplicationFailure.nonRetryable(`timestamped lyrics: line "${outside.text}" starts at ${outside.startSeconds} s, outside the ${input.lengthSeconds.toFixed(1)} s song`, ARTIFACT_CHECK_FAILURE);
      }
      return writeText(deps.store, { dir: input.dir, fileName: input.fileName ?? 'lyrics.lrc', kind: 'lrc', text: renderLrc(lines, { title: input.title, lengthSeconds: input.lengthSeconds }) });
    },

    /** Writes a text artifact (lyrics, track.json) atomically and returns its record. */
    async writeTextArtifact(input: WriteTextInput): Promise<ArtifactRecord> {
      return writeText(deps.store, input);
    },
  };
  // Beats also while waiting for the host, probing and storing, when no bytes flow (see storeDownload's proxy).
  return { ...activities, storeDownload: keepAlive(activities.storeDownload) };
}

export type ArtifactActivities = ReturnType<typeof createArtifactActivities>;

async function writeText(store: ArtifactStore, input: WriteTextInput): Promise<ArtifactRecord> {
  const finalPath = path.join(input.dir, input.fileName);
  const { sha256, bytes } = await store
    .writeBytes(finalPath, Buffer.from(input.text, 'utf8'), finalPath.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8')
    .catch((err: unknown) => {
      throw asWriteFailure(err);
    });
  return { kind: input.kind, path: finalPath, sha256, bytes };
}

/** What a bucket tells a browser or provider fetching a stored file. */
const CONTENT_TYPES: Record<string, string> = { '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.flac': 'audio/flac', '.m4a': 'audio/mp4', '.ogg': 'audio/ogg', '.mp4': 'video/mp4', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp' };

/** A file whose duration must agree with the song's is off by at most this much. */
export const DURATION_TOLERANCE_SECONDS = 0.5;

const EXTENSIONS_BY_CODEC: Record<string, string> = { mp3: '.mp3', pcm_s16le: '.wav', pcm_s24le: '.wav', pcm_f32le: '.wav', flac: '.flac', aac: '.m4a', vorbis: '.ogg', opus: '.ogg' };

async function checkMedia(file: string, input: StoreDownloadInput): Promise<{ extension: string; durationSeconds?: number }> {
  const what = `${input.name} (${input.kind}) from ${input.url}`;
  if (input.check.media === 'image') {
    const head = await readHead(file, 12);
    const signature = IMAGE_SIGNATURES.find((s) => s.magic.every((b, i) => head[i] === b));
    if (!signature) throw checkFailed(`${what} is not a PNG, JPEG or WebP image`);
    return { extension: signature.ext };
  }
  const probe = await probeMedia(file).catch((err: Error) => {
    throw checkFailed(`${what} does not decode: ${err.message}`);
  });
  const audio = probe.streams.find((s) => s.codecType === 'audio');
  if (!audio) throw checkFailed(`${what} has no audio stream`);
  if (input.check.media === 'video' && !probe.streams.some((s) => s.codecType === 'video')) throw checkFailed(`${what} has no video stream`);
  if (!(probe.durationSeconds > 0)) throw checkFailed(`${what} has no duration`);
  const expected = input.check.expectDurationSeconds;
  if (expected !== undefined && Math.abs(probe.durationSeconds - expected) > DURATION_TOLERANCE_SECONDS) {
    throw checkFailed(`${what} lasts ${probe.durationSeconds.toFixed(2)} s but the song lasts ${expected.toFixed(2)} s (more than ${DURATION_TOLERANCE_SECONDS} s apart)`);
  }
  const extension = input.check.media === 'video' ? '.mp4' : (EXTENSIONS_BY_CODEC[audio.codecName] ?? extensionFromUrl(input.url, '.mp3'));
  return { extension, durationSeconds: probe.durationSeconds };
}

function extensionFromUrl(url: string, fallback: string): string {
  const ext = path.extname(new URL(url).pathname).toLowerCase();
  return /^\.[a-z0-9]{2,4}$/.test(ext) ? ext : fallback;
}
