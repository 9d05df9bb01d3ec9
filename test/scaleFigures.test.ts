// The scale benchmark's arithmetic: percentiles, and the figures it reads off the provider's log
// (per-step calls, hops, paid-twice detection), on a hand-built log whose answers are known.
import { describe, expect, it } from 'vitest';
import type { LightTask, RequestRecord } from '../bench/lightProvider';
import { figuresTable, modeFigures, percentile, ratioTable } from '../bench/scaleFigures';

describe('percentile', () => {
  it('takes the nearest rank, whatever the order of the values', () => {
    const values = [50, 10, 40, 20, 30];
    expect(percentile(values, 50)).toBe(30);
    expect(percentile(values, 99)).toBe(50);
    expect(percentile(values, 0)).toBe(10);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('refuses a percentile outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(/between 0 and 100/);
  });
});

const lyrics = (id: string, song: number, at: number): LightTask => ({ id, kind: 'lyrics', submittedAt: at, finishesAt: at + 2_000, prompt: `piano, bench song ${song}`, callbackUrl: undefined });
const song = (id: string, lyricsId: string, at: number): LightTask => ({ id, kind: 'song', submittedAt: at, finishesAt: at + 6_000, prompt: `[Verse]\nbench words of ${lyricsId}`, callbackUrl: undefined });
const req = (kind: RequestRecord['kind'], taskId: string, at: number): RequestRecord => ({ kind, route: kind, at, taskId });

describe('modeFigures', () => {
  const start = 1_000_000;
  // Song 0: lyrics 1 done at +2000, song submitted at +2100; song done at +8100, queried at +8300.
  // Song 1: lyrics 2 done at +2050, song submitted at +2450; song done at +8450, queried at +9450.
  const tasks = new Map<string, LightTask>(
    [lyrics('lyrics-1', 0, start), lyrics('lyrics-2', 1, start + 50), song('song-3', 'lyrics-1', start + 2_100), song('song-4', 'lyrics-2', start + 2_450)].map((t) => [t.id, t]),
  );
  const log: RequestRecord[] = [
    req('submit', 'lyrics-1', start),
    req('submit', 'lyrics-2', start + 50),
    req('query', 'lyrics-1', start + 2_010),
    req('query', 'lyrics-2', start + 2_300),
    req('submit', 'song-3', start + 2_100),
    req('submit', 'song-4', start + 2_450),
    req('query', 'song-3', start + 5_000), // before it finished: not the first query after it
    req('query', 'song-3', start + 8_300),
    req('query', 'song-4', start + 9_450),
    req('download', 'song-3', start + 8_400),
    req('download', 'song-3', start + 8_410),
    req('download', 'song-4', start + 9_500),
    req('download', 'song-4', start + 9_510),
    req('webhook', 'song-3', start + 8_100), // sent by the provider: not a call
    req('query', 'song-from-another-phase', start + 9_000),
  ];
  const observed = { mode: 'ours', songs: 2, completed: 2, startedAt: start - 100, lastFinishedAt: start + 9_900, criticalPathMs: 8_000 };

  it('counts calls per step from the log, and the hops between steps from the tasks', () => {
    const f = modeFigures(observed, tasks, log);
    expect(f.steps).toBe(4);
    expect(f.submitsPerStep).toBe(1);
    expect(f.queriesPerStep).toBe(5 / 4);
    expect(f.downloadsPerStep).toBe(1);
    expect(f.callsPerStep).toBe(13 / 4);
    expect(f.lyricsDoneToSongSubmitP50Ms).toBe(100);
    expect(f.lyricsDoneToSongSubmitP99Ms).toBe(400);
    expect(f.songDoneToFirstQueryP50Ms).toBe(200);
    expect(f.lastFinishedMs).toBe(10_000);
    expect(f.criticalPathRatio).toBe(1.25);
    // Two lyrics submits within 150 ms of the phase's start.
    expect(f.submitsPerSecond).toBeCloseTo(2 / 0.15);
    expect(f.firstSubmitMs).toBe(100);
    expect(f.maxSubmitsPerSongStep).toBe(1);
  });

  it('shows a step paid twice', () => {
    const twice = new Map(tasks);
    twice.set('lyrics-5', lyrics('lyrics-5', 1, start + 3_000));
    expect(modeFigures(observed, twice, log).maxSubmitsPerSongStep).toBe(2);
  });

  it('prints one column per mode, and ours ÷ naive', () => {
    const ours = modeFigures(observed, tasks, log);
    const naive = { ...ours, mode: 'naive', queriesPerStep: 5, callsPerStep: 6.5 };
    const table = figuresTable([ours, naive]);
    expect(table.split('\n')[0]).toBe('| figure | ours | naive |');
    expect(table).toContain('| lyrics finished → song submitted, p50 / p99 | 100 ms / 400 ms |');
    expect(table).toContain('| last song finished (× provider critical path) | 10.0 s (1.25×) |');
    const ratios = ratioTable([ours], naive);
    expect(ratios).toContain('| queries per step | 0.25 |');
    expect(ratios).toContain('| provider calls per step | 0.50 |');
  });
});
