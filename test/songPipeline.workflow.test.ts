// Workflow behaviour on the time-skipping test server: the poll schedule, callback hints that end the
// wait, deadlines, and hints that must be ignored. Activities are the real ones, talking over loopback
// HTTP to a provider whose tasks finish when the test says so.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROWTH, JITTER, pollTiming } from '../steps/pollSchedule';
import { progressQuery, providerEventSignal } from '../contracts/pipelineMessages';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { CLIP_SECONDS } from './helpers/scriptedProvider';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;
let provider: WorkflowHarness['provider'];

beforeAll(async () => {
  harness = await createWorkflowHarness();
  provider = harness.provider;
});

afterAll(async () => {
  await harness?.teardown();
});

const withWorker: WorkflowHarness['withWorker'] = (fn) => harness.withWorker(fn);
const input = (overrides: Partial<SongPipelineInput> = {}) => harness.input(overrides);
const start = (args: SongPipelineInput) => harness.start(args);

/** Starts a song run and returns it with the one task its song step submitted. */
async function startSong(args: SongPipelineInput) {
  const before = provider.tasks.length;
  const handle = await start(args);
  const [task] = (await provider.waitForSubmits(before + 1)).slice(before);
  return { handle, task };
}

/** Resolves once the song step has its task id and waits for the task to finish. */
async function waitUntilQueued(handle: Awaited<ReturnType<typeof start>>): Promise<void> {
  await expect.poll(async () => (await handle.query(progressQuery)).steps.find((s) => s.stepId === 'song')?.state, { timeout: 10_000 }).toBe('queued');
}

