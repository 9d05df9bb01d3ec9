// The generic pipeline workflow on the time-skipping server, against the scripted provider: steps
// start as soon as their inputs are ready, a failed branch keeps every step that does not read it, a
// rerun pays only for what is missing, and a worker stopped mid-graph pays nothing twice.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelinePlan, PipelineRunInput, PipelineRunResult } from '../contracts/pipelinePlan';
import { planPipeline } from '../pipeline/definition/load';
import { pipelineRun } from '../pipeline/pipelineRun';
import { chooseClipUpdate, progressQuery } from '../contracts/pipelineMessages';
import type { ScriptedTask } from './helpers/scriptedProvider';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;
let runs = 0;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

/** Two songs, each exported to WAV; the second song's WAV also needs stems of the first. */
async function twoBranchPlan(): Promise<PipelinePlan> {
  const planned = await planPipeline(
    {
      name: 'two-branches',
      steps: {
        first: { kind: 'song', prompt: 'first song', title: 'First', style: 'test', instrumental: true },
        second: { kind: 'song', prompt: 'second song', title: 'Second', style: 'test', instrumental: true },
        'first-wav': { kind: 'wav', clip: 'first' },
        'second-wav': { kind: 'wav', clip: 'second' },
        'first-stems': { kind: 'stems', clip: 'first' },
      },
    },
    { provider: 'anyint' },
  );
  if (!planned.ok) throw new Error(planned.errors.join('\n'));
  return planned.plan;
}

function start(input: PipelineRunInput, workflowId: string) {
  return harness.env.client.workflow.start(pipelineRun, { taskQueue: harness.taskQueue, workflowId, args: [input] });
}

/** The song task with this title. */
function bySong(tasks: ScriptedTask[], title: string): ScriptedTask {
  const task = tasks.find((t) => t.body.title === title);
  if (!task) throw new Error(`no song task titled "${title}" among ${tasks.map((t) => JSON.stringify(t.body.title)).join(', ')}`);
  return task;
}

/** Resolves with the tasks submitted after `before`, once `count` of them exist. */
async function submitted(before: number, count: number): Promise<ScriptedTask[]> {
  return (await harness.provider.waitForSubmits(before + count)).slice(before);
}

