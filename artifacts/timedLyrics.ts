// Turns word timings into an .lrc file: each lyric line carries the time its first word is sung.
// Providers align words, not lines, and their words may still carry section tags ("[Verse]") or
// line breaks; the lyrics text tells us where lines end, so words are matched back onto its lines.
import type { AlignedWord } from '../providers/model';

const SECTION_TAG = /\[[^\]]*\]/g;

function tokens(text: string): string[] {
  return text
    .replace(SECTION_TAG, ' ')
    .split(/\s+/)
    .map((t) => t.trim())
    .filter((t) => /[\p{L}\p{N}]/u.test(t));
}

function timestamp(seconds: number): string {
  const total = Math.max(0, seconds);
  const minutes = Math.floor(total / 60);
  const rest = total - minutes * 60;
  return `[${String(minutes).padStart(2, '0')}:${rest.toFixed(2).padStart(5, '0')}]`;
}

export interface TimedLine {
  startSeconds: number;
  text: string;
}

/** Words to lines: the lyrics' own lines when the words match them, else lines of a few words. */
export function timedLines(words: AlignedWord[], lyrics: string | undefined, wordsPerFallbackLine = 8): TimedLine[] {
  const timed = words.flatMap((w) => tokens(w.word).map((token) => ({ token, startSeconds: w.startSeconds })));
  if (timed.length === 0) return [];
  const lines = (lyrics ?? '')
    .split('\n')
    .map((l) => l.replace(SECTION_TAG, '').trim())
    .filter((l) => tokens(l).length > 0);

  const result: TimedLine[] = [];
  let next = 0;
  const lyricTokenCount = lines.reduce((n, l) => n + tokens(l).length, 0);
  // Alignment sometimes splits or merges a word; a few percent of drift still maps lines faithfully.
  if (lines.length > 0 && Math.abs(lyricTokenCount - timed.length) <= Math.max(1, lyricTokenCount * 0.1)) {
    for (const line of lines) {
      const first = timed[Math.min(next, timed.length - 1)]!;
      result.push({ startSeconds: first.startSeconds, text: line });
      next += tokens(line).length;
    }
    return result;
  }
  for (let i = 0; i < timed.length; i += wordsPerFallbackLine) {
    const chunk = timed.slice(i, i + wordsPerFallbackLine);
    result.push({ startSeconds: chunk[0]!.startSeconds, text: chunk.map((c) => c.token).join(' ') });
  }
  return result;
}

export function renderLrc(lines: TimedLine[], meta: { title?: string; lengthSeconds?: number }): string {
  const header: string[] = [];
  if (meta.title) header.push(`[ti:${meta.title}]`);
  if (meta.lengthSeconds !== undefined) header.push(`[length:${timestamp(meta.lengthSeconds).slice(1, 6)}]`);
  return [...header, ...lines.map((l) => `${timestamp(l.startSeconds)}${l.text}`)].join('\n') + '\n';
}
