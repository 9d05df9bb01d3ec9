// `npm run chaos` at scale, short: 51 songs in flight at once (the instrumental EP made 17 times, every
// track of every copy started together, the worker allowed that many provider tasks), through the
// script a user runs, with a worker kill and a dev-server restart. The same checks as the full run —
// the provider's ledger, track.json digests, the calm run's files — must hold when every song is
// going at once. The long form is `npm run chaos:scale`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

function runChaos(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/chaos.ts'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// 51 songs through two full chaos runs take about 5 minutes on two cores (they took 7-15, some songs
// stalled, while a patch asked for after a local activity could not replay); CHAOS_SCALE_TEST=0
// leaves it out of a quick local run.
describe.skipIf(process.env.CHAOS_SCALE_TEST === '0')('npm run chaos at scale', () => {
  it('keeps 51 songs in flight through kills and a restart with nothing paid twice, lost or different', async () => {
    const { code, stdout, stderr } = await runChaos([
      'examples/instrumental-ep.yaml',
      '--copies', '17',
      '--concurrency', '3',
      '--max-running-tasks', '60',
      '--clip-seconds', '2',
      '--kills', '2',
      '--restarts', '1',
      '--forgeries', '100',
      '--fault-rate', '0.1',
      // Songs long enough that all 51 overlap: at 300/600/900 ms the first finished while the last
      // were still being started on a loaded machine (a sampled peak of 49), and at 1/2/3 s, once
      // steps waited with fewer workflow tasks, the calm run's peak came out at 44 in CI (then sampled
      // from progress queries; it is now counted from the server's start and close times of each run).
      '--stage-delays', '2000,4000,6000',
      // One process plays the provider for 51 songs on a shared machine: give its answers time, so
      // that what is measured is our handling of faults, not a queue at the simulator.
      '--provider-timeout', '20',
      // Wall time is the machine's as much as ours on a shared box: the ratio is the script's figure, not this test's.
      '--max-slowdown', '0',
      '--json',
    ]);
    if (code !== 0) console.error(stderr);
    const figures = JSON.parse(stdout);
    console.log(JSON.stringify({ songs: figures.songs, inFlight: figures.peakSongsInFlight, kills: figures.kills, restarts: figures.restarts, paid: figures.paidSubmits, wall: figures.wallSeconds, harness: figures.harness, load: figures.loadAverage }));
    expect(figures.songs).toBe(51);
    expect(figures.albums).toHaveLength(17);
    expect(figures.albums.every((a: { status: string }) => a.status === 'succeeded')).toBe(true);
    // Every song of every copy was going at once in both runs: this is a run at scale, not 17 small ones in turn.
    expect(figures.peakSongsInFlight.baseline).toBeGreaterThanOrEqual(50);
    expect(figures.peakSongsInFlight.chaos).toBeGreaterThanOrEqual(50);
    expect(figures.kills).toBeGreaterThanOrEqual(1);
    expect(figures.paidTwice).toEqual([]);
    // Every run replays: none works only while one worker keeps it cached.
    expect(figures.replay.failed).toEqual([]);
    expect(figures.replay.replayed).toBeGreaterThan(0);
    expect(figures.paidSubmits.chaos - figures.knowinglyRebought.length).toBe(figures.paidSubmits.baseline);
    expect(figures.artifacts.lost).toEqual([]);
    expect(figures.artifacts.different).toEqual([]);
    // Each copy: two tracks with song + wav, one with song only, each mastered.
    expect(figures.artifacts.compared).toBeGreaterThanOrEqual(17 * 10);
    expect(code).toBe(0);
    expect(figures.ok).toBe(true);
  }, 1_500_000);
});