describe('pipelineRun', () => {
  it('starts each step when its inputs are ready, and a failed branch keeps the rest', async () => {
    const plan = await twoBranchPlan();
    const input: PipelineRunInput = { plan, outDir: harness.folder(`pipeline-${++runs}`), callbacks: false };
    await harness.withWorker(async () => {
      const { provider } = harness;
      const before = provider.tasks.length;
      const handle = await start(input, `pipeline-test-${runs}`);
      // Both songs read nothing: they are submitted together (in either order).
      const songs = await submitted(before, 2);
      expect(songs.map((t) => t.route)).toEqual(['generate', 'generate']);
      const first = bySong(songs, 'First');
      const second = bySong(songs, 'Second');
      provider.setStatus(first.taskId, 'SUCCESS');
      // The first song's exports start while the second song is still rendering.
      const exports = await submitted(before + 2, 2);
      expect(exports.map((t) => t.route).sort()).toEqual(['vocal-removal', 'wav-generate']);
      expect(provider.tasks.find((t) => t.taskId === second.taskId)!.status).toBe('PENDING');
      for (const task of exports) provider.setStatus(task.taskId, 'SUCCESS');
      provider.setStatus(second.taskId, 'GENERATE_AUDIO_FAILED');
      const result: PipelineRunResult = await handle.result();

      expect(result.status).toBe('partial');
      expect(result.failedSteps).toEqual([{ step: 'second', error: expect.stringMatching(/step second: anyint task task\d+ failed .*scripted failure/) }]);
      const byStep = Object.fromEntries(result.steps.map((s) => [s.stepId, s]));
      expect(byStep['second-wav']).toMatchObject({ state: 'skipped', error: 'skipped: it reads step second, which failed' });
      expect(byStep['first-wav']!.state).toBe('done');
      // Nothing was submitted for the skipped step.
      expect(provider.tasks.length - before).toBe(4);
      expect(result.artifacts.map((a) => path.relative(input.outDir, a.path)).sort()).toEqual(['first-stems/instrumental.mp3', 'first-stems/vocals.mp3', 'first-wav.wav', 'first.mp3']);
      const record = JSON.parse(await readFile(path.join(input.outDir, 'pipeline.json'), 'utf8'));
      expect(record.steps.second).toMatchObject({ state: 'failed', files: [] });
      expect(record.steps['first-wav']).toMatchObject({ state: 'succeeded', files: ['first-wav.wav'] });
      expect(record.files.map((f: { file: string }) => f.file).sort()).toEqual(['first-stems/instrumental.mp3', 'first-stems/vocals.mp3', 'first-wav.wav', 'first.mp3']);
    });

    // Run again: only the failed branch is paid for.
    await harness.withWorker(async () => {
      const { provider } = harness;
      const before = provider.tasks.length;
      const handle = await start(input, `pipeline-test-${runs}-again`);
      const [second] = await submitted(before, 1);
      expect(second!.body.title).toBe('Second');
      provider.setStatus(second!.taskId, 'SUCCESS');
      const [wav] = await submitted(before + 1, 1);
      provider.setStatus(wav!.taskId, 'SUCCESS');
      const result: PipelineRunResult = await handle.result();
      expect(result.status).toBe('succeeded');
      expect(result.reusedSteps.sort()).toEqual(['first', 'first-stems', 'first-wav']);
      expect(provider.tasks.length - before).toBe(2);
    });
  });

  it('a worker stopped mid-graph leaves a run that a new worker finishes, each step paid once', async () => {
    const plan = await twoBranchPlan();
    const input: PipelineRunInput = { plan, outDir: harness.folder(`pipeline-${++runs}`), callbacks: false };
    const { provider } = harness;
    const before = provider.tasks.length;
    const handle = await harness.withWorker(async () => {
      const started = await start(input, `pipeline-test-${runs}`);
      provider.setStatus(bySong(await submitted(before, 2), 'First').taskId, 'SUCCESS');
      await submitted(before + 2, 2);
      // Stop once the run has recorded both exports' task ids: every submit so far has its answer.
      for (;;) {
        const progress = await started.query(progressQuery);
        if (['first-wav', 'first-stems'].every((name) => progress.steps.find((s) => s.stepId === name)?.taskId)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return started;
    }, undefined, { maxCachedWorkflows: 0 });
    // No worker now: finish every task the provider has, then bring a new worker.
    for (const task of provider.tasks.slice(before)) provider.setStatus(task.taskId, 'SUCCESS');
    const result: PipelineRunResult = await harness.withWorker(async () => {
      const later = submitted(before + 4, 1).then(([wav]) => provider.setStatus(wav!.taskId, 'SUCCESS'));
      const done = await handle.result();
      await later;
      return done;
    });
    expect(result.status).toBe('succeeded');
    const routes = provider.tasks.slice(before).map((t) => t.route).sort();
    expect(routes).toEqual(['generate', 'generate', 'vocal-removal', 'wav-generate', 'wav-generate']);
  });
});

describe('pipelineRun clip choice', () => {
  async function reviewPlan(): Promise<PipelinePlan> {
    const planned = await planPipeline(
      { name: 'review', steps: { take: { kind: 'song', prompt: 'review me', title: 'Review', style: 'test', instrumental: true, choose: 'review' } } },
      { provider: 'anyint' },
    );
    if (!planned.ok) throw new Error(planned.errors.join('\n'));
    return planned.plan;
  }

  it('waits for a person to choose, and keeps the clip they chose', async () => {
    const input: PipelineRunInput = { plan: await reviewPlan(), outDir: harness.folder(`pipeline-${++runs}`), callbacks: false, reviewTimeoutMs: 60 * 60_000 };
    await harness.withWorker(async () => {
      const { provider } = harness;
      const before = provider.tasks.length;
      const handle = await start(input, `pipeline-test-${runs}`);
      const [song] = await submitted(before, 1);
      provider.setStatus(song!.taskId, 'SUCCESS');
      for (;;) {
        const progress = await handle.query(progressQuery);
        if (progress.state === 'awaiting-choice') {
          expect(progress.candidates?.map((c) => c.id)).toEqual([`${song!.taskId}-clip0`, `${song!.taskId}-clip1`]);
          expect(progress).toMatchObject({ choiceStepId: 'take', choiceDeadline: expect.any(Number) });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await expect(handle.executeUpdate(chooseClipUpdate, { args: ['no-such-clip'] })).rejects.toThrow();
      await handle.executeUpdate(chooseClipUpdate, { args: [`${song!.taskId}-clip1`] });
      const result: PipelineRunResult = await handle.result();
      expect(result.status).toBe('succeeded');
      expect(result.steps[0]!.providerStatus).toBe(`clip ${song!.taskId}-clip1 chosen by person`);
      expect((await handle.query(progressQuery)).choice).toMatchObject({ stepId: 'take', clipId: `${song!.taskId}-clip1`, clipNumber: 2, by: 'person' });
      const record = JSON.parse(await readFile(path.join(input.outDir, 'pipeline.json'), 'utf8'));
      expect(record.steps.take.clip.clipId).toBe(`${song!.taskId}-clip1`);
    });
  });

  it('takes the first clip when nobody chooses in time, and says so', async () => {
    const input: PipelineRunInput = { plan: await reviewPlan(), outDir: harness.folder(`pipeline-${++runs}`), callbacks: false, reviewTimeoutMs: 10 * 60_000 };
    await harness.withWorker(async () => {
      const { provider } = harness;
      const before = provider.tasks.length;
      const handle = await start(input, `pipeline-test-${runs}`);
      const [song] = await submitted(before, 1);
      provider.setStatus(song!.taskId, 'SUCCESS');
      const result: PipelineRunResult = await handle.result();
      expect(result.steps[0]!.providerStatus).toBe(`clip ${song!.taskId}-clip0 chosen by default after the review time ran out`);
      expect((await handle.query(progressQuery)).choice).toMatchObject({ stepId: 'take', clipId: `${song!.taskId}-clip0`, clipNumber: 1, by: 'policy', rule: 'first completed' });
    });
  });
});
