// What the release check measures in a file: for audio, duration, integrated loudness and true peak
// (ffmpeg's ebur128 filter: the same EBU R128 figures as loudnorm's, which mastering uses, at a tenth
// of the time, since loudnorm resamples to 192 kHz), trailing silence and clipped samples (one pass
// over the decoded samples); for the cover, its size, codec and pixel format (ffprobe).
import { spawn } from 'node:child_process';
import { ffmpegPath, runFfprobe } from '../../runtime/ffmpeg';

/** Below this a sample is silence: −60 dBFS, the usual floor for "nothing audible". */
const SILENCE_LEVEL = 10 ** (-60 / 20);
/** At or above this a sample touches full scale: −0.1 dBFS (a decoded MP3 wobbles around 1.0). */
const FULL_SCALE_LEVEL = 10 ** (-0.1 / 20);
/** A run this long at full scale is a flattened waveform, not a single peak that touches the top. */
const CLIP_RUN_SAMPLES = 3;

export interface AudioMeasurement {
  durationSeconds: number;
  sampleRate: number;
  channels: number;
  codec: string;
  /** Bits per sample of lossless audio (PCM, FLAC); absent for lossy codecs, which have none. */
  bitDepth?: number;
  /** Absent when the audio is silent (loudness is then −inf). */
  integratedLufs?: number;
  truePeakDb?: number;
  /** Seconds after the last sample above −60 dBFS. */
  trailingSilenceSeconds: number;
  /** Samples (over all channels) in runs of 3 or more at or above −0.1 dBFS. */
  clippedSamples: number;
  /** Highest sample, dBFS (decoded as float, so it can exceed 0). */
  samplePeakDb: number;
}

export interface ImageMeasurement {
  width: number;
  height: number;
  /** ffprobe's codec name: `mjpeg`, `png`, `webp`, … */
  codec: string;
  /** ffprobe's pixel format: `rgb24`, `yuvj420p`, `gray`, `cmyk`… */
  pixelFormat: string;
}

async function firstStream(file: string, kind: 'a' | 'v'): Promise<Record<string, unknown>> {
  const out = await runFfprobe(['-v', 'error', '-select_streams', `${kind}:0`, '-show_streams', '-of', 'json', file]);
  const stream = (JSON.parse(out) as { streams?: Record<string, unknown>[] }).streams?.[0];
  if (!stream) throw new Error(`${file} has no ${kind === 'a' ? 'audio' : 'image'} stream`);
  return stream;
}

export async function measureImage(file: string): Promise<ImageMeasurement> {
  const s = await firstStream(file, 'v');
  return { width: Number(s.width) || 0, height: Number(s.height) || 0, codec: String(s.codec_name ?? ''), pixelFormat: String(s.pix_fmt ?? '') };
}

/** Trailing silence, clipped samples and sample peak, from the file decoded to 32-bit float. */
function scanSamples(file: string, channels: number): Promise<{ frames: number; lastLoudFrame: number; clipped: number; peak: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-map', '0:a:0', '-f', 'f32le', '-c:a', 'pcm_f32le', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let carry = Buffer.alloc(0);
    let index = 0; // samples over all channels
    let lastLoud = -1;
    let clipped = 0;
    let peak = 0;
    const run = new Array<number>(channels).fill(0);
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdout.on('data', (chunk: Buffer) => {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const whole = data.length - (data.length % 4);
      for (let at = 0; at < whole; at += 4, index++) {
        const v = Math.abs(data.readFloatLE(at));
        const ch = index % channels;
        if (v > peak) peak = v;
        if (v > SILENCE_LEVEL) lastLoud = index;
        if (v >= FULL_SCALE_LEVEL) {
          run[ch]! += 1;
          // Count a run once it is long enough, then every further sample of it.
          if (run[ch] === CLIP_RUN_SAMPLES) clipped += CLIP_RUN_SAMPLES;
          else if (run[ch]! > CLIP_RUN_SAMPLES) clipped += 1;
        } else run[ch] = 0;
      }
      carry = Buffer.from(data.subarray(whole));
    });
    child.on('error', (e) => reject(new Error(`cannot start ffmpeg: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`cannot decode ${file}: ${Buffer.concat(err).toString('utf8').trim().split('\n').slice(-3).join(' | ')}`));
      else resolve({ frames: Math.floor(index / channels), lastLoudFrame: lastLoud < 0 ? -1 : Math.floor(lastLoud / channels), clipped, peak });
    });
  });
}

/** ebur128's summary: integrated loudness and (4× oversampled) true peak; undefined for silence. */
async function measureLoudness(file: string): Promise<{ integratedLufs: number; truePeakDb: number } | undefined> {
  const log = await new Promise<string>((resolve, reject) => {
    const child = spawn(ffmpegPath(), ['-hide_banner', '-nostats', '-nostdin', '-loglevel', 'info', '-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new Error(`cannot start ffmpeg: ${e.message}`)));
    child.on('close', (code) => {
      const text = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve(text);
      else reject(new Error(`cannot measure ${file}: ${text.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
  const summary = log.slice(log.lastIndexOf('Summary:'));
  const integrated = /Integrated loudness:\s+I:\s+(\S+) LUFS/.exec(summary)?.[1];
  const peak = /True peak:\s+Peak:\s+(\S+) dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) throw new Error(`cannot measure ${file}: ebur128 printed no summary`);
  const integratedLufs = Number(integrated);
  const truePeakDb = Number(peak);
  // Gating leaves nothing of silence: ebur128 then reports -70 LUFS and a peak of -inf.
  if (!Number.isFinite(integratedLufs) || !Number.isFinite(truePeakDb) || integratedLufs <= -70) return undefined;
  return { integratedLufs, truePeakDb };
}

export async function measureAudio(file: string): Promise<AudioMeasurement> {
  const s = await firstStream(file, 'a');
  const sampleRate = Number(s.sample_rate) || 0;
  const channels = Number(s.channels) || 1;
  if (sampleRate <= 0) throw new Error(`${file}: ffprobe reports no sample rate`);
  const [scan, loudness] = await Promise.all([scanSamples(file, channels), measureLoudness(file)]);
  // PCM reports its depth as bits_per_sample, FLAC as bits_per_raw_sample; MP3 reports neither.
  const bitDepth = Number(s.bits_per_raw_sample) || Number(s.bits_per_sample) || 0;
  return {
    durationSeconds: round(scan.frames / sampleRate, 3),
    sampleRate,
    channels,
    codec: String(s.codec_name ?? ''),
    ...(bitDepth > 0 ? { bitDepth } : {}),
    ...(loudness ?? {}),
    trailingSilenceSeconds: round((scan.frames - 1 - scan.lastLoudFrame) / sampleRate, 2),
    clippedSamples: scan.clipped,
    samplePeakDb: scan.peak > 0 ? round(20 * Math.log10(scan.peak), 2) : -Infinity,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
