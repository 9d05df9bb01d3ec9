// ID3 in a WAV file: an `id3 ` chunk in the RIFF body, the place Picard, foobar2000, Mp3tag and
// ffmpeg itself read tags from in a WAV. RIFF INFO (which ffmpeg writes) has no field for an ISRC —
// its `ISRC` id means "source", a name some tools misread — so the ISRC goes here as ID3's TSRC.

const CHUNK_ID = 'id3 ';

/** The WAV with `tag` (a whole ID3v2 tag) as its last chunk; the RIFF size grows to cover it. */
export function appendId3Chunk(wav: Buffer, tag: Buffer): Buffer {
  if (wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 8, 12) !== 'WAVE') throw new Error('not a RIFF WAVE file');
  const header = Buffer.alloc(8);
  header.write(CHUNK_ID, 0, 'latin1');
  header.writeUInt32LE(tag.length, 4);
  // RIFF chunks start on even offsets: an odd-sized chunk is followed by one pad byte.
  const out = Buffer.concat([wav, header, tag, Buffer.alloc(tag.length % 2)]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

/** The ID3 tag in a WAV's `id3 ` (or `ID3 `) chunk, if it has one. */
export function readWavId3(wav: Buffer): Buffer | undefined {
  if (wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  const end = Math.min(wav.length, wav.readUInt32LE(4) + 8);
  for (let at = 12; at + 8 <= end; ) {
    const id = wav.toString('latin1', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id.toLowerCase() === CHUNK_ID) return wav.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size % 2);
  }
  return undefined;
}
