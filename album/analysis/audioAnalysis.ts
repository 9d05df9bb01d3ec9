// Tempo and key of one audio file: ffmpeg decodes it to mono 32-bit float samples (any format the
// album has: MP3, WAV, FLAC), and analyze_audio.py measures them with librosa. The script's answer
// is read as a wire format: checked with zod, and a key outside the twelve tonics is refused.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { runFfmpeg } from '../../runtime/ffmpeg';
import type { TrackAnalysis } from '../../contracts/albumFiles';
import { ANALYSIS_SCRIPT, analysisPython } from './analysisEnv';

/** librosa's default rate: its tempo and chroma settings are tuned for it, and it halves the work of 44.1 kHz. */
const ANALYSIS_SAMPLE_RATE = 22_050;

export const PITCH_CLASSES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;
const KEY_PATTERN = new RegExp(`^(${PITCH_CLASSES.join('|')}) (major|minor)$`);

const scriptAnswer = z.object({
  bpm: z.number().positive().max(400),
  key: z.string().regex(KEY_PATTERN, 'a tonic and mode such as "A minor"'),
  keyConfidence: z.number().optional(),
  beats: z.number().optional(),
});

/** The audio cannot be analysed (silent, too short, undecodable): the same file would fail again. */
export class AudioAnalysisInputError extends Error {
  override readonly name = 'AudioAnalysisInputError';
}

/** The ID3 TKEY form of a key: "A minor" → "Am", "F# major" → "F#". */
export function id3Key(key: string): string {
  const match = KEY_PATTERN.exec(key);
  if (!match) throw new Error(`"${key}" is not a key such as "A minor"`);
  return match[2] === 'minor' ? `${match[1]}m` : match[1]!;
}

function runScript(python: string, samplesFile: string, source: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [ANALYSIS_SCRIPT, samplesFile, String(ANALYSIS_SAMPLE_RATE)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // One thread per analysis: an album's tracks are analysed side by side, and numpy's default of
      // one thread per core would only make them fight over the cores.
      env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1', OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new Error(`cannot run the analysis (${python}): ${e.message}`)));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      // The script exits 1 with one line for audio it refuses (silent, too short); anything else is a crash.
      const last = stderr.split('\n').slice(-1)[0] ?? '';
      if (code === 1 && !stderr.includes('Traceback')) return reject(new AudioAnalysisInputError(`${source}: ${last}`));
      reject(new Error(`the analysis of ${source} failed (exit ${code}): ${stderr.split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Measures `file` (a path on this machine). Throws AnalysisToolMissingError when librosa is not installed. */
export async function analyzeAudioFile(file: string): Promise<TrackAnalysis & { keyConfidence?: number }> {
  const python = analysisPython();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'analysis-'));
  try {
    const samples = path.join(scratch, 'mono.f32');
    await runFfmpeg(['-nostdin', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(ANALYSIS_SAMPLE_RATE), '-f', 'f32le', '-c:a', 'pcm_f32le', samples]).catch((err: Error) => {
      throw new AudioAnalysisInputError(`${file} does not decode: ${err.message}`);
    });
    const text = await runScript(python, samples, file);
    let parsed;
    try {
      parsed = scriptAnswer.parse(JSON.parse(text.trim().split('\n').slice(-1)[0] ?? ''));
    } catch (err) {
      throw new Error(`the analysis of ${file} answered something unexpected (${(err as Error).message.slice(0, 300)}): ${text.slice(0, 200)}`);
    }
    return { bpm: Math.round(parsed.bpm), key: parsed.key, ...(parsed.keyConfidence !== undefined ? { keyConfidence: parsed.keyConfidence } : {}) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
