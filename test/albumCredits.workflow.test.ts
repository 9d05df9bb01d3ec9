// An album's credits on the time-skipping server: every task the provider was sent is counted once,
// the lyrics the album writes for all its tracks at once included, and running the finished album
// again pays nothing while album.json keeps what the album cost.
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlbumPipelineInput, AlbumPipelineResult } from '../contracts/albumPipeline';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

const PRICES = { lyrics: 2, song: 12, wav: 1 } as const;
/** What each route the scripted provider records costs. */
const ROUTE_PRICE: Record<string, number> = { 'generate-lyrics': PRICES.lyrics, generate: PRICES.song, 'wav-generate': PRICES.wav };

function album(albumId = 'credits-album'): AlbumPipelineInput {
  return {
    albumId,
    title: 'Credits',
    artist: 'Tester',
    provider: 'anyint',
    outDir: harness.folder(albumId),
    tracks: [1, 2].map((n) => ({
      number: n,
      title: `Track ${n}`,
      request: { prompt: `track ${n} about money`, instrumental: false, style: 'pop' },
      steps: ['lyrics', 'song'],
      outDir: harness.folder(`${albumId}/0${n}`),
      fileStem: `0${n} - Track ${n}`,
    })),
    persona: { strategy: 'none' },
    concurrency: 2,
    failurePolicy: { mode: 'skip' },
    callbacks: false,
    prices: PRICES,
    credits: { estimated: 2 * (PRICES.lyrics + PRICES.song) },
  };
}

/** Lets every task submitted from now on succeed. */
function provideAll(): () => void {
  let next = harness.provider.tasks.length;
  const timer = setInterval(() => {
    for (; next < harness.provider.tasks.length; next++) harness.provider.setStatus(harness.provider.tasks[next]!.taskId, 'SUCCESS');
  }, 20);
  return () => clearInterval(timer);
}

describe('album credits', () => {
  it('counts the shared lyrics step, matches what the provider was sent, and keeps the total on a rerun', async () => {
    await harness.withWorker(async () => {
      const input = album();
      const before = harness.provider.tasks.length;
      const stop = provideAll();
      const start = () => harness.env.client.workflow.start('albumPipeline', { taskQueue: harness.taskQueue, workflowId: `album-${input.albumId}`, args: [input] });
      const first: AlbumPipelineResult = await (await start()).result();
      const sent = harness.provider.tasks.slice(before);
      expect(sent.map((t) => t.route).sort()).toEqual(['generate', 'generate', 'generate-lyrics', 'generate-lyrics']);
      const charged = sent.reduce((n, t) => n + ROUTE_PRICE[t.route]!, 0);
      expect(first.creditsSpent).toBe(charged);
      // What was estimated is what was paid: lyrics (paid by the album) included.
      expect(first.creditsSpent).toBe(input.credits!.estimated);
      expect(first.tracks.map((t) => t.creditsSpent)).toEqual([PRICES.lyrics + PRICES.song, PRICES.lyrics + PRICES.song]);
      expect(first.creditsTotal).toBe(charged);

      const again: AlbumPipelineResult = await (await start()).result().finally(stop);
      expect(harness.provider.tasks.length).toBe(before + sent.length);
      expect(again.creditsSpent).toBe(0);
      expect(again.creditsTotal).toBe(charged);
      const albumJson = JSON.parse(await readFile(again.files.find((f) => f.kind === 'album-manifest')!.path, 'utf8'));
      expect(albumJson.credits).toMatchObject({ estimated: charged, spent: charged, spentThisRun: 0 });
      expect(albumJson.tracks.map((t: { credits: { spent: number } }) => t.credits.spent)).toEqual([PRICES.lyrics + PRICES.song, PRICES.lyrics + PRICES.song]);
    });
  });

  it("counts what a track's run paid before it failed: the song paid for, then its file could not be stored", async () => {
    const input = album('credits-failed-track');
    // The second track's song file cannot be written (a disk that refuses it), after the provider finished and charged.
    const refuseSecondSong = (real: Parameters<NonNullable<Parameters<WorkflowHarness['withWorker']>[1]>>[0]) => ({
      storeDownload: async (args: Parameters<typeof real.storeDownload>[0]) => {
        if (args.name === 'song' && args.dir.endsWith('/02')) throw ApplicationFailure.nonRetryable('EROFS: read-only file system', 'OutputNotWritable');
        return real.storeDownload(args);
      },
    });
    await harness.withWorker(async () => {
      const before = harness.provider.tasks.length;
      const stop = provideAll();
      const handle = await harness.env.client.workflow.start('albumPipeline', { taskQueue: harness.taskQueue, workflowId: `album-${input.albumId}`, args: [input] });
      const result: AlbumPipelineResult = await handle.result().finally(stop);
      const sent = harness.provider.tasks.slice(before);
      // Every task finished at the provider, so every one was charged: the failed track's song too.
      expect(sent.map((t) => t.route).sort()).toEqual(['generate', 'generate', 'generate-lyrics', 'generate-lyrics']);
      const charged = sent.reduce((n, t) => n + ROUTE_PRICE[t.route]!, 0);
      const failed = result.tracks.find((t) => t.number === 2)!;
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatch(/EROFS/);
      expect(failed.creditsSpent).toBe(PRICES.lyrics + PRICES.song);
      expect(result.creditsSpent).toBe(charged);
    }, refuseSecondSong);
  });
});
