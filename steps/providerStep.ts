// One provider step, as DESIGN.md "Waiting for a provider task" describes it: submit once, then wait
// for whichever comes first of a callback hint or a poll that sees the task finished, confirm hints
// by query (the query API is the source of truth), and fail clearly at the step's deadline.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { failureTypeOf } from '../providers/errors';
import { isTerminal, type StepKind, type StepRequest, type TaskSnapshot } from '../providers/model';
import type { SubmitResult } from '../contracts/providerTasks';
import { innermostMessage } from './failureMessage';
import { MusicStep } from '../contracts/searchAttributes';
import { awaitProviderTask as awaitTask, NEVER_RETRY, queryProviderTask as queryTask, submitProviderTask as submitTask } from './providerTaskProxies';
import type { StepRunner } from './stepRunner';

export const STEP_DEADLINE_FAILURE = 'StepDeadlineExceeded';
export const STEP_ABANDONED = 'StepAbandoned';
const AMBIGUOUS_FAILURE = failureTypeOf('ambiguous');
/** With the resubmit policy, how many times an unknown outcome is submitted again before a person is asked. */
const MAX_POLICY_RESUBMITS = 2;
export const PROVIDER_TASK_FAILED = 'ProviderTaskFailed';

/** Default deadline of each step kind: generous against the provider's usual 1 to 3 minutes. */
export const DEFAULT_DEADLINES_MS: Partial<Record<StepKind, number>> = {
  lyrics: 5 * 60_000,
  song: 20 * 60_000,
};
const FALLBACK_DEADLINE_MS = 20 * 60_000;

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

export async function runProviderStep(runner: StepRunner, stepId: string, request: StepRequest): Promise<TaskSnapshot> {
  const kind = request.kind;
  const deadlineMs = runner.deadlines[kind] ?? DEFAULT_DEADLINES_MS[kind] ?? FALLBACK_DEADLINE_MS;
  const startedAt = Date.now();
  runner.report({ stepId, kind, state: 'submitting', startedAt });
  upsertSearchAttributes([{ key: MusicStep, value: stepId }]);
  // The slot is held from before the submit until the task has finished, whatever the outcome.
  await runner.slots.acquire(stepId, deadlineMs + 10 * 60_000, () => runner.report({ stepId, kind, state: 'waiting-for-slot' }));
  try {
    return await runTask(runner, stepId, request, deadlineMs, startedAt);
  } finally {
    await runner.slots.release(stepId);
  }
}

