// album.json's record of credits: each album run adds its own entry, writing again for the same run
// (an activity retry) replaces it, and a file from before the record by run counts as one run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAlbumJson } from '../album/assembly/albumJson';
import type { WriteAlbumManifestInput } from '../contracts/albumFiles';
import { LocalArtifactStore } from '../artifacts/store/localStore';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'album-credits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function input(runId: string, spent: [number, number]): WriteAlbumManifestInput {
  return {
    albumDir: dir,
    album: { id: 'a', title: 'A', artist: 'B', provider: 'anyint', runId, credits: { estimated: 30 } },
    // Tracks without files: the credits are what this test is about.
    tracks: spent.map((s, i) => ({ number: i + 1, title: `T${i + 1}`, state: 'skipped' as const, credits: { spent: s } })),
  };
}

async function write(json: unknown): Promise<void> {
  await writeFile(path.join(dir, 'album.json'), JSON.stringify(json));
}

const store = new LocalArtifactStore();

describe('album.json credits across runs', () => {
  it('adds each run, and replaces (not adds) a run written twice', async () => {
    const first = await buildAlbumJson(input('run-1', [14, 13]), store);
    expect(first.credits).toMatchObject({ estimated: 30, spent: 27, spentThisRun: 27, byRun: { 'run-1': 27 } });
    await write(first);
    const retried = await buildAlbumJson(input('run-1', [14, 13]), store);
    expect(retried.credits.spent).toBe(27);
    await write(retried);
    const rerun = await buildAlbumJson(input('run-2', [0, 12]), store);
    expect(rerun.credits).toMatchObject({ spent: 39, spentThisRun: 12, byRun: { 'run-1': 27, 'run-2': 12 } });
    expect(rerun.tracks.map((t) => [t.credits.spent, t.credits.spentThisRun])).toEqual([
      [14, 0],
      [25, 12],
    ]);
  });

  it('keeps the spent figure of an album.json written before runs were recorded', async () => {
    await write({ version: 1, runId: 'old-run', credits: { spent: 40 }, tracks: [{ number: 1, credits: { spent: 40 } }] });
    const rerun = await buildAlbumJson(input('run-3', [0, 0]), store);
    expect(rerun.credits).toMatchObject({ spent: 40, spentThisRun: 0, byRun: { 'old-run': 40, 'run-3': 0 } });
    expect(rerun.tracks[0]!.credits.spent).toBe(40);
  });
});
