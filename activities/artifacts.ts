// Activities that put finished media on disk. Provider URLs expire (some after 72 hours), so files
// are fetched as soon as a step succeeds, checked, hashed, and only then renamed into place: a reader
// of the output folder never sees a half-written or unverified file.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { Agent, interceptors, request } from 'undici';
import { probeMedia } from '../lib/ffmpeg';
import type { ArtifactRecord, StoreDownloadInput, WriteTextInput } from './types';

export const ARTIFACT_CHECK_FAILURE = 'ArtifactCheckFailed';

export interface ArtifactDeps {
  downloadTimeoutMs: number;
  maxDownloadBytes: number;
}

// Media hosts often answer with a redirect to a CDN.
const downloads = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));

const IMAGE_SIGNATURES: { ext: string; magic: number[] }[] = [
  { ext: '.png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { ext: '.jpg', magic: [0xff, 0xd8, 0xff] },
  { ext: '.webp', magic: [0x52, 0x49, 0x46, 0x46] },
];

function tempPathFor(dir: string, name: string): string {
  return path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.part`);
}

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
  return {
    /** Downloads one provider file, verifies it decodes (audio) or is an image (cover), and stores it with its sha256. */
    async storeDownload(input: StoreDownloadInput): Promise<ArtifactRecord> {
      await mkdir(input.dir, { recursive: true });
      const temp = tempPathFor(input.dir, input.name);
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
            done(null, chunk);
          },
        });
        await pipeline(response.body, meter, createWriteStream(temp));
        if (bytes === 0) throw checkFailed(`${input.kind} ${input.url} is empty`);

        let fileName: string;
        let durationSeconds: number | undefined;
        if (input.kind === 'audio') {
          const probe = await probeMedia(temp).catch((err: Error) => {
            throw checkFailed(`${input.name} from ${input.url} does not decode as audio: ${err.message}`);
          });
          const audio = probe.streams.find((s) => s.codecType === 'audio');
          if (!audio) throw checkFailed(`${input.name} from ${input.url} has no audio stream`);
          if (!(probe.durationSeconds > 0)) throw checkFailed(`${input.name} from ${input.url} has no duration`);
          durationSeconds = probe.durationSeconds;
          fileName = `${input.name}${audio.codecName === 'mp3' ? '.mp3' : extensionFromUrl(input.url, '.mp3')}`;
        } else {
          const head = await readHead(temp, 12);
          const signature = IMAGE_SIGNATURES.find((s) => s.magic.every((b, i) => head[i] === b));
          if (!signature) throw checkFailed(`${input.name} from ${input.url} is not a PNG, JPEG or WebP image`);
          fileName = `${input.name}${signature.ext}`;
        }
        const finalPath = path.join(input.dir, fileName);
        await rename(temp, finalPath);
        return { kind: input.kind, path: finalPath, sha256: hash.digest('hex'), bytes, durationSeconds, source: input.source };
      } finally {
        await rm(temp, { force: true });
      }
    },

    /** Writes a text artifact (lyrics, track.json) atomically and returns its record. */
    async writeTextArtifact(input: WriteTextInput): Promise<ArtifactRecord> {
      await mkdir(input.dir, { recursive: true });
      const finalPath = path.join(input.dir, input.fileName);
      const temp = tempPathFor(input.dir, input.fileName);
      const content = Buffer.from(input.text, 'utf8');
      try {
        await writeFile(temp, content);
        await rename(temp, finalPath);
      } finally {
        await rm(temp, { force: true });
      }
      const { size } = await stat(finalPath);
      return { kind: input.kind, path: finalPath, sha256: createHash('sha256').update(content).digest('hex'), bytes: size };
    },
  };
}

function extensionFromUrl(url: string, fallback: string): string {
  const ext = path.extname(new URL(url).pathname).toLowerCase();
  return /^\.[a-z0-9]{2,4}$/.test(ext) ? ext : fallback;
}
