// Rendered media files, cached on disk. Each file is rendered at most once per name: concurrent
// requests share one render, and a file left by an earlier run with the same seed is reused.
// Every file is a function of its name (clip id, parts, clip length, renderer version), so files
// of tasks restored after a restart are simply rendered again on demand.

import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeMedia, runFfmpeg } from '../runtime/ffmpeg';
import { renderCoverPng } from './coverArt';
import { CHANNELS, PART_NAMES, SAMPLE_RATE, renderMelodyPcm, type PartName } from './melody';
import { videoCodecArgs } from './videoEncoder';
import { wavFromPcm } from './wavFile';

/**
 * Part of every file name: bump it when the renderers change, so a persistent media directory
 * never serves files made by an older algorithm under a current name.
 */
const RENDERER_VERSION = 'r2';

/**
 * MP3 bitrate of songs and stems. Stems are checked by adding them back up to the song; at 128k
 * the coding noise of five files adds up to almost 2% of the signal, at 192k it stays under 1%.
 */
const MP3_BITRATE = '192k';

/** Music videos: the cover, small and slow, since the picture never changes. */
const VIDEO_SIZE = 320;
const VIDEO_FPS = 2;

const CONTENT_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  png: 'image/png',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

const SAFE_NAME = /^[A-Za-z0-9_-]+\.([a-z0-9]+)$/;

export interface RenderedMedia {
  name: string;
  durationSeconds: number;
}

export type RenderedAudio = RenderedMedia;

export interface RenderedImage {
  name: string;
}

export class MediaLibrary {
  private readonly renders = new Map<string, Promise<unknown>>();
  private temporarySuffix = 0;

  constructor(
    readonly directory: string,
    private readonly clipSeconds: number,
  ) {}

  /** The clip's MP3: `clipSeconds` long, 44.1 kHz stereo, 192 kb/s, byte-deterministic. */
  audioFor(clipId: string): Promise<RenderedAudio> {
    const name = `${clipId}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.mp3`;
    return this.mp3Once(name, clipId, PART_NAMES);
  }

  /**
   * Some parts of the clip's tune, encoded like the song: the stems of one clip add up to its song.
   * No parts at all is silence of the song's length (the vocals of an instrumental).
   */
  stemFor(clipId: string, parts: readonly PartName[]): Promise<RenderedAudio> {
    // Canonical order, so the same set of parts always has the same name.
    const ordered = PART_NAMES.filter((part) => parts.includes(part));
    const tag = ordered.length > 0 ? ordered.join('_') : 'silence';
    const name = `${clipId}-${tag}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.mp3`;
    return this.mp3Once(name, clipId, ordered);
  }

  /** The clip's song as 16-bit 44.1 kHz stereo WAV, made from the same PCM as its MP3. */
  wavFor(clipId: string): Promise<RenderedAudio> {
    const name = `${clipId}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.wav`;
    return this.once(name, async () => {
      const file = join(this.directory, name);
      if (!existsSync(file)) {
        const pcm = await renderMelodyPcm(clipId, this.clipSeconds);
        await this.writeAtomically(file, (temporary) => writeFile(temporary, wavFromPcm(pcm)));
      }
      return { name, durationSeconds: Math.round(this.clipSeconds * 100) / 100 };
    });
  }

  /** A music video of the clip: its cover as a still picture over its song (AAC), in MP4. */
  videoFor(clipId: string): Promise<RenderedMedia> {
    const name = `${clipId}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.mp4`;
    return this.once(name, async () => {
      const file = join(this.directory, name);
      if (!existsSync(file)) {
        const [image, audio, codec] = await Promise.all([this.imageFor(clipId), this.audioFor(clipId), videoCodecArgs()]);
        await this.writeAtomically(file, (temporary) =>
          runFfmpeg([
            '-loop', '1', '-framerate', String(VIDEO_FPS), '-i', join(this.directory, image.name),
            '-i', join(this.directory, audio.name),
            '-map', '0:v:0', '-map', '1:a:0',
            '-vf', `scale=${VIDEO_SIZE}:${VIDEO_SIZE},format=yuv420p`, '-r', String(VIDEO_FPS), ...codec,
            '-c:a', 'aac', '-b:a', '128k',
            // The looped picture never ends by itself; the song's length ends both streams.
            '-t', String(this.clipSeconds),
            '-fflags', '+bitexact', '-flags', '+bitexact', '-map_metadata', '-1', '-movflags', '+faststart',
            '-f', 'mp4', '-y', temporary,
          ]),
        );
      }
      const probe = await probeMedia(file);
      return { name, durationSeconds: Math.round(probe.durationSeconds * 100) / 100 };
    });
  }

