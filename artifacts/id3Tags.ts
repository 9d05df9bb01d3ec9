// ID3 tags for our MP3s (an album's tracks, a single's song.mp3), built with node-id3 (ID3v2.3, which every player reads; v2.4 is not
// universally supported). node-id3 writes every frame we need, SYLT included; we only do the framing
// around it ourselves: old tags are cut from the audio by their headers rather than by node-id3's
// search for an "ID3" marker anywhere in the file, which could match inside audio data.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import NodeID3 from 'node-id3';
import { runFfmpeg } from '../runtime/ffmpeg';
import { parseLrc } from './lrcParse';

export interface TrackTags {
  title: string;
  /** A single may have none of these four: only what is known is written. */
  artist?: string;
  album?: string;
  trackNumber?: number;
  trackCount?: number;
  year?: number;
  genre?: string;
  cover?: { mime: 'image/png' | 'image/jpeg'; data: Buffer };
  lyricsText?: string;
  lrcText?: string;
  language?: string;
  /** For a release: the recording's ISRC, the label, the copyright line. */
  isrc?: string;
  label?: string;
  copyright?: string;
  /** Beats per minute (TBPM, a whole number). */
  bpm?: number;
  /** The musical key in ID3's short form (TKEY): "Am", "F#", up to three characters. */
  initialKey?: string;
}

/** ID3v2 frame ids, by node-id3's field names, for reporting what was written. */
const FRAME_IDS: Record<string, string> = {
  title: 'TIT2',
  artist: 'TPE1',
  performerInfo: 'TPE2',
  album: 'TALB',
  trackNumber: 'TRCK',
  year: 'TYER',
  genre: 'TCON',
  image: 'APIC',
  unsynchronisedLyrics: 'USLT',
  synchronisedLyrics: 'SYLT',
  ISRC: 'TSRC',
  publisher: 'TPUB',
  copyright: 'TCOP',
  bpm: 'TBPM',
  initialKey: 'TKEY',
};

export function buildTags(input: TrackTags): { tags: NodeID3.Tags; frames: string[] } {
  const language = input.language ?? 'eng';
  const timed = input.lrcText ? parseLrc(input.lrcText) : [];
  const plainLyrics = input.lyricsText?.trim() || (timed.length > 0 ? timed.map((l) => l.text).join('\n') : undefined);
  const tags: NodeID3.Tags = {
    title: input.title,
    // Album artist too: players group an album's tracks by it.
    ...(input.artist ? { artist: input.artist, performerInfo: input.artist } : {}),
    ...(input.album ? { album: input.album } : {}),
    ...(input.trackNumber !== undefined ? { trackNumber: input.trackCount !== undefined ? `${input.trackNumber}/${input.trackCount}` : String(input.trackNumber) } : {}),
    ...(input.year !== undefined ? { year: String(input.year) } : {}),
    ...(input.genre ? { genre: input.genre } : {}),
    // Stores read the ISRC without hyphens (the form DDEX uses).
    ...(input.isrc ? { ISRC: input.isrc.toUpperCase().replace(/-/g, '') } : {}),
    ...(input.label ? { publisher: input.label } : {}),
    ...(input.copyright ? { copyright: input.copyright } : {}),
    ...(input.bpm !== undefined ? { bpm: String(Math.round(input.bpm)) } : {}),
    ...(input.initialKey ? { initialKey: input.initialKey } : {}),
    ...(input.cover
      ? { image: { mime: input.cover.mime, type: { id: NodeID3.TagConstants.AttachedPicture.PictureType.FRONT_COVER }, description: 'Cover', imageBuffer: input.cover.data } }
      : {}),
    ...(plainLyrics ? { unsynchronisedLyrics: { language, text: plainLyrics } } : {}),
    ...(timed.length > 0
      ? {
          synchronisedLyrics: [
            {
              language,
              timeStampFormat: NodeID3.TagConstants.TimeStampFormat.MILLISECONDS,
              contentType: NodeID3.TagConstants.SynchronisedLyrics.ContentType.LYRICS,
              shortText: 'Lyrics',
              synchronisedText: timed.map((l) => ({ text: l.text, timeStamp: l.timeMs })),
            },
          ],
        }
      : {}),
  };
  const frames = Object.keys(tags).map((k) => FRAME_IDS[k] ?? k);
  return { tags, frames };
}

function syncsafe(bytes: Buffer, at: number): number {
  return ((bytes[at]! & 0x7f) << 21) | ((bytes[at + 1]! & 0x7f) << 14) | ((bytes[at + 2]! & 0x7f) << 7) | (bytes[at + 3]! & 0x7f);
}

/** The audio without ID3v2 tags at its start (there may be several) and without an ID3v1 tag at its end. */
export function stripId3(file: Buffer): Buffer {
  let start = 0;
  while (file.length - start >= 10 && file.toString('latin1', start, start + 3) === 'ID3' && file[start + 3]! >= 2 && file[start + 3]! <= 4) {
    const footer = file[start + 3] === 4 && (file[start + 5]! & 0x10) !== 0 ? 10 : 0;
    start += 10 + syncsafe(file, start + 6) + footer;
  }
  let end = file.length;
  if (end - start >= 128 && file.toString('latin1', end - 128, end - 125) === 'TAG') {
    end -= 128;
    // Extended ID3v1 ("TAG+") sits right before the classic one.
    if (end - start >= 227 && file.toString('latin1', end - 227, end - 223) === 'TAG+') end -= 227;
  }
  return file.subarray(Math.min(start, file.length), end);
}

/** A new tag in front of the untagged audio. */
export function tagMp3(file: Buffer, tags: NodeID3.Tags): Buffer {
  return Buffer.concat([NodeID3.create(tags), stripId3(file)]);
}

export function readTags(file: string | Buffer): NodeID3.Tags {
  return NodeID3.read(file, { noRaw: true });
}

/** PNG and JPEG go into APIC as they are; the caller converts anything else first. */
export function imageMime(head: Buffer): 'image/png' | 'image/jpeg' | 'image/webp' | undefined {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export class UnsupportedImageError extends Error {
  override readonly name = 'UnsupportedImageError';
}

/** Cover art as APIC wants it: PNG or JPEG as they are, WebP converted to PNG (few players show WebP). */
export async function loadCover(file: string): Promise<NonNullable<TrackTags['cover']>> {
  const data = await readFile(file);
  const mime = imageMime(data.subarray(0, 12));
  if (mime === 'image/png' || mime === 'image/jpeg') return { mime, data };
  if (mime !== 'image/webp') throw new UnsupportedImageError(`${file} is not a PNG, JPEG or WebP image`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cover-'));
  try {
    const png = path.join(dir, 'cover.png');
    await runFfmpeg(['-y', '-i', file, '-frames:v', '1', png]);
    return { mime: 'image/png', data: await readFile(png) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
