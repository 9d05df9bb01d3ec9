// Loudness normalization to a target (EBU R128 / ITU BS.1770 integrated loudness), the way the
// ffmpeg loudnorm documentation recommends for files: a first pass measures the song, a second
// applies the measured values so that the whole song gets one gain (linear mode) instead of the
// filter's real-time compression. The written file is then measured again, so the reported "after"
// is what a listener gets, encoder included.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ffmpegPath, ffprobePath } from '../../runtime/ffmpeg';
import type { LoudnessStats } from '../../contracts/albumFiles';

/** Codec and muxer by output extension; MP3 at 320 kb/s so that mastering does not audibly cost quality. */
const OUTPUT_FORMATS: Record<string, { codec: string[]; muxer: string }> = {
  '.mp3': { codec: ['-c:a', 'libmp3lame', '-b:a', '320k', '-id3v2_version', '0'], muxer: 'mp3' },
  '.wav': { codec: ['-c:a', 'pcm_s16le'], muxer: 'wav' },
  '.flac': { codec: ['-c:a', 'flac'], muxer: 'flac' },
  '.m4a': { codec: ['-c:a', 'aac', '-b:a', '256k'], muxer: 'ipod' },
};

export function outputFormat(file: string): { codec: string[]; muxer: string } | undefined {
  return OUTPUT_FORMATS[path.extname(file).toLowerCase()];
}

export const SUPPORTED_OUTPUT_EXTENSIONS = Object.keys(OUTPUT_FORMATS);

/** The loudnorm filter's JSON report (all values are strings in its output). */
interface LoudnormReport {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
  normalization_type?: string;
}

export interface Measurement {
  stats: LoudnessStats;
  thresholdLufs: number;
  targetOffset: number;
}

function run(binary: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new Error(`cannot start ${binary}: ${e.message}`)));
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${path.basename(binary)} exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-4).join(' | ')}`));
    });
  });
}

/** The last JSON object in ffmpeg's log: loudnorm prints its report there after the run. */
function loudnormReport(log: string): LoudnormReport {
  const start = log.lastIndexOf('{');
  const end = log.lastIndexOf('}');
  if (start < 0 || end < start) throw new Error('loudnorm printed no report');
  return JSON.parse(log.slice(start, end + 1)) as LoudnormReport;
}

function num(value: string, what: string): number {
  const n = Number(value);
  // Silence measures as -inf: there is nothing to normalize.
  if (!Number.isFinite(n)) throw new SilentAudioError(`${what} is ${value}: the audio is silent`);
  return n;
}

export class SilentAudioError extends Error {
  override readonly name = 'SilentAudioError';
}

function filterArgs(targetLufs: number, truePeakDb: number, rangeLu: number): string {
  return `loudnorm=I=${targetLufs}:TP=${truePeakDb}:LRA=${rangeLu}`;
}

/** Integrated loudness, true peak and loudness range of a file's first audio stream. */
export async function measureLoudness(file: string, target = { targetLufs: -14, truePeakDb: -1, rangeLu: 11 }): Promise<Measurement> {
  const { stderr } = await run(ffmpegPath(), [
    '-hide_banner', '-nostats', '-nostdin', '-loglevel', 'info',
    '-i', file, '-map', '0:a:0',
    '-af', `${filterArgs(target.targetLufs, target.truePeakDb, target.rangeLu)}:print_format=json`,
    '-f', 'null', '-',
  ]);
  const report = loudnormReport(stderr);
  return {
    stats: { integratedLufs: num(report.input_i, 'integrated loudness'), truePeakDb: num(report.input_tp, 'true peak'), rangeLu: Number(report.input_lra) || 0 },
    thresholdLufs: num(report.input_thresh, 'gating threshold'),
    targetOffset: Number(report.target_offset) || 0,
  };
}

async function sampleRate(file: string): Promise<number> {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate', '-of', 'json', file]);
  const rate = Number((JSON.parse(stdout) as { streams?: { sample_rate?: string }[] }).streams?.[0]?.sample_rate);
  return Number.isFinite(rate) && rate > 0 ? rate : 44_100;
}

export interface NormalizeOptions {
  targetLufs: number;
  truePeakDb: number;
}

/**
 * Writes `inPath` normalized to `temp` (format from `outPath`'s extension) and returns the first
 * pass's measurement and the mode loudnorm used.
 */
export async function normalizeInto(inPath: string, temp: string, outPath: string, options: NormalizeOptions): Promise<{ before: Measurement; normalization: 'linear' | 'dynamic' }> {
  const format = outputFormat(outPath);
  if (!format) throw new Error(`cannot write ${path.basename(outPath)}: the extension must be one of ${SUPPORTED_OUTPUT_EXTENSIONS.join(', ')}`);
  // The range target is at least the song's own range, so that loudnorm can keep to one gain rather
  // than compress: mastering here levels albums, it does not reshape a song's dynamics.
  const first = await measureLoudness(inPath, { targetLufs: options.targetLufs, truePeakDb: options.truePeakDb, rangeLu: 11 });
  const rangeLu = Math.min(20, Math.max(11, Math.ceil(first.stats.rangeLu + 1)));
  const measured = [
    `measured_I=${clamp(first.stats.integratedLufs, -99, 0)}`,
    `measured_TP=${clamp(first.stats.truePeakDb, -99, 99)}`,
    // loudnorm takes a measured range of exactly 0 (a perfectly steady signal) for "not measured" and
    // then refuses linear mode; 0.1 LU says the same thing in a way it accepts.
    `measured_LRA=${clamp(first.stats.rangeLu, 0.1, 99)}`,
    `measured_thresh=${clamp(first.thresholdLufs, -99, 0)}`,
    `offset=${clamp(first.targetOffset, -99, 99)}`,
  ].join(':');
  // loudnorm works at 192 kHz internally; the output keeps the song's own rate. Metadata is left out:
  // tags are written afterwards (tagTrack), the same way as on the unmastered copy.
  const { stderr } = await run(ffmpegPath(), [
    '-hide_banner', '-nostats', '-nostdin', '-loglevel', 'info',
    '-i', inPath, '-map', '0:a:0', '-map_metadata', '-1',
    '-af', `${filterArgs(options.targetLufs, options.truePeakDb, rangeLu)}:${measured}:linear=true:print_format=json`,
    '-ar', String(await sampleRate(inPath)),
    ...format.codec,
    '-fflags', '+bitexact', '-flags:a', '+bitexact',
    '-f', format.muxer, '-y', temp,
  ]);
  const mode = loudnormReport(stderr).normalization_type;
  return { before: first, normalization: mode === 'linear' ? 'linear' : 'dynamic' };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
