// A track's waveform as a PNG, drawn by ffmpeg's showwavespic filter from the whole file (both
// channels mixed to one, so a stereo track draws one shape a person can read at a glance).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../runtime/ffmpeg';

export const WAVEFORM_SIZE = { width: 1200, height: 160 } as const;
const WAVEFORM_COLOUR = '#2f6f9f';

export async function waveformPng(audioFile: string): Promise<Buffer> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'waveform-'));
  try {
    const png = path.join(scratch, 'waveform.png');
    await runFfmpeg([
      '-nostdin',
      '-i', audioFile,
      '-filter_complex', `[0:a:0]aformat=channel_layouts=mono,showwavespic=s=${WAVEFORM_SIZE.width}x${WAVEFORM_SIZE.height}:colors=${WAVEFORM_COLOUR}`,
      '-frames:v', '1',
      png,
    ]);
    return await readFile(png);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
