// The steps after the song, on the time-skipping server: they run side by side, one failing keeps
// the others' files, a rerun of the same request pays only for what is missing, and a person can
// choose the clip.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseClipUpdate, progressQuery } from '../contracts/pipelineMessages';
import type { SongPipelineResult } from '../contracts/songPipeline';
import type { ScriptedTask } from './helpers/scriptedProvider';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

/** Resolves with the tasks submitted after `before`, once `count` of them exist. */
async function submitted(before: number, count: number): Promise<ScriptedTask[]> {
  return (await harness.provider.waitForSubmits(before + count)).slice(before);
}

describe('songPipeline later steps', () => {
  it('runs the later steps at the same time, and a failed one keeps the rest', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      const before = provider.tasks.length;
      const args = harness.input({ steps: ['song', 'stems', 'wav', 'cover-art'] });
      const handle = await harness.start(args);
      const [song] = await submitted(before, 1);
      provider.setStatus(song!.taskId, 'SUCCESS');

      // All three later tasks are submitted before any of them has finished.
      const later = await submitted(before + 1, 3);
      expect(later.map((t) => t.route).sort()).toEqual(['generate-cover', 'vocal-removal', 'wav-generate']);
      for (const task of later) provider.setStatus(task.taskId, task.route === 'vocal-removal' ? 'GENERATE_AUDIO_FAILED' : 'SUCCESS');
      const result: SongPipelineResult = await handle.result();

      const byStep = Object.fromEntries(result.steps.map((s) => [s.stepId, s]));
      const [stems, wav, cover] = [byStep.stems!, byStep.wav!, byStep['cover-art']!];
      expect(Math.max(stems.startedAt!, wav.startedAt!, cover.startedAt!)).toBeLessThan(Math.min(stems.finishedAt!, wav.finishedAt!, cover.finishedAt!));

      expect(result.status).toBe('partial');
      expect(result.failedSteps).toEqual([{ step: 'stems', error: expect.stringMatching(/step stems: anyint task task\d+ failed .*scripted failure/) }]);
      expect(stems.state).toBe('failed');
      expect(result.artifacts.map((a) => path.basename(a.path)).sort()).toEqual(['clip-image.png', 'cover.png', 'song.mp3', 'song.wav', 'track.json']);
      const manifest = JSON.parse(await readFile(path.join(args.outDir, 'track.json'), 'utf8'));
      expect(manifest.steps.stems).toMatchObject({ state: 'failed', files: [] });
      expect(manifest.steps.wav).toMatchObject({ state: 'succeeded', files: ['song.wav'] });

      // The run's MusicStep named the later steps together, in one update, while they ran.
      const history = await handle.fetchHistory();
      const shown = (history.events ?? []).flatMap((e) => {
        const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.MusicStep;
        return field ? [defaultPayloadConverter.fromPayload(field)] : [];
      });
      expect(shown).toEqual(['song', 'stems,wav,cover-art', 'done']);
      // And the steps that ran side by side replay as they ran.
      await Worker.runReplayHistory({ workflowBundle: harness.bundle }, history, handle.workflowId);
    });
  });

  it('run again, the same request pays only for the step that failed', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      const args = harness.input({ steps: ['song', 'stems', 'wav'] });
      let before = provider.tasks.length;
      const first = await harness.start(args, 'wf-rerun');
      const [song] = await submitted(before, 1);
      provider.setStatus(song!.taskId, 'SUCCESS');
      for (const task of await submitted(before + 1, 2)) provider.setStatus(task.taskId, task.route === 'vocal-removal' ? 'GENERATE_AUDIO_FAILED' : 'SUCCESS');
      expect((await first.result()).status).toBe('partial');

      before = provider.tasks.length;
      const second = await harness.start(args, 'wf-rerun');
      const [stemsAgain] = await submitted(before, 1);
      expect(stemsAgain!.route).toBe('vocal-removal');
      provider.setStatus(stemsAgain!.taskId, 'SUCCESS');
      const result: SongPipelineResult = await second.result();
      expect(provider.tasks.length - before).toBe(1);
      expect(result.status).toBe('succeeded');
      expect(result.steps.filter((s) => s.reused).map((s) => s.stepId).sort()).toEqual(['song', 'wav']);
      expect(result.artifacts.filter((a) => a.kind === 'stem').map((a) => path.basename(a.path)).sort()).toEqual(['instrumental.mp3', 'vocals.mp3']);
    });
  });

  it('a rerun cut short after its early track.json still leaves the earlier run\'s paid steps to the next one', async () => {
    // What the chaos run caught: the second attempt of a partial track wrote track.json as soon as
    // its song was settled, with only its own steps so far; the earlier run's cover art fell out of
    // the record, and the third attempt paid for it again.
    await harness.withWorker(async () => {
      const { provider } = harness;
      const args = harness.input({ steps: ['song', 'stems', 'cover-art'] });
      let before = provider.tasks.length;
      const first = await harness.start(args, 'wf-cut-short');
      const [song] = await submitted(before, 1);
      provider.setStatus(song!.taskId, 'SUCCESS');
      for (const task of await submitted(before + 1, 2)) provider.setStatus(task.taskId, task.route === 'vocal-removal' ? 'GENERATE_AUDIO_FAILED' : 'SUCCESS');
      expect((await first.result()).status).toBe('partial');

      // The second attempt submits the stems again and is stopped there (its worker lost, say).
      before = provider.tasks.length;
      const second = await harness.start(args, 'wf-cut-short');
      const secondRunId = second.firstExecutionRunId;
      await submitted(before, 1);
      await expect.poll(async () => JSON.parse(await readFile(path.join(args.outDir, 'track.json'), 'utf8')).runId, { timeout: 10_000 }).toBe(secondRunId);
      await second.terminate('cut short');
      const record = JSON.parse(await readFile(path.join(args.outDir, 'track.json'), 'utf8'));
      expect(record.steps['cover-art']).toMatchObject({ state: 'succeeded', files: ['cover.png'] });

      before = provider.tasks.length;
      const third = await harness.start(args, 'wf-cut-short');
      const [stemsAgain] = await submitted(before, 1);
      expect(stemsAgain!.route).toBe('vocal-removal');
      provider.setStatus(stemsAgain!.taskId, 'SUCCESS');
      const result: SongPipelineResult = await third.result();
      expect(provider.tasks.length - before).toBe(1);
      expect(result.steps.filter((s) => s.reused).map((s) => s.stepId).sort()).toEqual(['cover-art', 'song']);
    });
  });

  it('waits for a person to choose the clip, then uses that clip for every later step', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      const before = provider.tasks.length;
      const handle = await harness.start(harness.input({ steps: ['song', 'wav'], review: { timeoutMs: 10 * 60_000 } }));
      const [song] = await submitted(before, 1);
      provider.setStatus(song!.taskId, 'SUCCESS');
      await expect.poll(async () => (await handle.query(progressQuery)).state, { timeout: 10_000 }).toBe('awaiting-choice');
      // The command line shows when the policy will decide.
      expect(await handle.query(progressQuery)).toMatchObject({ choiceStepId: 'song', choiceDeadline: expect.any(Number) });
      const refused = await handle.executeUpdate(chooseClipUpdate, { args: ['no-such-clip'] }).then(
        () => undefined,
        (err: WorkflowUpdateFailedError) => err,
      );
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused!.cause as Error).message).toMatch(/no clip no-such-clip/);
      const second = `${song!.taskId}-clip1`;
      expect(await handle.executeUpdate(chooseClipUpdate, { args: [second] })).toBe(second);

      const [wav] = await submitted(before + 1, 1);
      expect(wav!.body).toMatchObject({ taskId: song!.taskId, audioId: second });
      provider.setStatus(wav!.taskId, 'SUCCESS');
      const result: SongPipelineResult = await handle.result();
      expect(result.clip.clipId).toBe(second);
      // ... and confirms the person's choice.
      expect((await handle.query(progressQuery)).choice).toMatchObject({ stepId: 'song', clipId: second, clipNumber: 2, by: 'person' });
    });
  });

  it('falls back to the first completed clip when nobody chooses in time', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      const before = provider.tasks.length;
      const handle = await harness.start(harness.input({ steps: ['song'], review: { timeoutMs: 60_000 } }));
      const [song] = await submitted(before, 1);
      provider.setStatus(song!.taskId, 'SUCCESS');
      const result: SongPipelineResult = await handle.result();
      expect(result.clip.clipId).toBe(`${song!.taskId}-clip0`);
      // The command line announces the policy's pick, with the deadline that passed.
      const { choice } = await handle.query(progressQuery);
      expect(choice).toMatchObject({ stepId: 'song', clipId: `${song!.taskId}-clip0`, clipNumber: 1, by: 'policy', rule: 'first completed' });
      expect(choice!.deadline).toBeGreaterThan(0);
    });
  });
});
