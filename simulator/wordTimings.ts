// Word timings for a clip's lyrics, the way an aligner reports them: one entry per sung word, in
// order, each inside the song. Words keep the lyrics' own layout as the family's aligner does: a
// section tag ("[Verse]") rides on the first word after it, and a line's last word carries the
// line break, so a client can rebuild lines from the words alone.

export interface WordTiming {
  word: string;
  startSeconds: number;
  endSeconds: number;
}

const SECTION_TAG_LINE = /^\[[^\]]*\]$/;

interface Token {
  text: string;
  /** Relative time the word takes: longer words are sung longer. */
  weight: number;
}

function tokensOf(lyrics: string): Token[] {
  const tokens: Token[] = [];
  let pendingTag = '';
  for (const rawLine of lyrics.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (SECTION_TAG_LINE.test(line)) {
      pendingTag += `${line}\n`;
      continue;
    }
    const words = line.split(/\s+/);
    for (const [index, word] of words.entries()) {
      const last = index === words.length - 1;
      tokens.push({
        text: `${pendingTag}${word}${last ? '\n' : ' '}`,
        // A breath after each line.
        weight: 1 + Math.min(word.length, 12) / 3 + (last ? 1 : 0),
      });
      pendingTag = '';
    }
  }
  return tokens;
}

/** Milliseconds are the precision aligners report. */
function ms(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Empty for an instrumental (no lyrics); otherwise increasing, non-overlapping, within [0, duration]. */
export function wordTimings(lyrics: string, durationSeconds: number): WordTiming[] {
  const tokens = tokensOf(lyrics);
  if (tokens.length === 0 || durationSeconds <= 0) return [];
  // Singing starts after a short intro and ends before the last note fades.
  const start = Math.min(0.5, durationSeconds * 0.05);
  const span = durationSeconds - start - Math.min(0.5, durationSeconds * 0.05);
  const unit = span / tokens.reduce((sum, token) => sum + token.weight, 0);
  const timings: WordTiming[] = [];
  let at = start;
  for (const token of tokens) {
    const startSeconds = ms(at);
    // The last 15% of a word's slot is the gap before the next one.
    const endSeconds = Math.max(ms(at + token.weight * unit * 0.85), startSeconds + 0.001);
    timings.push({ word: token.text, startSeconds, endSeconds: ms(endSeconds) });
    at += token.weight * unit;
  }
  return timings;
}
