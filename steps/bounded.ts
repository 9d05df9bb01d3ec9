// Runs jobs with at most `limit` in flight, in order of the list; every job settles (one failing
// does not stop the others), which is what independent later steps of a song need.
export async function runBounded<T>(jobs: (() => Promise<T>)[], limit: number): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(jobs.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < jobs.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await jobs[index]!() };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), jobs.length) }, lane));
  return results;
}
