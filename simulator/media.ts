// Rendered media files, cached on disk. Each file is rendered at most once per name: concurrent
// requests share one render, and a file left by an earlier run with the same seed is reused.
// Every file is a function of its name (clip id, parts, clip length, renderer version), so files
// of tasks restored after a restart are simply rendered again on demand.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeMedia, runFfmpeg } from '../runtime/ffmpeg';
import { makeFolder } from '../runtime/makeFolder';
import { fetchAndDecode, pcmOfWav, renderSpec, specSeconds, toInt16, type AudioSpec, type ClipSound, type UploadSource } from './clipAudio';
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

/** A clip by id (a fresh tune seeded by it) or with the recipe of its sound. */
export type ClipRef = string | ClipSound;

/** Recipes rendered at once: each holds a few seconds of float PCM and runs one ffmpeg. */
const RECIPE_RENDERS = 2;

export class MediaLibrary implements UploadSource {
  private readonly renders = new Map<string, Promise<unknown>>();
  private temporarySuffix = 0;
  private recipeSlots = RECIPE_RENDERS;
  private readonly recipeQueue: (() => void)[] = [];

  constructor(
    readonly directory: string,
    private readonly clipSeconds: number,
  ) {}

  /**
   * The clip's MP3: `clipSeconds` long (a plain clip) or as long as its recipe, 44.1 kHz stereo,
   * 192 kb/s, byte-deterministic.
   */
  audioFor(clip: ClipRef): Promise<RenderedAudio> {
    const recipe = recipeOf(clip);
    if (recipe) return this.recipeMp3Once(`${recipe.tag}-${RENDERER_VERSION}.mp3`, recipe.spec, PART_NAMES);
    const clipId = idOf(clip);
    const name = `${clipId}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.mp3`;
    return this.mp3Once(name, clipId, PART_NAMES);
  }

  /** How long the clip plays, in seconds (exact, not probed). */
  async secondsOf(clip: ClipRef): Promise<number> {
    const recipe = recipeOf(clip);
    return recipe ? specSeconds(recipe.spec, this) : this.clipSeconds;
  }

  /**
   * Decoded audio of a user's file: fetched and decoded once, kept as a WAV under a name made from
   * its URL, and read from there each time (so no upload stays in memory between renders).
   */
  async pcmOf(url: string): Promise<Buffer> {
    const tag = createHash('sha256').update(url).digest('hex').slice(0, 24);
    const name = `upload-${tag}-${RENDERER_VERSION}.wav`;
    const file = join(this.directory, name);
    await this.once(name, async () => {
      await fetchAndDecode(url, join(this.directory, `${name}.${process.pid}.${++this.temporarySuffix}.original`), file);
      return { name };
    });
    return pcmOfWav(await readFile(file));
  }

  /**
   * Some parts of the clip's tune, encoded like the song: the stems of one clip add up to its song.
   * No parts at all is silence of the song's length (the vocals of an instrumental).
   */
  stemFor(clip: ClipRef, parts: readonly PartName[]): Promise<RenderedAudio> {
    // Canonical order, so the same set of parts always has the same name.
    const ordered = PART_NAMES.filter((part) => parts.includes(part));
    const tag = ordered.length > 0 ? ordered.join('_') : 'silence';
    const recipe = recipeOf(clip);
    if (recipe) return this.recipeMp3Once(`${recipe.tag}-${tag}-${RENDERER_VERSION}.mp3`, recipe.spec, ordered);
    const clipId = idOf(clip);
    const name = `${clipId}-${tag}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.mp3`;
    return this.mp3Once(name, clipId, ordered);
  }