  /** Generated cover art: variant `variant` of a PNG seeded by `seedLabel` (not a clip's own cover). */
  coverArtFor(seedLabel: string, variant: number): Promise<RenderedImage> {
    const name = `${seedLabel}-cover${variant}-${RENDERER_VERSION}.png`;
    return this.once(name, async () => {
      const file = join(this.directory, name);
      if (!existsSync(file)) {
        const png = await renderCoverPng(`${seedLabel}:cover-art:${variant}`);
        await this.writeAtomically(file, (temporary) => writeFile(temporary, png));
      }
      return { name };
    });
  }

  /** The clip's cover: a 512x512 PNG. */
  imageFor(clipId: string): Promise<RenderedImage> {
    const name = `${clipId}-${RENDERER_VERSION}.png`;
    return this.once(name, async () => {
      const file = join(this.directory, name);
      if (!existsSync(file)) await this.writeAtomically(file, async (temporary) => writeFile(temporary, await renderCoverPng(clipId)));
      return { name };
    });
  }

  /** Absolute path of a served file, or undefined when the name is not one we could have made. */
  pathOf(name: string): string | undefined {
    const match = SAFE_NAME.exec(name);
    if (!match || !CONTENT_TYPES[match[1] ?? '']) return undefined;
    return join(this.directory, name);
  }

  contentTypeOf(name: string): string {
    const extension = name.slice(name.lastIndexOf('.') + 1);
    return CONTENT_TYPES[extension] ?? 'application/octet-stream';
  }

  /** Resolves when every render started so far has settled (used before deleting the directory). */
  async settle(): Promise<void> {
    // A render can start others (a song's parts, then their mix), so wait until no new one appears.
    for (;;) {
      const started = [...this.renders.values()];
      await Promise.allSettled(started);
      if ([...this.renders.values()].every((render) => started.includes(render))) return;
    }
  }

  private once<T>(name: string, render: () => Promise<T>): Promise<T> {
    let pending = this.renders.get(name) as Promise<T> | undefined;
    if (!pending) {
      pending = (async () => {
        await mkdir(this.directory, { recursive: true });
        return render();
      })();
      this.renders.set(name, pending);
      // A failed render is retried on the next request rather than cached forever.
      pending.catch(() => this.renders.delete(name));
    }
    return pending;
  }

  private mp3Once(name: string, clipId: string, parts: readonly PartName[]): Promise<RenderedAudio> {
    return this.once(name, async () => {
      const file = join(this.directory, name);
      if (!existsSync(file)) await this.renderMp3(clipId, parts, file);
      const probe = await probeMedia(file);
      return { name, durationSeconds: Math.round(probe.durationSeconds * 100) / 100 };
    });
  }

  private async renderMp3(clipId: string, parts: readonly PartName[], file: string): Promise<void> {
    const pcm = await renderMelodyPcm(clipId, this.clipSeconds, parts);
    await this.writeAtomically(file, (temporary) =>
      runFfmpeg(
        [
          '-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', String(CHANNELS), '-i', 'pipe:0',
          '-c:a', 'libmp3lame', '-b:a', MP3_BITRATE,
          // Without these ffmpeg stamps its version and metadata into the file, and bytes differ
          // between builds and runs.
          '-fflags', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1',
          '-f', 'mp3', '-y', temporary,
        ],
        { stdin: pcm },
      ),
    );
  }

  // Written under a temporary name and renamed, so a reader never sees half a file.
  private async writeAtomically(file: string, write: (temporary: string) => Promise<void>): Promise<void> {
    const temporary = `${file}.${process.pid}.${++this.temporarySuffix}.partial`;
    try {
      await write(temporary);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

function secondsTag(seconds: number): string {
  return `${String(seconds).replace('.', '_')}s`;
}
