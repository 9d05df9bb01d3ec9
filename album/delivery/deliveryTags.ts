// The tags a delivery master carries. FLAC: Vorbis comments, the names Picard and the stores' ingest
// tools read (ISRC, TITLE, ARTIST, ALBUMARTIST, ALBUM, TRACKNUMBER, TRACKTOTAL, DATE, GENRE,
// ORGANIZATION and LABEL for the label, COPYRIGHT, BARCODE for the UPC). WAV: what ffmpeg writes as
// RIFF INFO (title, artist, album, date, genre, copyright, track), plus an ID3 chunk with the same
// frames as the album's MP3s and the ISRC (TSRC), label (TPUB) and copyright (TCOP).
import type NodeID3 from 'node-id3';
import { buildTags } from '../../artifacts/id3Tags';
import type { DeliverTrackInput } from '../../contracts/albumDelivery';
import { compactIsrc } from '../release/identifiers';

function isrcOf(input: DeliverTrackInput): string | undefined {
  return input.isrc ? compactIsrc(input.isrc) : undefined;
}

/** The release date when the manifest gives one, else the album's year. */
function dateOf(input: DeliverTrackInput): string | undefined {
  return input.releaseDate ?? (input.year !== undefined ? String(input.year) : undefined);
}

/** The © line when given, else the ℗ line: the one COPYRIGHT field holds one of them. */
function copyrightOf(input: DeliverTrackInput): string | undefined {
  return input.copyright ?? input.phonographicCopyright;
}

function defined(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

export function vorbisComments(input: DeliverTrackInput): Record<string, string> {
  return defined({
    TITLE: input.title,
    ARTIST: input.artist,
    ALBUMARTIST: input.artist,
    ALBUM: input.album,
    TRACKNUMBER: String(input.number),
    TRACKTOTAL: String(input.trackCount),
    DATE: dateOf(input),
    GENRE: input.genre,
    ISRC: isrcOf(input),
    ORGANIZATION: input.label,
    LABEL: input.label,
    COPYRIGHT: copyrightOf(input),
    BARCODE: input.upc,
  });
}

/** ffmpeg's names for what its WAV muxer writes as RIFF INFO (INAM, IART, IPRD, ICRD, IGNR, ICOP, IPRT). */
export function riffInfo(input: DeliverTrackInput): Record<string, string> {
  return defined({ title: input.title, artist: input.artist, album: input.album, date: dateOf(input), genre: input.genre, copyright: copyrightOf(input), track: String(input.number) });
}

export const RIFF_INFO_IDS: Record<string, string> = { title: 'INAM', artist: 'IART', album: 'IPRD', date: 'ICRD', genre: 'IGNR', copyright: 'ICOP', track: 'IPRT' };

export function wavId3(input: DeliverTrackInput): { tags: NodeID3.Tags; frames: string[] } {
  return buildTags({
    title: input.title,
    artist: input.artist,
    album: input.album,
    trackNumber: input.number,
    trackCount: input.trackCount,
    year: input.year,
    genre: input.genre,
    isrc: input.isrc,
    label: input.label,
    copyright: copyrightOf(input),
  });
}