  /** The clip's song as 16-bit 44.1 kHz stereo WAV, made from the same PCM as its MP3. */
  wavFor(clip: ClipRef): Promise<RenderedAudio> {
    const recipe = recipeOf(clip);
    const clipId = idOf(clip);
    const name = recipe ? `${recipe.tag}-${RENDERER_VERSION}.wav` : `${clipId}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.wav`;
    return this.once(name, async () => {
      const file = join(this.directory, name);
      const pcm = async () =>
        recipe ? this.inRecipeSlot(async () => toInt16(await renderSpec(recipe.spec, this))) : renderMelodyPcm(clipId, this.clipSeconds);
      if (!existsSync(file)) {
        const bytes = wavFromPcm(await pcm());
        await this.writeAtomically(file, (temporary) => writeFile(temporary, bytes));
      }
      const seconds = await this.secondsOf(clip);
      return { name, durationSeconds: Math.round(seconds * 100) / 100 };
    });
  }

  /** A music video of the clip: its cover as a still picture over its song (AAC), in MP4. */
  videoFor(clip: ClipRef): Promise<RenderedMedia> {
    const recipe = recipeOf(clip);
    const clipId = idOf(clip);
    const name = recipe ? `${recipe.tag}-${RENDERER_VERSION}.mp4` : `${clipId}-${RENDERER_VERSION}-${secondsTag(this.clipSeconds)}.mp4`;
    return this.once(name, async () => {
      const file = join(this.directory, name);
      if (!existsSync(file)) {
        const [image, audio, codec, seconds] = await Promise.all([
          this.imageFor(clipId),
          this.audioFor(clip),
          videoCodecArgs(),
          this.secondsOf(clip),
        ]);
        await this.writeAtomically(file, (temporary) =>
          runFfmpeg([
            '-loop', '1', '-framerate', String(VIDEO_FPS), '-i', join(this.directory, image.name),
            '-i', join(this.directory, audio.name),
            '-map', '0:v:0', '-map', '1:a:0',
            '-vf', `scale=${VIDEO_SIZE}:${VIDEO_SIZE},format=yuv420p`, '-r', String(VIDEO_FPS), ...codec,
            '-c:a', 'aac', '-b:a', '128k',
            // The looped picture never ends by itself; the song's length ends both streams.
            '-t', String(seconds),
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
        await makeFolder(this.directory);
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

  private recipeMp3Once(name: string, spec: AudioSpec, parts: readonly PartName[]): Promise<RenderedAudio> {
    return this.once(name, async () => {
      const file = join(this.directory, name);
      if (!existsSync(file)) {
        await this.inRecipeSlot(async () => this.encodeMp3(toInt16(await renderSpec(spec, this, parts)), file));
      }
      // Decodable, or the render is a failure; the length is the recipe's, exact.
      await probeMedia(file);
      return { name, durationSeconds: Math.round((await specSeconds(spec, this)) * 100) / 100 };
    });
  }

  /** Runs a recipe render when one of the few slots is free, so a burst of transforms queues. */
  private async inRecipeSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.recipeSlots === 0) await new Promise<void>((resolve) => this.recipeQueue.push(resolve));
    else this.recipeSlots--;
    try {
      return await work();
    } finally {
      const next = this.recipeQueue.shift();
      if (next) next();
      else this.recipeSlots++;
    }
  }

  private async renderMp3(clipId: string, parts: readonly PartName[], file: string): Promise<void> {
    await this.encodeMp3(await renderMelodyPcm(clipId, this.clipSeconds, parts), file);
  }

  private async encodeMp3(pcm: Buffer, file: string): Promise<void> {
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

function idOf(clip: ClipRef): string {
  return typeof clip === 'string' ? clip : clip.id;
}

/** A clip with a recipe, and the file-name stem its media share: its id and a digest of the recipe. */
function recipeOf(clip: ClipRef): { spec: AudioSpec; tag: string } | undefined {
  if (typeof clip === 'string' || !clip.audio) return undefined;
  // Keys sorted, so a recipe read back from the journal names the same files as when it was made.
  const digest = createHash('sha256').update(canonicalJson(clip.audio)).digest('hex').slice(0, 12);
  return { spec: clip.audio, tag: `${clip.id}-x${digest}` };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function secondsTag(seconds: number): string {
  return `${String(seconds).replace('.', '_')}s`;
}
