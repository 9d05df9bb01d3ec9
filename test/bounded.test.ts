// The bound on how many later steps of a song run at once.
import { describe, expect, it } from 'vitest';
import { runBounded } from '../steps/bounded';

describe('runBounded', () => {
  it('never runs more than the limit at once, runs everything, and keeps going past failures', async () => {
    let running = 0;
    let peak = 0;
    const job = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (i === 2) throw new Error('boom');
      return i;
    };
    const results = await runBounded([0, 1, 2, 3, 4, 5].map(job), 3);
    expect(peak).toBe(3);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(results[5]).toEqual({ status: 'fulfilled', value: 5 });
  });
});
