// Rendered media files, cached on disk. Each file is rendered at most once per name: concurrent
// requests share one render, and a file left by an earlier run with the same seed is reused.

import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeMedia, runFfmpeg } from '../lib/ffmpeg';
import { renderCoverPng } from './coverArt';
import { CHANNELS, SAMPLE_RATE, renderMelodyPcm } from './melody';

/**
 * Part of every file name: bump it when the renderers change, so a persistent media directory
 * never serves files made by an older algorithm under a current name.
 */
const RENDERER_VERSION = 'r1';

const CONTENT_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  png: 'image/png',
};

const SAFE_NAME = /^[A-Za-z0-9_-]+\.([a-z0-9]+)$/;

export interface RenderedAudio {
  name: string;
  durationSeconds: number;
}

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

  /** The clip's MP3: `clipSeconds` long, 44.1 kHz stereo, 128 kb/s, byte-deterministic. */
  audioFor(clipId: string): Promise<RenderedAudio> {
    const name = `${clipId}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.mp3`;
    return this.once(name, async () => {
      const file = join(this.directory, name);
      if (!existsSync(file)) await this.renderMp3(clipId, file);
      const probe = await probeMedia(file);
      return { name, durationSeconds: Math.round(probe.durationSeconds * 100) / 100 };
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
    await Promise.allSettled([...this.renders.values()]);
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

  private async renderMp3(clipId: string, file: string): Promise<void> {
    const pcm = await renderMelodyPcm(clipId, this.clipSeconds);
    await this.writeAtomically(file, (temporary) =>
      runFfmpeg(
        [
          '-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', String(CHANNELS), '-i', 'pipe:0',
          '-c:a', 'libmp3lame', '-b:a', '128k',
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
