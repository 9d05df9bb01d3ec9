// The poll schedule learned from real durations (steps/pollSchedule.ts): what a worker does once it
// has seen a provider's tasks of one kind finish. Pure functions, no timing.
import { describe, expect, it } from 'vitest';
import { DurationLearner, LEARNED_STEP, learnedPollDelayMs, MIN_SAMPLES, nextLookDelayMs, nextPollDelayMs, pollTiming, type LearnedDuration } from '../steps/pollSchedule';

const noJitter = () => 0.5;

/** Polls a task that finishes at `finishMs` on the learned schedule; returns the queries and the lag. */
function simulate(learned: LearnedDuration, finishMs: number, callbacks = false) {
  let at = 0;
  let queries = 0;
  for (;;) {
    at += learnedPollDelayMs(learned, at, callbacks, noJitter);
    queries++;
    if (at >= finishMs) return { queries, lagMs: at - finishMs };
    if (queries > 100) throw new Error('never saw the task finish');
  }
}

describe('DurationLearner', () => {
  it('knows nothing until it has seen a few tasks of that provider and kind', () => {
    const learner = new DurationLearner();
    for (let i = 1; i < MIN_SAMPLES; i++) learner.record('anyint song', 60_000);
    expect(learner.learned('anyint song')).toBeUndefined();
    learner.record('anyint song', 60_000);
    expect(learner.learned('anyint song')).toEqual({ lowMs: 60_000, typicalMs: 60_000, highMs: 60_000 });
    expect(learner.learned('anyint lyrics')).toBeUndefined();
  });

  it('follows the recent tasks: old durations leave the window', () => {
    const learner = new DurationLearner();
    for (let i = 0; i < 40; i++) learner.record('k', 10_000);
    for (let i = 0; i < 40; i++) learner.record('k', 30_000);
    expect(learner.learned('k')?.typicalMs).toBe(30_000);
  });

  it('ignores durations that cannot be real', () => {
    const learner = new DurationLearner();
    for (const d of [0, -5, Number.NaN]) learner.record('k', d);
    expect(learner.learned('k')).toBeUndefined();
  });
});

describe('learnedPollDelayMs, polling only', () => {
  const learned: LearnedDuration = { lowMs: 50_000, typicalMs: 60_000, highMs: 75_000 };

  it('first looks just before the quickest tasks finish, not earlier', () => {
    expect(learnedPollDelayMs(learned, 0, false, noJitter)).toBe(50_000 - LEARNED_STEP * 60_000);
  });

  it('finds any task within the spread seen with a lag under 10 % of its duration and at most 8 queries', () => {
    for (let finish = 50_000; finish <= 75_000; finish += 1_000) {
      const { queries, lagMs } = simulate(learned, finish);
      expect(queries).toBeLessThanOrEqual(8);
      expect(lagMs).toBeLessThanOrEqual(LEARNED_STEP * learned.typicalMs * (1 + 0.2));
      expect(lagMs / finish).toBeLessThan(0.1);
    }
  });

  it('backs off for a task slower than any seen, within the usual cap', () => {
    const delays = [80_000, 120_000, 300_000, 3_600_000].map((elapsed) => learnedPollDelayMs(learned, elapsed, false, noJitter));
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[delays.length - 1]).toBeLessThanOrEqual(30_000);
  });
});

describe('learnedPollDelayMs, with callbacks (the poll is a safety net)', () => {
  const learned: LearnedDuration = { lowMs: 18_000, typicalMs: 20_000, highMs: 22_000 };

  it('first looks only once a webhook is overdue: twice the slowest duration seen', () => {
    expect(learnedPollDelayMs(learned, 0, true, noJitter)).toBe(44_000);
    expect(simulate(learned, 21_000, true).queries).toBe(1);
  });

  it('once the webhook is overdue, looks as polling only would: a lost webhook costs a fraction of the wait, not minutes', () => {
    // At 44 s the slowest task seen (22 s) is 22 s overdue: the next look a quarter of that later.
    expect(learnedPollDelayMs(learned, 44_000, true, noJitter)).toBe(learnedPollDelayMs(learned, 44_000, false, noJitter));
    expect(learnedPollDelayMs(learned, 44_000, true, noJitter)).toBe(5_500);
    // A task that ran long anyway is not asked about more than every 30 s.
    expect(learnedPollDelayMs(learned, 3_600_000, true, noJitter)).toBe(30_000);
  });
});

describe('nextLookDelayMs, with callbacks, once a look was made', () => {
  const learned: LearnedDuration = { lowMs: 29_000, typicalMs: 30_000, highMs: 31_000 };
  const look = { kind: 'lyrics' as const, callbacks: true, pollScale: 1, learned };

  it('waits for the webhook only before the first look', () => {
    expect(nextLookDelayMs({ ...look, pollNumber: 1, elapsedMs: 0 }, noJitter)).toBe(62_000);
  });

  it('follows a first look made on the documented schedule (before anything was learned) at the polling cadence, not at twice the slowest task', () => {
    // The documented first look for lyrics with callbacks came at 30 s, before this 31 s task
    // finished; meanwhile the worker learned the durations. The next look comes one step later, not at 62 s.
    const next = nextLookDelayMs({ ...look, pollNumber: 2, elapsedMs: 30_000 }, noJitter);
    expect(next).toBe(learnedPollDelayMs(learned, 30_000, false, noJitter));
    expect(next).toBeLessThanOrEqual(LEARNED_STEP * learned.typicalMs);
  });

  it('uses the documented schedule, scaled, while nothing is learned', () => {
    expect(nextLookDelayMs({ kind: 'song', callbacks: true, pollScale: 0.5, pollNumber: 1, elapsedMs: 0 }, noJitter)).toBe(pollTiming('song', true).firstMs / 2);
  });
});

describe('nextPollDelayMs, the documented schedule with callbacks (before anything is learned)', () => {
  it('first looks when a typical webhook is overdue, then polls as polling only does', () => {
    expect(nextPollDelayMs('song', 1, true, noJitter)).toBe(pollTiming('song', true).firstMs);
    const pollingOnly = [1, 2, 3, 4, 5, 6, 7].map((attempt) => nextPollDelayMs('song', attempt, false, noJitter));
    const afterFirstLook = [2, 3, 4, 5, 6, 7, 8].map((attempt) => nextPollDelayMs('song', attempt, true, noJitter));
    expect(afterFirstLook).toEqual(pollingOnly);
    expect(Math.max(...afterFirstLook)).toBe(pollTiming('song', false).maxMs);
  });
});
