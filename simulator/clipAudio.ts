// What a clip sounds like, when it is not simply a fresh tune: a recipe over other audio (the
// clip's `audio`), independent of any dialect. A transform's clip holds the recipe of its sources
// inside its own, so a clip renders (and re-renders after a restart) from its task alone, and a
// "concat of the last extension" can follow the chain of extensions back through the recipes.
//
// Every operation is linear in the tunes' parts (slices, joins, mixes with fixed gains, a spliced
// section, a gain), so rendering a recipe with only some parts still gives stems that add up to
// the clip. An uploaded file counts as one part (keys unless said otherwise).
//
// Rendering is PCM in memory (44.1 kHz stereo floats), encoded once by the media library.

import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { runFfmpeg } from '../runtime/ffmpeg';
import { CHANNELS, PART_NAMES, SAMPLE_RATE, renderMelodyPcm, type PartName } from './melody';

/** How long a fresh tune is: a fixed number of seconds, or as long as some audio (minus a start). */
export type Length = number | { of: AudioSpec; from?: number };

export type AudioSpec =
  /** A fresh tune seeded by `seed` (normally the new clip's id), of only some parts when given. */
  | { op: 'tune'; seed: string; seconds: Length; parts?: PartName[] }
  /** The user's file, fetched from `url` and decoded; it plays the role of `part` in stems. */
  | { op: 'upload'; url: string; part?: PartName }
  | { op: 'slice'; source: AudioSpec; from: number; to?: number }
  | { op: 'join'; parts: AudioSpec[] }
  /** Sources summed with gains, each starting `at` seconds in; as long as the first or the longest. */
  | { op: 'mix'; inputs: { source: AudioSpec; gain: number; at?: number }[]; length: 'first' | 'longest' }
  /** The source with [from, to) replaced by `insert` (cut or padded to fit). */
  | { op: 'replace'; source: AudioSpec; from: number; to: number; insert: AudioSpec }
  | { op: 'gain'; source: AudioSpec; gain: number }
  /**
   * New material after the source up to `continueAt`. `keep: 'whole'`: the clip plays the source
   * up to continueAt, then the new material. `keep: 'part'`: it plays only the new material; the
   * song it continues is kept here for a later concat.
   */
  | { op: 'continue'; source: AudioSpec; continueAt: number; added: AudioSpec; keep: 'part' | 'whole' };

const partName = z.enum(PART_NAMES);
const seconds = z.number().nonnegative();

export const audioSpecSchema: z.ZodType<AudioSpec> = z.lazy(() =>
  z.discriminatedUnion('op', [
    z.object({
      op: z.literal('tune'),
      seed: z.string(),
      seconds: z.union([seconds, z.object({ of: audioSpecSchema, from: seconds.optional() })]),
      parts: z.array(partName).optional(),
    }),
    z.object({ op: z.literal('upload'), url: z.string(), part: partName.optional() }),
    z.object({ op: z.literal('slice'), source: audioSpecSchema, from: seconds, to: seconds.optional() }),
    z.object({ op: z.literal('join'), parts: z.array(audioSpecSchema) }),
    z.object({
      op: z.literal('mix'),
      inputs: z.array(z.object({ source: audioSpecSchema, gain: z.number(), at: seconds.optional() })),
      length: z.enum(['first', 'longest']),
    }),
    z.object({ op: z.literal('replace'), source: audioSpecSchema, from: seconds, to: seconds, insert: audioSpecSchema }),
    z.object({ op: z.literal('gain'), source: audioSpecSchema, gain: z.number() }),
    z.object({
      op: z.literal('continue'),
      source: audioSpecSchema,
      continueAt: seconds,
      added: audioSpecSchema,
      keep: z.enum(['part', 'whole']),
    }),
  ]),
) as z.ZodType<AudioSpec>;

/** A clip as far as its sound goes: its id seeds a fresh tune unless it has a recipe. */
export interface ClipSound {
  id: string;
  audio?: AudioSpec;
}

/** The recipe of any clip: a plain clip is a fresh tune of `clipSeconds` seeded by its id. */
export function soundOf(clip: ClipSound, clipSeconds: number): AudioSpec {
  return clip.audio ?? { op: 'tune', seed: clip.id, seconds: clipSeconds };
}

const EMPTY: AudioSpec = { op: 'join', parts: [] };

/** What precedes a clip's own audio in its song (something only for a part extension). */
function prefixOf(spec: AudioSpec): AudioSpec {
  if (spec.op !== 'continue' || spec.keep !== 'part') return EMPTY;
  return { op: 'join', parts: [prefixOf(spec.source), { op: 'slice', source: spec.source, from: 0, to: spec.continueAt }] };
}

