// A canonical 44-byte-header RIFF/WAVE file around PCM we already hold. Writing the header
// ourselves keeps the WAV byte-identical everywhere and exactly as long as the PCM (no encoder
// delay, no padding), which is what "export the song as WAV" promises.

import { CHANNELS, SAMPLE_RATE } from './melody';

const BYTES_PER_SAMPLE = 2;

/** Wraps interleaved signed 16-bit little-endian PCM (our sample rate and channels) as a WAV file. */
export function wavFromPcm(pcm: Buffer): Buffer {
  const header = Buffer.alloc(44);
  const blockAlign = CHANNELS * BYTES_PER_SAMPLE;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // size of the fmt chunk
  header.writeUInt16LE(1, 20); // format: integer PCM
  header.writeUInt16LE(CHANNELS, 22);
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * blockAlign, 28); // byte rate
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(BYTES_PER_SAMPLE * 8, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