async function runTask(runner: StepRunner, stepId: string, request: StepRequest, deadlineMs: number, startedAt: number): Promise<TaskSnapshot> {
  const kind = request.kind;
  const { provider } = runner;
  runner.report({ stepId, kind, state: 'submitting' });

  const { taskId, completed, callbacks } = await submitOnce(runner, stepId, request, deadlineMs);
  runner.hints.submittedTask(stepId, taskId);
  if (completed) {
    // A step the dialect answers synchronously: nothing to wait for.
    runner.report({ stepId, kind, state: completed.state, taskId, providerStatus: completed.providerStatus });
    return checkSucceeded(runner, stepId, completed);
  }
  runner.report({ stepId, kind, state: 'queued', taskId });

  const deadlineAt = startedAt + deadlineMs;
  const queryInput = { provider, kind, taskId, callbacks };
  const awaitProviderTask = awaitTask(`${provider}: poll ${kind} task ${taskId}`, deadlineMs);
  const queryProviderTask = queryTask(`${provider}: query ${kind} task ${taskId}`);

  let polled: { snapshot: TaskSnapshot } | { error: unknown } | undefined;
  const pollScope = new CancellationScope();
  const pollDone = pollScope
    .run(() => awaitProviderTask(queryInput))
    .then(
      (snapshot) => void (polled = { snapshot }),
      (error: unknown) => void (polled = { error }),
    );

  // One deadline timer for the whole wait (not one per wake-up), to keep history small.
  let deadlinePassed = false;
  const deadlineScope = new CancellationScope();
  const deadlineDone = deadlineScope.run(() => sleep(deadlineAt - Date.now())).then(
    () => void (deadlinePassed = true),
    () => undefined,
  );

  let final: TaskSnapshot | undefined;
  let hintsSeen = 0;
  try {
    while (final === undefined) {
      await condition(() => polled !== undefined || deadlinePassed || runner.hints.count(stepId, taskId) > hintsSeen);
      if (polled !== undefined) {
        if ('error' in polled) throw polled.error;
        final = polled.snapshot;
        break;
      }
      if (deadlinePassed) {
        throw ApplicationFailure.create({
          type: STEP_DEADLINE_FAILURE,
          message: `step ${stepId}: ${provider} task ${taskId} did not finish within ${formatDuration(deadlineMs)}`,
          nonRetryable: true,
        });
      }
      hintsSeen = runner.hints.count(stepId, taskId);
      const stage = runner.hints.stage(stepId, taskId);
      if (stage === 'text' || stage === 'first') {
        // An intermediate stage: show it, but only a finishing hint is worth a query.
        runner.report({ stepId, kind, state: 'partial', providerStatus: `callback: ${stage}` });
        continue;
      }
      let snapshot: TaskSnapshot;
      try {
        snapshot = await queryProviderTask(queryInput);
      } catch (err) {
        // A hint is only a hint: when the query that would confirm it keeps failing for a transient
        // reason (the provider throttles or is down for longer than the query's few retries), the
        // poll, which retries until the deadline, still finds the outcome. Failing the step here
        // would throw away a task that was paid for and may well have finished. Only errors that
        // no retry can fix (auth, billing...) end the step, as they would end the poll.
        if (!isTransientQueryFailure(err)) throw err;
        runner.report({ stepId, kind, providerStatus: `callback not confirmed yet: ${innermostMessage(err)}` });
        continue;
      }
      runner.report({ stepId, kind, state: snapshot.state, providerStatus: snapshot.providerStatus });
      if (isTerminal(snapshot.state)) final = snapshot;
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

  runner.report({ stepId, kind, state: final.state, providerStatus: final.providerStatus });
  return checkSucceeded(runner, stepId, final);
}

/** A query that failed only because its retries ran out on errors a later retry could fix. */
function isTransientQueryFailure(err: unknown): boolean {
  // A cancelled run (or step) must stop, not wait on.
  if (!(err instanceof ActivityFailure) || isCancellation(err)) return false;
  const cause = err.cause;
  return !(cause instanceof ApplicationFailure) || !(cause.nonRetryable || NEVER_RETRY.includes(cause.type ?? ''));
}

function isAmbiguous(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === AMBIGUOUS_FAILURE;
}

/**
 * Creates the provider task, paying at most once unless a person decides otherwise. The activity
 * records its progress in heartbeats (sending, then the task id), so a retry after a crash resumes
 * the recorded task; when the outcome is truly unknown it fails as ambiguous and the step waits
 * for an operator (or resubmits, when the run's policy says so).
 */
async function submitOnce(runner: StepRunner, stepId: string, request: StepRequest, deadlineMs: number): Promise<SubmitResult> {
  const { provider } = runner;
  const submitProviderTask = submitTask(`${provider}: submit ${request.kind}`);
  let resubmits = 0;
  for (;;) {
    try {
      runner.attention.submitting(stepId, request.kind);
      const submitted = await submitProviderTask({
        provider,
        workflowId: runner.workflowId,
        stepId,
        request,
        callbacks: runner.callbacks,
        // The token must outlive the step and the provider's redelivery window.
        callbackTtlMs: deadlineMs + 24 * 60 * 60_000,
      });
      runner.attention.submitEnded(stepId, false);
      return submitted;
    } catch (err) {
      runner.attention.submitEnded(stepId, isAmbiguous(err));
      if (!isAmbiguous(err)) throw err;
      const reason = (err as ActivityFailure).cause!.message;
      if (runner.onAmbiguous === 'resubmit' && resubmits < MAX_POLICY_RESUBMITS) {
        resubmits++;
        runner.report({ stepId, kind: request.kind, state: 'submitting', providerStatus: `resubmitting by policy (${resubmits})` });
        continue;
      }
      runner.report({ stepId, kind: request.kind, state: 'needs-attention', error: reason });
      const resolution = await runner.attention.resolve(stepId, reason, request.kind);
      runner.report({ stepId, kind: request.kind, state: 'submitting', error: undefined, providerStatus: `resolved: ${resolution.action}` });
      if (resolution.action === 'task-id') return { taskId: resolution.taskId, callbacks: false };
      // The provider's record of a persona answered in the submit: the answer itself, nothing to poll.
      if (resolution.action === 'persona-id') return { taskId: resolution.personaId, callbacks: false, completed: personaFromRecord(resolution.personaId) };
      if (resolution.action === 'abandon') {
        throw ApplicationFailure.create({ type: STEP_ABANDONED, message: `step ${stepId}: abandoned by an operator after: ${reason}`, nonRetryable: true });
      }
    }
  }
}

function personaFromRecord(personaId: string): TaskSnapshot {
  return { taskId: personaId, state: 'succeeded', providerStatus: 'persona id from the provider\'s records', clips: [], lyrics: [], outputs: { personaId } };
}

function checkSucceeded(runner: StepRunner, stepId: string, snapshot: TaskSnapshot): TaskSnapshot {
  if (snapshot.state === 'failed') {
    throw ApplicationFailure.create({
      type: PROVIDER_TASK_FAILED,
      message: `step ${stepId}: ${runner.provider} task ${snapshot.taskId} failed (${snapshot.providerStatus}): ${snapshot.failure?.reason ?? 'no reason given'}`,
      nonRetryable: true,
      details: [{ retryable: snapshot.failure?.retryable ?? false }],
    });
  }
  return snapshot;
}
