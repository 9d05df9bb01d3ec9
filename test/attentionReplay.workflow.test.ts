// An operator's `resolve` can be accepted in the same workflow task that brings the ambiguous submit
// failure it answers: the failure reached the server while no worker could take the task (the only
// one stopping, or killed), and the operator's update waited for the next worker. Live, that worker
// sees the failure first and the update then finds its step waiting. On replay the SDK hands the
// update over first and skips its validator: the handler found no step waiting, threw, and the run
// failed its workflow task for ever once it left a worker's cache (a chaos run stalled a song so).
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateStage } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUpdate } from '../contracts/attentionMessages';
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

describe('a resolve accepted in the workflow task that brought the failure', () => {
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
    answerLost.resolve();
    await firstRun;

    // The failure is in history and its workflow task waits; the operator's answer waits with it.
    const lostTask = provider.tasks[tasksBefore]!;
    const accepted = handle.startUpdate(resolveUpdate, { args: [{ taskId: lostTask.taskId }], waitForStage: WorkflowUpdateStage.ACCEPTED });
    // Long enough for the update to be with the server before a worker takes the task.
    await new Promise((r) => setTimeout(r, 1_000));

    const stop = finishTasksAsTheyCome(provider);
    try {
      const second = await harness.createWorker();
      const result: SongPipelineResult = await second.runUntil(async () => {
        expect(await (await accepted).result()).toBe('song');
        return handle.result();
      });
      expect(result.steps.find((s) => s.stepId === 'song')!.taskId).toBe(lostTask.taskId);
      expect(provider.tasks.length - tasksBefore).toBe(1);
    } finally {
      stop();
    }

    const history = await handle.fetchHistory();
    const EventType = temporal.api.enums.v1.EventType;
    const types = (history.events ?? []).map((e) => e.eventType);
    const failedAt = types.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
    const acceptedAt = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    // What this test is about: no workflow task completed between the failure and the acceptance.
    expect(failedAt).toBeGreaterThan(0);
    expect(acceptedAt).toBeGreaterThan(failedAt);
    expect(types.slice(failedAt, acceptedAt).filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toHaveLength(1);
    await Worker.runReplayHistory({ workflowBundle: harness.bundle }, history, workflowId);
  }, 120_000);
});
