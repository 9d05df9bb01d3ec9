// The chaos kit's "songs in flight at once" figure, from run start and close times.
import { describe, expect, it } from 'vitest';
import { peakOverlap } from '../chaos/songsInFlight';

describe('peakOverlap', () => {
  it('counts every run open at the busiest instant', () => {
    expect(peakOverlap([{ startMs: 0, closeMs: 10 }, { startMs: 2, closeMs: 12 }, { startMs: 5, closeMs: 6 }, { startMs: 11, closeMs: 20 }], 100)).toBe(3);
  });

  it('does not count a run that starts as another closes as overlapping it', () => {
    expect(peakOverlap([{ startMs: 0, closeMs: 10 }, { startMs: 10, closeMs: 20 }, { startMs: 20, closeMs: 30 }], 100)).toBe(1);
  });

  it('counts a run still open as open until now', () => {
    expect(peakOverlap([{ startMs: 0 }, { startMs: 50, closeMs: 60 }], 100)).toBe(2);
    expect(peakOverlap([{ startMs: 0, closeMs: 40 }, { startMs: 50, closeMs: 60 }], 100)).toBe(1);
  });

  it('is 0 with no runs', () => {
    expect(peakOverlap([], 100)).toBe(0);
  });
});
