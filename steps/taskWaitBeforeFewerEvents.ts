// The wait for a submitted task as runs begun before patch steps-fewer-events recorded it, kept so
// their histories replay (test/replayBeforeFewerEvents.workflow.test.ts): the poll scheduled at the
// submit, beside one deadline timer for the whole wait; both cancelled when the step ends.
import { CancellationScope, condition, sleep } from '@temporalio/workflow';
import type { TaskSnapshot } from '../providers/model';
import { awaitProviderTask as awaitTask, queryProviderTask as queryTask } from './providerTaskProxies';
import { actOnHint, deadlineFailure, queryInputOf, type SubmittedTask } from './taskWait';

export async function waitWithDeadlineTimer(task: SubmittedTask): Promise<TaskSnapshot> {
  const { runner, stepId, kind, taskId, deadlineMs, deadlineAt } = task;
  const { provider } = runner;
  // The poll outlived the deadline by a minute, so the timer, with its clear message, fired first.
  const awaitProviderTask = awaitTask(`${provider}: poll ${kind} task ${taskId}`, deadlineMs + 60_000);
  const queryProviderTask = queryTask(`${provider}: query ${kind} task ${taskId}`);

  let polled: { snapshot: TaskSnapshot } | { error: unknown } | undefined;
  const pollScope = new CancellationScope();
  const pollDone = pollScope
    .run(() => awaitProviderTask(queryInputOf(task)))
    .then(
      (snapshot) => void (polled = { snapshot }),
      (error: unknown) => void (polled = { error }),
    );

  let deadlinePassed = false;
  const deadlineScope = new CancellationScope();
  const deadlineDone = deadlineScope.run(() => sleep(deadlineAt - Date.now())).then(
    () => void (deadlinePassed = true),
    () => undefined,
  );

  let hintsSeen = 0;
  try {
    for (;;) {
      await condition(() => polled !== undefined || deadlinePassed || runner.hints.count(stepId, taskId) > hintsSeen);
      if (polled !== undefined) {
        if ('error' in polled) throw polled.error;
        return polled.snapshot;
      }
      if (deadlinePassed) throw deadlineFailure(task);
      hintsSeen = runner.hints.count(stepId, taskId);
      const finished = await actOnHint(task, queryProviderTask);
      if (finished) return finished;
    }
  } finally {
    if (polled === undefined) {
      pollScope.cancel();
      await pollDone;
    }
    if (!deadlinePassed) {
      deadlineScope.cancel();
      await deadlineDone;
    }
  }
}
