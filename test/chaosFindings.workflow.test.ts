// What the chaos run at ten kills, three restarts and 25 % provider faults found, pinned on the
// time-skipping server: each test here failed before its fix.
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTags } from '../artifacts/id3Tags';
import type { TagTrackInput } from '../contracts/albumFiles';
import type { AlbumPipelineInput, AlbumPipelineResult } from '../contracts/albumPipeline';
import type { QueryInput, SubmitInput } from '../contracts/providerTasks';
import { failureTypeOf } from '../providers/errors';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;
let albums = 0;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

function album(trackCount: number, overrides: Partial<AlbumPipelineInput> = {}): AlbumPipelineInput {
  albums++;
  const albumId = `finding-album-${albums}`;
  return {
    albumId,
    title: `Finding ${albums}`,
    artist: 'Tester',
    provider: 'anyint',
    outDir: harness.folder(albumId),
    tracks: Array.from({ length: trackCount }, (_, i) => ({
      number: i + 1,
      title: `Track ${i + 1}`,
      request: { prompt: `track ${i + 1} of finding ${albums}`, instrumental: false, style: 'pop' },
      steps: ['lyrics', 'song'],
      outDir: harness.folder(`${albumId}/${String(i + 1).padStart(2, '0')}`),
      fileStem: `${String(i + 1).padStart(2, '0')} - Track ${i + 1}`,
    })),
    persona: { strategy: 'none' },
    concurrency: 2,
    failurePolicy: { mode: 'retry', attempts: 2 },
    callbacks: false,
    ...overrides,
  };
}

/** Lets every task submitted from now on finish. */
function finishTasks(): () => void {
  const timer = setInterval(() => {
    for (const t of harness.provider.tasks) if (t.status === 'PENDING') harness.provider.setStatus(t.taskId, 'SUCCESS');
  }, 20);
  return () => clearInterval(timer);
}

const start = (input: AlbumPipelineInput) => harness.env.client.workflow.start('albumPipeline', { taskQueue: harness.taskQueue, workflowId: `album-${input.albumId}`, args: [input] });

