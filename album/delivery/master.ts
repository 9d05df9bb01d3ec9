// A delivery master: the track's audio as stereo PCM at the chosen rate and depth (WAV or FLAC),
// levelled to the loudness target with a true-peak ceiling.
//
// The chain, in one ffmpeg run: up-mix to stereo (a mono song measures 3 LU quieter than the same
// song on two channels, and stores want two), loudnorm's second pass with the source's measured
// figures (one gain for the whole song when that keeps the peaks under the ceiling; its own
// dynamic mode otherwise), then a look-ahead limiter at loudnorm's 192 kHz (samples at four times a
// 48 kHz rate stand in for the true peaks between samples), then resampling (soxr) and dither to the
// delivery depth. The written file is measured again with ebur128's oversampled true peak; resampling
// and dither can still push a peak over, so a master above the ceiling is made again with the limiter
// lowered by the excess, and a master that will not come under it fails rather than be delivered.
import { spawn } from 'node:child_process';
import { ffmpegPath } from '../../runtime/ffmpeg';
import type { DeliveryFormat } from '../../contracts/albumDelivery';
import { scanLoudness, type LoudnessScan } from './loudnessScan';

export const STEREO = 'aformat=channel_layouts=stereo';
/** The limiter starts this far under the ceiling: the margin resampling and dither usually need. */
const FIRST_MARGIN_DB = 0.3;
const MAX_PASSES = 4;

export class TruePeakCeilingError extends Error {
  override readonly name = 'TruePeakCeilingError';
}

/** Codec arguments and the sample format the chain ends in, by container and depth. */
function encoding(settings: DeliveryFormat): { sampleFormat: 's16' | 's32'; codec: string[]; muxer: string } {
  // 24-bit audio travels as s32 samples: pcm_s24le and the FLAC encoder keep the top 24 bits.
  const sampleFormat = settings.bitDepth === 16 ? 's16' : 's32';
  if (settings.format === 'flac') return { sampleFormat, codec: ['-c:a', 'flac', ...(settings.bitDepth === 24 ? ['-bits_per_raw_sample', '24'] : [])], muxer: 'flac' };
  return { sampleFormat, codec: ['-c:a', settings.bitDepth === 16 ? 'pcm_s16le' : 'pcm_s24le'], muxer: 'wav' };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

function masterFilter(settings: DeliveryFormat, source: LoudnessScan, limiterDb: number, sampleFormat: string): string {
  // The range target is at least the song's own, so loudnorm can keep to one gain instead of compressing.
  const rangeLu = clamp(Math.ceil(source.rangeLu + 1), 11, 20);
  const loudnorm = [
    `loudnorm=I=${settings.loudness}:TP=${settings.truePeak}:LRA=${rangeLu}`,
    `measured_I=${clamp(source.integratedLufs, -99, 0)}`,
    `measured_TP=${clamp(source.truePeakDb, -99, 99)}`,
    // 0 is loudnorm's "not measured", which refuses linear mode; 0.1 LU says the same steady signal.
    `measured_LRA=${clamp(source.rangeLu, 0.1, 99)}`,
    `measured_thresh=${clamp(source.thresholdLufs, -99, 0)}`,
    'linear=true',
  ].join(':');
  // alimiter's own "auto level" would raise the output back to full scale: off.
  const limiter = `alimiter=limit=${clamp(10 ** (limiterDb / 20), 0.0625, 1).toFixed(5)}:attack=5:release=50:level=false`;
  const resample = `aresample=osr=${settings.sampleRate}:osf=${sampleFormat}:resampler=soxr:precision=28${sampleFormat === 's16' ? ':dither_method=triangular_hp' : ''}`;
  return [STEREO, loudnorm, limiter, resample].join(',');
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new Error(`cannot start ffmpeg: ${e.message}`)));
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code ?? signal}: ${Buffer.concat(err).toString('utf8').trim().split('\n').slice(-4).join(' | ')}`))));
  });
}

export interface MasterOutcome {
  before: LoudnessScan;
  after: LoudnessScan;
  passes: number;
}

/**
 * Writes the master of `source` to `target` (a scratch file; the container by `settings.format`)
 * with `metadata` as the container's tags (Vorbis comments in FLAC, RIFF INFO in WAV), and returns
 * the figures measured before and after.
 */
export async function masterInto(source: string, target: string, settings: DeliveryFormat, metadata: Record<string, string>): Promise<MasterOutcome> {
  const before = await scanLoudness(source, STEREO);
  const { sampleFormat, codec, muxer } = encoding(settings);
  const tags = Object.entries(metadata).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);
  let limiterDb = settings.truePeak - FIRST_MARGIN_DB;
  for (let pass = 1; ; pass++) {
    await ffmpeg([
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-i', source, '-map', '0:a:0', '-map_metadata', '-1',
      '-af', masterFilter(settings, before, limiterDb, sampleFormat),
      '-ac', '2', ...codec, ...tags,
      // Bit-exact: the same input gives the same bytes, so a rerun of the album rewrites nothing new.
      '-fflags', '+bitexact', '-flags:a', '+bitexact',
      '-f', muxer, '-y', target,
    ]);
    const after = await scanLoudness(target);
    if (after.truePeakDb <= settings.truePeak) return { before, after, passes: pass };
    if (pass >= MAX_PASSES) {
      throw new TruePeakCeilingError(`true peak ${after.truePeakDb} dBTP after ${pass} mastering passes is still above the ceiling of ${settings.truePeak} dBTP`);
    }
    limiterDb -= after.truePeakDb - settings.truePeak + 0.2;
  }
}
