// An operator's `resolve` can reach the run before the ambiguous submit failure it answers: the
// operator saw the step waiting on a worker whose workflow task was then lost (killed before the
// server recorded it), and the failure comes back only with the next worker. The run keeps such an
// answer for the step still submitting and uses it when the failure follows. It is a signal, so it
// replays where it arrived: as an update it was handed over on replay in another order than live,
// and the run failed every later workflow task with a nondeterminism error (chaos runs stalled so).
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSignal, resolveUpdate } from '../contracts/attentionMessages';
import { progressQuery } from '../contracts/pipelineMessages';
import type { SubmitInput } from '../contracts/providerTasks';
import type { SongPipelineResult } from '../contracts/songPipeline';
import { failureTypeOf } from '../providers/errors';
import { createWorkflowHarness, finishTasksAsTheyCome, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('a resolve that arrives before the failure it answers', () => {
  it('settles the step live and replays from its history', async () => {
    const { provider } = harness;
    const tasksBefore = provider.tasks.length;
    const submitted = deferred();
    const answerLost = deferred();
    const workflowId = 'resolve-with-the-failure';

    // The first worker sends the submit, then loses its answer once it has stopped taking workflow tasks.
    const first = await harness.createWorker(
      (real) => ({
        async submitProviderTask(input: SubmitInput) {
          await real.submitProviderTask(input);
          submitted.resolve();
          await answerLost.promise;
          throw ApplicationFailure.create({ type: failureTypeOf('ambiguous'), nonRetryable: true, message: 'test: the answer was lost on the way back' });
        },
      }),
      { maxCachedWorkflows: 0 },
    );
    const firstRun = first.run();
    const handle = await harness.start(harness.input(), workflowId);
    await submitted.promise;
    first.shutdown();

    // The operator's answer is recorded first; the failure it answers comes after it.
    const lostTask = provider.tasks[tasksBefore]!;
    await handle.signal(resolveSignal, { requestId: 'ahead-of-the-failure', taskId: lostTask.taskId });
    answerLost.resolve();
    await firstRun;

    const stop = finishTasksAsTheyCome(provider);
    try {
      const second = await harness.createWorker();
      const result: SongPipelineResult = await second.runUntil(async () => {
        const finished = await handle.result();
        expect((await handle.query(progressQuery)).attentionAnswers).toEqual([{ requestId: 'ahead-of-the-failure', stepId: 'song' }]);
        return finished;
      });
      expect(result.steps.find((s) => s.stepId === 'song')!.taskId).toBe(lostTask.taskId);
      expect(provider.tasks.length - tasksBefore).toBe(1);
    } finally {
      stop();
    }

    const history = await handle.fetchHistory();
    const EventType = temporal.api.enums.v1.EventType;
    const types = (history.events ?? []).map((e) => e.eventType);
    // What this test is about: the answer is in history before the failure it answers.
    expect(types.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)).toBeLessThan(types.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED));
    await Worker.runReplayHistory({ workflowBundle: harness.bundle }, history, workflowId);
  }, 120_000);

  it('still answers the resolve update of runs begun before it was a signal, and such a run replays', async () => {
    const { provider } = harness;
    const tasksBefore = provider.tasks.length;
    const workflowId = 'resolved-by-the-old-update';
    const stop = finishTasksAsTheyCome(provider);
    try {
      await harness.withWorker(async () => {
        provider.faults.push('hang');
        const handle = await harness.start(harness.input(), workflowId);
        await expect.poll(async () => (await handle.query(progressQuery)).needsAttention?.map((a) => a.stepId), { timeout: 20_000 }).toEqual(['song']);
        expect(await handle.executeUpdate(resolveUpdate, { args: [{ taskId: provider.tasks[tasksBefore]!.taskId }] })).toBe('song');
        expect((await handle.result()).status).toBe('succeeded');
      });
    } finally {
      stop();
    }
    const history = await harness.env.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: harness.bundle }, history, workflowId);
  }, 120_000);
});
