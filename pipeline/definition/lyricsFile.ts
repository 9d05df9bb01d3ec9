// Reads a lyrics file named by an album track or a pipeline step. Everything a provider would refuse later (or sing wrongly) is
// caught here, before anything is submitted: a missing or empty file, bytes that are not UTF-8,
// lyrics longer than custom mode accepts.
import { readFile, stat } from 'node:fs/promises';
import { PIPELINE_LIMITS } from './schema';

export type LyricsRead = { ok: true; text: string } | { ok: false; reason: string };

// A text file far larger than any lyrics is refused before it is read into memory.
const MAX_FILE_BYTES = 64 * 1024;

export async function readLyricsFile(file: string): Promise<LyricsRead> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) return { ok: false, reason: 'is a folder, not a file' };
    size = info.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})` };
  }
  if (size > MAX_FILE_BYTES) return { ok: false, reason: `is ${size} bytes; lyrics are at most ${PIPELINE_LIMITS.lyricsChars} characters` };
  let text: string;
  try {
    // fatal: a byte sequence that is not UTF-8 is an error rather than a silent U+FFFD.
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(file));
  } catch (err) {
    if (err instanceof TypeError) return { ok: false, reason: 'is not UTF-8 text' };
    return { ok: false, reason: `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim();
  if (text.length === 0) return { ok: false, reason: 'is empty' };
  if (text.includes('\u0000')) return { ok: false, reason: 'is not a text file (it contains NUL bytes)' };
  if (text.length > PIPELINE_LIMITS.lyricsChars) return { ok: false, reason: `has ${text.length} characters; providers accept at most ${PIPELINE_LIMITS.lyricsChars}` };
  return { ok: true, text };
}