/** The whole song a clip belongs to, from its start: for a part extension, the chain of extensions joined. */
export function wholeSong(spec: AudioSpec): AudioSpec {
  if (spec.op !== 'continue' || spec.keep !== 'part') return spec;
  return { op: 'join', parts: [prefixOf(spec), spec.added] };
}

// ---- rendering ---------------------------------------------------------------------------------

/** Interleaved stereo float samples. */
export type Pcm = Float32Array;

const FRAME = CHANNELS;

export function framesOf(pcm: Pcm): number {
  return pcm.length / FRAME;
}

function frameAt(secondsValue: number): number {
  return Math.round(secondsValue * SAMPLE_RATE);
}

function silence(frames: number): Pcm {
  return new Float32Array(Math.max(0, frames) * FRAME);
}

function fromInt16(buffer: Buffer): Pcm {
  const samples = new Float32Array(buffer.length / 2);
  for (let index = 0; index < samples.length; index++) samples[index] = buffer.readInt16LE(index * 2) / 32767;
  return samples;
}

export function toInt16(pcm: Pcm): Buffer {
  const buffer = Buffer.alloc(pcm.length * 2);
  for (let index = 0; index < pcm.length; index++) {
    buffer.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round((pcm[index] ?? 0) * 32767))), index * 2);
  }
  return buffer;
}

/** Where an uploaded file's decoded audio is cached, and how it is fetched. */
export interface UploadSource {
  /** Decoded audio of the file at `url` as 16-bit PCM (our rate and channels); rejects with why. */
  pcmOf(url: string): Promise<Buffer>;
}

/**
 * The recipe rendered with only `parts` of every tune (all of them: the clip itself). Rejects when
 * an upload cannot be fetched or decoded.
 */
export async function renderSpec(spec: AudioSpec, uploads: UploadSource, parts: readonly PartName[] = PART_NAMES): Promise<Pcm> {
  const render = (inner: AudioSpec) => renderSpec(inner, uploads, parts);
  switch (spec.op) {
    case 'tune': {
      const length = await lengthSeconds(spec.seconds, uploads);
      const wanted = PART_NAMES.filter((part) => parts.includes(part) && (spec.parts ?? PART_NAMES).includes(part));
      if (wanted.length === 0) return silence(frameAt(length));
      return fromInt16(await renderMelodyPcm(spec.seed, length, wanted));
    }
    case 'upload': {
      const decoded = fromInt16(await uploads.pcmOf(spec.url));
      return parts.includes(spec.part ?? 'keys') ? decoded : silence(framesOf(decoded));
    }
    case 'slice': {
      const source = await render(spec.source);
      const end = spec.to === undefined ? framesOf(source) : Math.min(framesOf(source), frameAt(spec.to));
      const start = Math.min(end, frameAt(spec.from));
      return source.slice(start * FRAME, end * FRAME);
    }
    case 'join': {
      const pieces = [];
      for (const part of spec.parts) pieces.push(await render(part));
      const joined = new Float32Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
      let offset = 0;
      for (const piece of pieces) {
        joined.set(piece, offset);
        offset += piece.length;
      }
      return joined;
    }
    case 'mix': {
      const inputs = [];
      for (const input of spec.inputs) inputs.push({ pcm: await render(input.source), gain: input.gain, at: frameAt(input.at ?? 0) });
      const ends = inputs.map((input) => input.at + framesOf(input.pcm));
      const frames = spec.length === 'first' ? (ends[0] ?? 0) : Math.max(0, ...ends);
      const mixed = silence(frames);
      for (const input of inputs) {
        const offset = input.at * FRAME;
        const count = Math.min(input.pcm.length, mixed.length - offset);
        for (let index = 0; index < count; index++) mixed[offset + index] = (mixed[offset + index] ?? 0) + (input.pcm[index] ?? 0) * input.gain;
      }
      return mixed;
    }
    case 'replace': {
      const source = await render(spec.source);
      const insert = await render(spec.insert);
      const from = Math.min(frameAt(spec.from), framesOf(source));
      const to = Math.min(Math.max(from, frameAt(spec.to)), framesOf(source));
      const result = source.slice();
      result.fill(0, from * FRAME, to * FRAME);
      result.set(insert.subarray(0, (to - from) * FRAME), from * FRAME);
      return result;
    }
    case 'gain': {
      const source = await render(spec.source);
      return source.map((sample) => sample * spec.gain);
    }
    case 'continue': {
      if (spec.keep === 'part') return render(spec.added);
      return render({ op: 'join', parts: [{ op: 'slice', source: spec.source, from: 0, to: spec.continueAt }, spec.added] });
    }
  }
}

