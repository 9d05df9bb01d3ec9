// The wait for a submitted task as runs begun before patch steps-fewer-events recorded it, kept so
// their histories replay (test/replayBeforeFewerEvents.workflow.test.ts): the poll scheduled at the
// submit, beside one deadline timer for the whole wait; both cancelled when the step ends.
import { ActivityFailure, ApplicationFailure, CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';
import { isTerminal, type TaskSnapshot } from '../providers/model';
import { innermostMessage } from './failureMessage';
import { awaitProviderTask as awaitTask, NEVER_RETRY, queryProviderTask as queryTask } from './providerTaskProxies';
import { deadlineFailure, queryInputOf, showIntermediateStage, type SubmittedTask } from './taskWait';

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

/**
 * Acts on the newest callback hint of a task: an intermediate stage is shown, a finishing one is
 * confirmed by a query. Answers the task's snapshot once the query sees it finished.
 */
async function actOnHint(task: SubmittedTask, queryProviderTask: ReturnType<typeof queryTask>): Promise<TaskSnapshot | undefined> {
  const { runner, stepId, kind } = task;
  if (showIntermediateStage(task)) return undefined;
  let snapshot: TaskSnapshot;
  try {
    snapshot = await queryProviderTask(queryInputOf(task));
  } catch (err) {
    // A hint is only a hint: when the query that would confirm it keeps failing for a transient
    // reason (the provider throttles or is down for longer than the query's few retries), the
    // poll, which retries until the deadline, still finds the outcome. Failing the step here
    // would throw away a task that was paid for and may well have finished. Only errors that
    // no retry can fix (auth, billing...) end the step, as they would end the poll.
    if (!isTransientQueryFailure(err)) throw err;
    runner.report({ stepId, kind, providerStatus: `callback not confirmed yet: ${innermostMessage(err)}` });
    return undefined;
  }
  runner.report({ stepId, kind, state: snapshot.state, providerStatus: snapshot.providerStatus });
  return isTerminal(snapshot.state) ? snapshot : undefined;
}

/** A query that failed only because its retries ran out on errors a later retry could fix. */
function isTransientQueryFailure(err: unknown): boolean {
  // A cancelled run (or step) must stop, not wait on.
  if (!(err instanceof ActivityFailure) || isCancellation(err)) return false;
  const cause = err.cause;
  return !(cause instanceof ApplicationFailure) || !(cause.nonRetryable || NEVER_RETRY.includes(cause.type ?? ''));
}