describe('songPipeline on the time-skipping server', () => {
  it('polls on the documented schedule until the task finishes, then stores verified files', async () => {
    await withWorker(async (polls) => {
      const { handle, task } = await startSong(input());
      // Finish the task once the fifth poll has seen it unfinished.
      const finisher = setInterval(() => {
        if (task!.queries >= 5) provider.setStatus(task!.taskId, 'SUCCESS');
      }, 20);
      const result: SongPipelineResult = await handle.result().finally(() => clearInterval(finisher));

      const gaps = polls.slice(1).map((p, i) => ({ attempt: polls[i]!.attempt, gapMs: p.ranAtMs - polls[i]!.ranAtMs }));
      expect(gaps.length).toBeGreaterThanOrEqual(4);
      const { firstMs, maxMs } = pollTiming('song', false);
      for (const { attempt, gapMs } of gaps) {
        const nominal = Math.min(maxMs, firstMs * GROWTH ** (attempt - 1));
        expect(gapMs).toBeGreaterThanOrEqual(nominal * (1 - JITTER) - 50);
        expect(gapMs).toBeLessThanOrEqual(nominal * (1 + JITTER) + 1_000);
      }

      const audio = result.artifacts.find((a) => a.kind === 'audio')!;
      expect(path.basename(audio.path)).toBe('song.mp3');
      expect(audio.durationSeconds).toBeCloseTo(CLIP_SECONDS, 0);
      const manifest = JSON.parse(await readFile(path.join(result.outDir, 'track.json'), 'utf8'));
      expect(manifest.steps.song.taskId).toBe(task!.taskId);
      expect(manifest.files.map((f: { file: string }) => f.file).sort()).toEqual(['cover.png', 'song.mp3']);
    });
  });

  it('a callback hint ends the wait at once, without waiting for the next poll', async () => {
    await withWorker(async (polls) => {
      const { handle, task } = await startSong(input({ callbacks: true }));
      await waitUntilQueued(handle);
      // No query before the task could have finished.
      expect(task!.queries).toBe(0);
      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      await handle.result();
      const song = (await handle.query(progressQuery)).steps.find((s) => s.stepId === 'song')!;
      // Workflow time from submit to success; the sparse fallback poll would have waited this long.
      expect(song.finishedAt! - song.startedAt!).toBeLessThan(pollTiming('song', true).firstMs * (1 - JITTER));
      // The fallback poll never ran on its own schedule (its first look was not due yet): the one
      // look at the task was the one the hint asked for, made at once.
      expect(polls.map((p) => p.confirmsHint)).toEqual([true]);
      expect(task!.queries).toBe(1);
    });
  });

  it('one confirming look per finished task, however many times its finishing webhook comes', async () => {
    await withWorker(async (polls) => {
      const { handle, task } = await startSong(input({ callbacks: true }));
      await waitUntilQueued(handle);
      provider.setStatus(task!.taskId, 'SUCCESS');
      // A provider that retries its webhook, and a relay that repeats it: five, all at once.
      await Promise.all(Array.from({ length: 5 }, () => handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' })));
      expect((await handle.result()).status).toBe('succeeded');
      expect(polls.map((p) => p.confirmsHint)).toEqual([true]);
      expect(task!.queries).toBe(1);
    });
  });

  it('whichever reaches the workflow first, the first-look timer or a finishing hint, the step schedules the same poll', async () => {
    // Live, the two can come in separate workflow tasks while a replay of the same history sees them
    // in one (steps/taskWait.ts): if the orders gave different commands, the run could not replay.
    const waitActivities = async (handle: Awaited<ReturnType<typeof start>>) =>
      (await handle.fetchHistory()).events!
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter((name) => name === 'awaitProviderTask' || name === 'queryProviderTask');
    const firstLookMs = pollTiming('song', true).firstMs * (1 + JITTER);

    // Apart: the first look finds the task running, then the task finishes and its webhook comes.
    const apart = await withWorker(async (polls) => {
      const { handle, task } = await startSong(input({ callbacks: true }));
      await waitUntilQueued(handle);
      await harness.env.sleep(firstLookMs + 1_000);
      await expect.poll(() => task!.queries, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      expect((await handle.result()).status).toBe('succeeded');
      expect(polls.every((p) => !p.confirmsHint)).toBe(true);
      return waitActivities(handle);
    });

    // Together: while no worker runs, the first look falls due and the webhook comes; the next
    // worker gets both in one workflow task, the hint first (the SDK hands signals over first).
    const worker = await harness.createWorker(undefined, { maxCachedWorkflows: 0 });
    const { handle, task } = await worker.runUntil(async () => {
      const started = await startSong(input({ callbacks: true }));
      await waitUntilQueued(started.handle);
      return started;
    });
    // The test server holds its clock while a workflow task waits for a worker, so the sleep ends
    // exactly when the first-look timer fires.
    const timer = (await handle.fetchHistory()).events!.find((e) => e.timerStartedEventAttributes)!;
    const firesAtMs = Number(timer.eventTime!.seconds) * 1000 + Math.floor(timer.eventTime!.nanos! / 1e6) + Number(timer.timerStartedEventAttributes!.startToFireTimeout!.seconds) * 1000 + Math.ceil(timer.timerStartedEventAttributes!.startToFireTimeout!.nanos! / 1e6);
    await harness.env.sleep(firesAtMs - (await harness.env.currentTimeMs()));
    provider.setStatus(task!.taskId, 'SUCCESS');
    await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
    const together = await withWorker(async () => {
      expect((await handle.result()).status).toBe('succeeded');
      return waitActivities(handle);
    });

    expect(apart).toEqual(['awaitProviderTask']);
    expect(together).toEqual(apart);
  });

  it('a finishing webhook overtaken by a stale one (complete, then first) is confirmed at once, apart or together', async () => {
    // Webhooks come out of order. Live the two may reach the workflow in two tasks, on replay in
    // one: a step that let the newest stage decide saw "first" together and scheduled nothing,
    // where apart it had confirmed "complete" (TMPRL1100 in a chaos run with two workers).
    const confirmedAtOnce = async (handle: Awaited<ReturnType<typeof start>>, polls: { confirmsHint?: boolean }[]) => {
      const result: SongPipelineResult = await handle.result();
      expect(result.status).toBe('succeeded');
      const song = result.steps.find((s) => s.stepId === 'song')!;
      expect(song.finishedAt! - song.startedAt!).toBeLessThan(pollTiming('song', true).firstMs * (1 - JITTER));
      expect(polls.map((p) => Boolean(p.confirmsHint))).toEqual([true]);
    };

    await withWorker(async (polls) => {
      const { handle, task } = await startSong(input({ callbacks: true }));
      await waitUntilQueued(handle);
      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      await expect.poll(() => polls.length, { timeout: 10_000 }).toBe(1);
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'first' });
      await confirmedAtOnce(handle, polls);
    });

    // Together: both come while no worker runs, so the next worker gets them in one workflow task.
    const worker = await harness.createWorker(undefined, { maxCachedWorkflows: 0 });
    const { handle, task } = await worker.runUntil(async () => {
      const started = await startSong(input({ callbacks: true }));
      await waitUntilQueued(started.handle);
      return started;
    });
    provider.setStatus(task!.taskId, 'SUCCESS');
    await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
    await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'first' });
    await withWorker((polls) => confirmedAtOnce(handle, polls));
  });

  it('a finishing hint that comes after the poll gave up, short of the deadline, is confirmed at once', async () => {
    // The fallback poll's next look would come after the 3-minute deadline, so it ends early; until
    // the deadline a webhook still counts. The timer waiting for the deadline is not cancelled by the
    // hint (a hint reaching a replay before the poll's end could not replay its cancellation).
    await withWorker(async (polls) => {
      const { handle, task } = await startSong(input({ callbacks: true, deadlines: { song: 3 * 60_000 } }));
      await waitUntilQueued(handle);
      const gaveUp = async () => (await handle.fetchHistory()).events!.some((e) => e.activityTaskFailedEventAttributes?.failure);
      // Time moves on only while the test sleeps: a step at a time, looking before each, so the
      // hint comes soon after the poll gave up and well before the deadline.
      await expect.poll(async () => (await gaveUp()) || (await harness.env.sleep(2_000), false), { timeout: 60_000, interval: 10 }).toBe(true);
      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      const result: SongPipelineResult = await handle.result();
      expect(result.status).toBe('succeeded');
      const song = result.steps.find((s) => s.stepId === 'song')!;
      expect(song.finishedAt! - song.startedAt!).toBeLessThan(3 * 60_000);
      // The fallback poll's looks, then the one look the hint asked for.
      expect(polls.at(-1)!.confirmsHint).toBe(true);
      expect(polls.filter((p) => p.confirmsHint)).toHaveLength(1);
      const events = (await handle.fetchHistory()).events!;
      const looks = events.flatMap((e, i) => (e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitProviderTask' ? [i] : []));
      const confirm = looks.at(-1)!;
      expect(events.slice(0, confirm).filter((e) => e.timerCanceledEventAttributes)).toEqual([]);
    });
  });

  it('while its poll runs, a step is decided by the poll alone: a hint then schedules no query', async () => {
    // A hint and the poll's result may reach the workflow together on replay but apart live; a wait
    // that let either win could not replay its own history (replayPollAndHintAfterKill). Polling
    // only, as after an operator settles a lost submit, whose provider still sends webhooks.
    await withWorker(async (polls) => {
      const { handle, task } = await startSong(input({ callbacks: false }));
      await waitUntilQueued(handle);
      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      const result: SongPipelineResult = await handle.result();
      expect(result.status).toBe('succeeded');
      const song = result.steps.find((s) => s.stepId === 'song')!;
      // Found at the poll's first look, not at once by a query the hint would have asked for.
      expect(song.finishedAt! - song.startedAt!).toBeGreaterThanOrEqual(pollTiming('song', false).firstMs * (1 - JITTER));
      // Every look at the task was the poll's (its first attempt only waits).
      expect(task!.queries).toBe(polls.length - 1);
    });
  });

  it('a lost webhook: with callbacks on and no hint, the fallback poll finds the task at its first look', async () => {
    await withWorker(async (polls) => {
      const { handle, task } = await startSong(input({ callbacks: true }));
      provider.setStatus(task!.taskId, 'SUCCESS');
      const result: SongPipelineResult = await handle.result();
      expect(result.status).toBe('succeeded');
      const song = result.steps.find((s) => s.stepId === 'song')!;
      // Found by the poll's first look, on the sparse schedule a webhook-backed step polls on.
      const { firstMs } = pollTiming('song', true);
      expect(song.finishedAt! - song.startedAt!).toBeGreaterThanOrEqual(firstMs * (1 - JITTER));
      expect(song.finishedAt! - song.startedAt!).toBeLessThanOrEqual(firstMs * (1 + JITTER) + 5_000);
      expect(polls.map((p) => p.attempt)).toEqual([1]);
      expect(task!.queries).toBe(1);
    });
  });

  it.each([
    { mode: 'polling only', callbacks: false, deadlineMs: 60_000, within: '1 min', looks: (n: number) => n >= 1 },
    // The fallback poll's first look (75 s) would come after the deadline.
    { mode: 'callbacks, no hint', callbacks: true, deadlineMs: 60_000, within: '1 min', looks: (n: number) => n === 0 },
    // The fallback poll looks, then its next look would come after the deadline.
    { mode: 'callbacks, no hint, after a look', callbacks: true, deadlineMs: 3 * 60_000, within: '3 min', looks: (n: number) => n >= 1 },
  ])('fails the step with a clear error at its deadline ($mode)', async ({ callbacks, deadlineMs, within, looks }) => {
    await withWorker(async () => {
      const { handle, task } = await startSong(input({ callbacks, deadlines: { song: deadlineMs } }));
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as Error & { type?: string };
      expect(cause.type).toBe('StepDeadlineExceeded');
      expect(cause.message).toMatch(new RegExp(`step song: anyint task task\\d+ did not finish within ${within}$`));
      const progress = await handle.query(progressQuery);
      expect(progress.state).toBe('failed');
      // At the deadline itself: not a poll interval before it, when the next look would have come too late.
      const song = progress.steps.find((s) => s.stepId === 'song')!;
      expect(song.finishedAt! - song.startedAt!).toBeGreaterThanOrEqual(deadlineMs);
      expect(song.finishedAt! - song.startedAt!).toBeLessThan(deadlineMs + 5_000);
      expect(looks(task!.queries)).toBe(true);
    });
  });

  it('a run cancelled while its step waits for a webhook ends cancelled, without polling', async () => {
    await withWorker(async (polls) => {
      const { handle, task } = await startSong(input({ callbacks: true }));
      await waitUntilQueued(handle);
      await handle.cancel();
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(polls.length).toBe(0);
      expect(task!.queries).toBe(0);
    });
  });

  it('ignores a hint that names another task id', async () => {
    await withWorker(async () => {
      const { handle, task } = await startSong(input({ callbacks: true }));
      // The step waits for its task (the fallback poll's first look is far away, callbacks are on).
      await waitUntilQueued(handle);
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: 'someone-elses-task', stage: 'complete' });
      await expect.poll(async () => (await handle.query(progressQuery)).hints, { timeout: 10_000 }).toEqual({ received: 1, ignored: 1 });
      // A hint that was acted on would have made the workflow query the provider.
      expect(task!.queries).toBe(0);

      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      const result: SongPipelineResult = await handle.result();
      expect(result.status).toBe('succeeded');
    });
  });

  it('shows an intermediate callback stage without querying, and looks at the task on the finishing hint', async () => {
    await withWorker(async () => {
      const { handle, task } = await startSong(input({ callbacks: true }));
      await waitUntilQueued(handle);
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'first' });
      await expect
        .poll(async () => (await handle.query(progressQuery)).steps.find((s) => s.stepId === 'song')?.providerStatus, { timeout: 10_000 })
        .toBe('callback: first');
      expect(task!.queries).toBe(0);

      provider.setStatus(task!.taskId, 'SUCCESS');
      await handle.signal(providerEventSignal, { stepId: 'song', taskId: task!.taskId, stage: 'complete' });
      await handle.result();
      expect(task!.queries).toBe(1);
    });
  });

  it('refuses an input started without a field a step relies on, naming it, before paying for anything', async () => {
    await withWorker(async () => {
      const requestsBefore = provider.submitRequests;
      // As a client of one's own (or the Temporal UI) might start it: lyrics first, no `instrumental`.
      const { instrumental: _omitted, ...request } = input().request;
      const handle = await start(input({ request: request as SongPipelineInput['request'], steps: ['lyrics', 'song'] }));
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as Error & { type?: string };
      expect(cause.type).toBe('SongInputRefused');
      expect(cause.message).toMatch(/nothing was started or paid for: request\.instrumental: /);
      expect(provider.submitRequests - requestsBefore).toBe(0);
    });
  });
});
