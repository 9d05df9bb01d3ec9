// Word timings become .lrc lines a player can follow.
import { describe, expect, it } from 'vitest';
import { renderLrc, timedLines } from '../artifacts/timedLyrics';

const words = (...spec: [string, number][]) => spec.map(([word, start]) => ({ word, startSeconds: start, endSeconds: start + 0.4 }));

describe('timed lyrics', () => {
  it('stamps each lyric line with the time of its first sung word, ignoring section tags', () => {
    const lyrics = '[Verse]\nRain on the roof\nsoft and slow\n\n[Chorus]\nla la';
    const aligned = words(['[Verse]\nRain', 1.0], ['on', 1.5], ['the', 1.8], ['roof', 2.0], ['soft', 3.2], ['and', 3.6], ['slow', 4.0], ['la', 6.5], ['la', 7.0]);
    const lines = timedLines(aligned, lyrics);
    expect(lines).toEqual([
      { startSeconds: 1.0, text: 'Rain on the roof' },
      { startSeconds: 3.2, text: 'soft and slow' },
      { startSeconds: 6.5, text: 'la la' },
    ]);
    expect(renderLrc(lines, { title: 'Rain', lengthSeconds: 75.5 })).toBe('[ti:Rain]\n[length:01:15]\n[00:01.00]Rain on the roof\n[00:03.20]soft and slow\n[00:06.50]la la\n');
  });

  it('falls back to lines of a few words when the words do not match the lyrics', () => {
    const aligned = words(['a', 0], ['b', 1], ['c', 2], ['d', 3], ['e', 4]);
    expect(timedLines(aligned, 'something else entirely with many more words than were sung here', 2)).toEqual([
      { startSeconds: 0, text: 'a b' },
      { startSeconds: 2, text: 'c d' },
      { startSeconds: 4, text: 'e' },
    ]);
  });

  it('makes no lines from no words', () => {
    expect(timedLines([], 'la')).toEqual([]);
  });
});
