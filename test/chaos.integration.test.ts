// `npm run chaos`, short: one small album made calmly and then under faults, through the script a
// user runs. Its verdict must come from real checks — the ledger, track.json digests and the files
// of the calm run — so a run that paid twice or lost a file would make this fail.
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

describe('npm run chaos', () => {
  it('makes the EP under faults with nothing paid twice, nothing lost and the same files as the calm run', async () => {
    const { code, stdout, stderr } = await runChaos([
      'examples/instrumental-ep.yaml',
      '--kills', '2',
      '--restarts', '1',
      '--forgeries', '70',
      '--fault-rate', '0.3',
      '--stage-delays', '500,1000,1500',
      // Wall time is the machine's as much as ours on a shared box: the ratio is the script's figure, not this test's.
      '--max-slowdown', '0',
      '--json',
    ]);
    if (code !== 0) console.error(stderr);
    const figures = JSON.parse(stdout);
    console.log(JSON.stringify({ kills: figures.kills, restarts: figures.restarts, providerFaults: figures.providerFaults, webhookFaults: figures.webhookFaults, forged: figures.forgedCallbacks, attention: figures.stepsNeedingAttention, paidTwice: figures.paidTwice, lost: figures.artifacts.lost, different: figures.artifacts.different, slowdown: figures.slowdown }));
    expect(code).toBe(0);
    expect(figures.ok).toBe(true);
    expect(figures.albums.map((a: { status: string }) => a.status)).toEqual(['succeeded']);
    expect(figures.kills).toBeGreaterThanOrEqual(1);
    expect(figures.paidTwice).toEqual([]);
    // Every run replays: none works only while one worker keeps it cached.
    expect(figures.replay.failed).toEqual([]);
    expect(figures.replay.replayed).toBeGreaterThan(0);
    expect(figures.artifacts.lost).toEqual([]);
    expect(figures.artifacts.different).toEqual([]);
    // The EP has three tracks: two with song + wav, one with song only, each mastered; all compared.
    expect(figures.artifacts.compared).toBeGreaterThanOrEqual(10);
    expect(figures.paidSubmits.chaos).toBe(figures.paidSubmits.baseline);
    // Every forgery that did not carry a genuine token was refused.
    expect(figures.forgedCallbacks.byStatus['401']).toBeGreaterThanOrEqual(20);
    expect(figures.forgedCallbacks.byStatus['500']).toBeUndefined();
  }, 300_000);

  it('with two workers, each kill takes one while the other goes on serving, and the guarantees hold', async () => {
    const { code, stdout, stderr } = await runChaos([
      'examples/instrumental-ep.yaml',
      '--workers', '2',
      '--kills', '2',
      '--restarts', '0',
      '--forgeries', '20',
      '--fault-rate', '0.1',
      '--stage-delays', '1000,2000,3000',
      '--max-slowdown', '0',
      '--json',
    ]);
    if (code !== 0) console.error(stderr);
    const figures = JSON.parse(stdout);
    console.log(JSON.stringify({ workers: figures.workers, kills: figures.kills, withoutWorker: figures.withoutWorkerSeconds, starts: figures.workerStartSeconds, paidTwice: figures.paidTwice, slowdown: figures.slowdown }));
    expect(code).toBe(0);
    expect(figures.ok).toBe(true);
    expect(figures.workers).toBe(2);
    expect(figures.kills).toBeGreaterThanOrEqual(1);
    // The queue always had a worker: the kill took one of two.
    expect(figures.withoutWorkerSeconds).toBe(0);
    // Both workers at the start of each run, and a replacement after each kill.
    expect(figures.workerStartSeconds.chaos.count).toBeGreaterThanOrEqual(2 + figures.kills);
    expect(figures.paidTwice).toEqual([]);
    expect(figures.replay.failed).toEqual([]);
    expect(figures.artifacts.lost).toEqual([]);
    expect(figures.artifacts.different).toEqual([]);
    expect(figures.paidSubmits.chaos - figures.knowinglyRebought.length).toBe(figures.paidSubmits.baseline);
  }, 300_000);

  it('refuses bad flags before starting anything', async () => {
    const { code, stderr, stdout } = await runChaos(['--fault-rate', '2']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--fault-rate');
    expect(stdout).toBe('');
  });
});
