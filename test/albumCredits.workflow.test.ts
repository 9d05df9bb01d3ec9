// An album's credits on the time-skipping server: every task the provider was sent is counted once,
// the lyrics the album writes for all its tracks at once included, and running the finished album
// again pays nothing while album.json keeps what the album cost.
import { readFile } from 'node:fs/promises';
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

function album(): AlbumPipelineInput {
  const albumId = 'credits-album';
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
});