describe('chaos findings', () => {
  it('tags a track with the lyrics it was sung with when the album’s lyrics step for it was refused', async () => {
    // Seed turn2: the album's lyrics submit for track 5 got an injected "rejected"; the track wrote
    // its own lyrics, but the tagged copy was made from the plan's (absent) text and so differed
    // from the calm run's.
    const input = album(2);
    const refused = `${`album-${input.albumId}`}/lyrics-t2`;
    await harness.withWorker(
      async () => {
        const stop = finishTasks();
        const result: AlbumPipelineResult = await (await start(input)).result().finally(stop);
        expect(result.status).toBe('succeeded');
        for (const track of result.tracks) {
          const tags = readTags(track.tagged!.path);
          expect(tags.unsynchronisedLyrics?.text, `track ${track.number}`).toBe('[Verse]\nscripted words');
        }
      },
      (real) => ({
        async submitProviderTask(submit: SubmitInput) {
          if (`${submit.workflowId}/${submit.stepId}` === refused) {
            throw ApplicationFailure.create({ type: failureTypeOf('rejected'), message: 'request refused (scripted)', nonRetryable: true });
          }
          return real.submitProviderTask(submit);
        },
      }),
    );
  });

  it('tries an album assembly step again within a minute when its worker died, not after its ten-minute timeout', async () => {
    // Seed turn2 spent ten minutes here: a worker killed while tagging left the attempt to run out
    // its start-to-close timeout. The first attempt below never answers and never heartbeats, as
    // with a worker that was SIGKILLed.
    const input = album(1);
    input.tracks = input.tracks.map((t) => ({ ...t, request: { ...t.request, instrumental: true }, steps: ['song'] }));
    const attemptsAt: number[] = [];
    let releaseLost: () => void = () => {};
    const lost = new Promise<void>((resolve) => (releaseLost = resolve));
    await harness.withWorker(
      async () => {
        const stop = finishTasks();
        try {
          const handle = await start(input);
          // The test server does not skip time while an activity is out, so this waits in real time:
          // about the heartbeat timeout with the fix, the whole start-to-close timeout without it.
          await expect.poll(() => attemptsAt.length, { timeout: 100_000, interval: 1_000 }).toBe(2);
          const result: AlbumPipelineResult = await handle.result();
          expect(result.status).toBe('succeeded');
        } finally {
          stop();
          releaseLost();
        }
        expect(attemptsAt[1]! - attemptsAt[0]!).toBeLessThan(90_000);
      },
      (real) => ({
        async tagTrack(tag: TagTrackInput) {
          attemptsAt.push(await harness.env.currentTimeMs());
          if (activityInfo().attempt === 1) {
            await lost;
            throw new Error('this attempt was given up long ago');
          }
          return real.tagTrack(tag);
        },
      }),
    );
  });

  it('an album masters after more attempts lost with their workers than the three it once allowed', async () => {
    // chaos:scale (64 songs, ten kills, three restarts): a burst of kills and a dev-server restart
    // while sixteen albums mastered used up the three attempts of four albums' normalizeLoudness,
    // and those albums failed after every song was paid for. Each lost attempt below fails as an
    // attempt cut off by a heartbeat timeout does: retryable, counted against the maximum.
    const input = album(1, { loudness: { targetLufs: -14 } });
    input.tracks = input.tracks.map((t) => ({ ...t, request: { ...t.request, instrumental: true }, steps: ['song'] }));
    const LOST = 5;
    let attempts = 0;
    await harness.withWorker(
      async () => {
        const stop = finishTasks();
        const result: AlbumPipelineResult = await (await start(input)).result().finally(stop);
        expect(result.status).toBe('succeeded');
        expect(attempts).toBe(LOST + 1);
      },
      (real) => ({
        async normalizeLoudness(...args: Parameters<typeof real.normalizeLoudness>) {
          attempts = activityInfo().attempt;
          if (attempts <= LOST) throw ApplicationFailure.create({ type: 'ActivityLostWithWorker', message: `attempt ${attempts} lost with its worker (scripted)` });
          return real.normalizeLoudness(...args);
        },
      }),
    );
  });

  it('polls again soon after a poll attempt was lost with its worker, however many polls came before', async () => {
    // A poll attempt cut off by a SIGKILL ends in a start-to-close timeout; its retry is timed by the
    // retry policy, whose backoff counts every earlier "still running" poll and so stood at its
    // two-minute maximum. The eighth poll below never answers, as with a killed worker.
    const LOST = 8;
    const ranAt = new Map<number, number>();
    let releaseLost: () => void = () => {};
    const lost = new Promise<void>((resolve) => (releaseLost = resolve));
    await harness.withWorker(
      async () => {
        const handle = await harness.start(harness.input({ deadlines: { song: 60 * 60_000 } }));
        // Finished once the lost poll has been retried, so the poll after it sees the task done.
        const finisher = setInterval(() => {
          if (!ranAt.has(LOST + 1)) return;
          for (const t of harness.provider.tasks) if (t.status === 'PENDING') harness.provider.setStatus(t.taskId, 'SUCCESS');
        }, 20);
        try {
          // Waiting on the result lets the test server skip time through the poll delays.
          const result = handle.result();
          await expect.poll(() => ranAt.has(LOST + 1), { timeout: 110_000, interval: 1_000 }).toBe(true);
          expect((await result).status).toBe('succeeded');
        } finally {
          clearInterval(finisher);
          releaseLost();
        }
        // 60 s until the lost attempt times out, then the capped backoff (10 s) rather than 120 s.
        expect(ranAt.get(LOST + 1)! - ranAt.get(LOST)!).toBeLessThan(100_000);
      },
      (real) => ({
        async awaitProviderTask(query: QueryInput) {
          const { attempt } = activityInfo();
          ranAt.set(attempt, await harness.env.currentTimeMs());
          if (attempt === LOST) {
            await lost;
            throw new Error('this attempt was given up long ago');
          }
          return real.awaitProviderTask(query);
        },
      }),
    );
  });

  it('does not pay for a track’s lyrics again when the album retries the track after its song was refused', async () => {
    // Seed turn2, second run: track 1 wrote its own lyrics, its song submit got an injected "auth",
    // and the album's next attempt at the track paid for lyrics again (the same step, paid twice).
    const input = album(1);
    const albumLyrics = `album-${input.albumId}/lyrics-t1`;
    const trackId = `album-${input.albumId}-t01`;
    let songSubmits = 0;
    const before = harness.provider.tasks.length;
    await harness.withWorker(
      async () => {
        const stop = finishTasks();
        const result: AlbumPipelineResult = await (await start(input)).result().finally(stop);
        expect(result.status).toBe('succeeded');
        expect(result.tracks[0]).toMatchObject({ state: 'succeeded', attempts: 2 });
        const lyricsTasks = harness.provider.tasks.slice(before).filter((t) => t.route === 'generate-lyrics');
        expect(lyricsTasks).toHaveLength(1);
        expect(readTags(result.tracks[0]!.tagged!.path).unsynchronisedLyrics?.text).toBe('[Verse]\nscripted words');
      },
      (real) => ({
        async submitProviderTask(submit: SubmitInput) {
          if (`${submit.workflowId}/${submit.stepId}` === albumLyrics) {
            throw ApplicationFailure.create({ type: failureTypeOf('rejected'), message: 'request refused (scripted)', nonRetryable: true });
          }
          if (submit.workflowId === trackId && submit.stepId === 'song' && songSubmits++ === 0) {
            throw ApplicationFailure.create({ type: failureTypeOf('auth'), message: 'invalid api key (scripted)', nonRetryable: true });
          }
          return real.submitProviderTask(submit);
        },
      }),
    );
  });
});
