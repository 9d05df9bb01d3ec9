// The user's own audio, checked before anything is submitted: a file of a kind the providers take
// (mp3, wav, m4a, flac), within a size a provider accepts, that ffprobe decodes as audio of a length a
// song can have. Every limit is named in the refusal.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { probeMedia } from '../../runtime/ffmpeg';

export const AUDIO_FILE_LIMITS = {
  extensions: ['.mp3', '.wav', '.m4a', '.flac'],
  /** Providers' upload routes take files of tens of MB; a WAV of 8 minutes is about 85 MB. */
  maxBytes: 100 * 1024 * 1024,
  minSeconds: 1,
  maxSeconds: 8 * 60,
} as const;

export type AudioFileCheck = { ok: true; durationSeconds: number; bytes: number } | { ok: false; reason: string };

export async function checkAudioFile(file: string): Promise<AudioFileCheck> {
  const extension = path.extname(file).toLowerCase();
  if (!(AUDIO_FILE_LIMITS.extensions as readonly string[]).includes(extension)) {
    return { ok: false, reason: `must be an audio file (${AUDIO_FILE_LIMITS.extensions.join(', ')}), not ${extension || 'a file without an extension'}` };
  }
  let bytes: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return { ok: false, reason: 'is not a file' };
    bytes = info.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? `no such file (looked for ${file})` : `cannot read it (${code ?? (err as Error).message})` };
  }
  if (bytes > AUDIO_FILE_LIMITS.maxBytes) {
    return { ok: false, reason: `is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${AUDIO_FILE_LIMITS.maxBytes / 1024 / 1024} MB` };
  }
  let durationSeconds: number;
  try {
    const probe = await probeMedia(file);
    if (!probe.streams.some((s) => s.codecType === 'audio')) return { ok: false, reason: 'has no audio stream' };
    durationSeconds = probe.durationSeconds;
  } catch {
    return { ok: false, reason: 'does not decode as audio (ffprobe could not read it)' };
  }
  if (durationSeconds < AUDIO_FILE_LIMITS.minSeconds || durationSeconds > AUDIO_FILE_LIMITS.maxSeconds) {
    return { ok: false, reason: `lasts ${durationSeconds.toFixed(1)} s; it must last ${AUDIO_FILE_LIMITS.minSeconds} s to ${AUDIO_FILE_LIMITS.maxSeconds / 60} min` };
  }
  return { ok: true, durationSeconds, bytes };
}