async function lengthSeconds(length: Length, uploads: UploadSource): Promise<number> {
  if (typeof length === 'number') return length;
  return Math.max(0, (await specSeconds(length.of, uploads)) - (length.from ?? 0));
}

/**
 * How long a recipe plays, in seconds (frame-exact). Computed without synthesizing tunes; uploads
 * are fetched and decoded (once, cached) to learn their length.
 */
export async function specSeconds(spec: AudioSpec, uploads: UploadSource): Promise<number> {
  const frames = async (inner: AudioSpec) => frameAt(await specSeconds(inner, uploads));
  const toSeconds = (count: number) => count / SAMPLE_RATE;
  switch (spec.op) {
    case 'tune':
      return toSeconds(frameAt(await lengthSeconds(spec.seconds, uploads)));
    case 'upload':
      return toSeconds((await uploads.pcmOf(spec.url)).length / (2 * FRAME));
    case 'slice': {
      const total = await frames(spec.source);
      const end = spec.to === undefined ? total : Math.min(total, frameAt(spec.to));
      return toSeconds(end - Math.min(end, frameAt(spec.from)));
    }
    case 'join': {
      let total = 0;
      for (const part of spec.parts) total += await frames(part);
      return toSeconds(total);
    }
    case 'mix': {
      const ends = [];
      for (const input of spec.inputs) ends.push(frameAt(input.at ?? 0) + (await frames(input.source)));
      return toSeconds(spec.length === 'first' ? (ends[0] ?? 0) : Math.max(0, ...ends));
    }
    case 'replace':
    case 'gain':
      return specSeconds(spec.source, uploads);
    case 'continue': {
      if (spec.keep === 'part') return specSeconds(spec.added, uploads);
      return specSeconds({ op: 'join', parts: [{ op: 'slice', source: spec.source, from: 0, to: spec.continueAt }, spec.added] }, uploads);
    }
  }
}

// ---- uploads -----------------------------------------------------------------------------------

/** Limits on a user's file: its size, the time to fetch it, and the length kept after decoding. */
export const UPLOAD_LIMITS = { bytes: 50 * 1024 * 1024, fetchMs: 30_000, seconds: 480 } as const;

/** True for the only URLs an upload may name. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * Fetches `url` into `original` (bounded in size and time) and decodes it with ffmpeg into a WAV
 * at `decoded` (unless that exists). Errors say what went wrong in words a task failure can carry.
 */
export async function fetchAndDecode(url: string, original: string, decoded: string): Promise<void> {
  if (!existsSync(decoded)) {
    if (!isHttpUrl(url)) throw new Error('upload: the address is not an http(s) URL');
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(UPLOAD_LIMITS.fetchMs), redirect: 'follow' });
    } catch (error) {
      throw new Error(`upload: cannot fetch the audio (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!response.ok) throw new Error(`upload: fetching the audio answered HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > UPLOAD_LIMITS.bytes) throw new Error(`upload: the file is ${declared} bytes, the limit is ${UPLOAD_LIMITS.bytes}`);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.length;
        if (size > UPLOAD_LIMITS.bytes) throw new Error(`upload: the file is larger than ${UPLOAD_LIMITS.bytes} bytes`);
        chunks.push(Buffer.from(chunk));
      }
    } catch (error) {
      await response.body?.cancel().catch(() => {});
      throw error instanceof Error && error.message.startsWith('upload:') ? error : new Error(`upload: reading the audio failed (${String(error)})`);
    }
    await writeFile(original, Buffer.concat(chunks));
    const temporary = `${decoded}.${process.pid}.partial`;
    try {
      await runFfmpeg([
        '-i', original, '-vn', '-t', String(UPLOAD_LIMITS.seconds),
        '-ar', String(SAMPLE_RATE), '-ac', String(CHANNELS), '-c:a', 'pcm_s16le',
        '-fflags', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1', '-f', 'wav', '-y', temporary,
      ]);
      await rename(temporary, decoded);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new Error(`upload: the file does not decode as audio (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      await rm(original, { force: true });
    }
  }
  if (pcmOfWav(await readFile(decoded)).length === 0) {
    await rm(decoded, { force: true });
    throw new Error('upload: the file holds no audio');
  }
}

/** The data chunk of a PCM WAV file (chunks walked, since ffmpeg may add a LIST chunk). */
export function pcmOfWav(file: Buffer): Buffer {
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === 'data') return file.subarray(offset + 8, Math.min(file.length, offset + 8 + size));
    offset += 8 + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}
