// Nothing but the submit between a song's lyrics and its song (issue 17's hop): the lyrics' provider
// slot passes to the song without a second request to the semaphore, and the lyrics files are written
// once the song's submit has been answered, which still leaves them on disk whatever the submit does.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStep } from '../client/resolveStep';
import { progressQuery } from '../contracts/pipelineMessages';
import { providerSlotsWorkflowId, slotsQuery } from '../contracts/providerSlots';
import type { SongPipelineResult } from '../contracts/songPipeline';
import { WORKFLOWS_PATH } from '../workers/worker';
import { createWorkflowHarness, finishTasksAsTheyCome, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

const withLyrics = (prompt: string) => harness.input({ steps: ['lyrics', 'song'], request: { prompt, instrumental: false, style: 'test' } });

describe('from lyrics to song', () => {
  it('the song runs on the slot its lyrics held: one request to the semaphore, and the slot is given back at the end', async () => {
    harness.slotLimit = 1;
    try {
      const workflowId = 'quick-hop-slot';
      await harness.withWorker(async () => {
        const semaphore = harness.env.client.workflow.getHandle(providerSlotsWorkflowId('anyint'));
        const tasksBefore = harness.provider.tasks.length;
        const handle = await harness.start(withLyrics('a song that keeps its slot'), workflowId);
        const [lyrics] = (await harness.provider.waitForSubmits(tasksBefore + 1)).slice(tasksBefore);
        harness.provider.setStatus(lyrics!.taskId, 'SUCCESS');
        const [song] = (await harness.provider.waitForSubmits(tasksBefore + 2)).slice(tasksBefore + 1);
        expect(song!.route).toBe('generate');

        // While the song renders, the semaphore counts its slot as the song's.
        await expect
          .poll(async () => (await semaphore.query(slotsQuery)).holders.map((h) => `${h.requester}/${h.stepId}`), { timeout: 10_000 })
          .toEqual([`${workflowId}/song`]);
        harness.provider.setStatus(song!.taskId, 'SUCCESS');
        expect((await handle.result()).status).toBe('succeeded');
        await expect.poll(async () => (await semaphore.query(slotsQuery)).holders, { timeout: 10_000 }).toEqual([]);

        // The lyrics asked (one update); the song did not ask at all.
        const semaphoreEvents = (await semaphore.fetchHistory()).events ?? [];
        expect(semaphoreEvents.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(1);
        expect(semaphoreEvents.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'passSlot').length).toBe(1);
        expect(harness.provider.tasks.length - tasksBefore).toBe(2);
        await semaphore.terminate('test over');
      });

      const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
      await Worker.runReplayHistory({ workflowBundle: bundle }, await harness.env.client.workflow.getHandle(workflowId).fetchHistory(), workflowId);
    } finally {
      harness.slotLimit = undefined;
    }
  }, 120_000);

  it('two songs at a limit of one never have two tasks running, and both finish', async () => {
    harness.slotLimit = 1;
    const stop = finishTasksAsTheyCome(harness.provider);
    try {
      await harness.withWorker(async () => {
        harness.provider.maxUnfinished = 0;
        const runs = [await harness.start(withLyrics('first of two at one slot')), await harness.start(withLyrics('second of two at one slot'))];
        const results: SongPipelineResult[] = [];
        // One result() at a time: a pending one keeps the test server's time skipping locked.
        for (const run of runs) results.push(await run.result());
        expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
        expect(harness.provider.maxUnfinished).toBe(1);
        const semaphore = harness.env.client.workflow.getHandle(providerSlotsWorkflowId('anyint'));
        await expect.poll(async () => (await semaphore.query(slotsQuery)).holders, { timeout: 10_000 }).toEqual([]);
        await semaphore.terminate('test over');
      });
    } finally {
      stop();
      harness.slotLimit = undefined;
    }
  }, 120_000);

  it('a song whose submit answer was lost waits for a person with its lyrics already stored, and keeps them when abandoned', async () => {
    await harness.withWorker(async () => {
      const tasksBefore = harness.provider.tasks.length;
      const input = withLyrics('a song whose answer is lost');
      const handle = await harness.start(input);
      const [lyrics] = (await harness.provider.waitForSubmits(tasksBefore + 1)).slice(tasksBefore);
      // The song's submit makes its task, but its answer never comes back.
      harness.provider.faults.push('hang');
      harness.provider.setStatus(lyrics!.taskId, 'SUCCESS');
      await expect.poll(async () => (await handle.query(progressQuery)).needsAttention?.map((a) => a.stepId), { timeout: 30_000 }).toEqual(['song']);

      const stored = async () => ({
        text: await readFile(path.join(input.outDir, 'lyrics.txt'), 'utf8'),
        manifest: JSON.parse(await readFile(path.join(input.outDir, 'track.json'), 'utf8')),
      });
      const whileWaiting = await stored();
      expect(whileWaiting.text).toMatch(/\S/);
      expect(whileWaiting.manifest.steps.lyrics).toMatchObject({ state: 'succeeded', taskId: lyrics!.taskId, files: ['lyrics.txt'] });

      await resolveStep(handle, { abandon: true });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('StepAbandoned');
      // What the next attempt reuses rather than paying for lyrics again.
      expect((await stored()).manifest.steps.lyrics).toMatchObject({ state: 'succeeded', taskId: lyrics!.taskId });
    });
  }, 120_000);
});
