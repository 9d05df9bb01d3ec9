// One provider step, as DESIGN.md "Waiting for a provider task" describes it: hold a provider slot,
// submit once (asking a person when the outcome is unknown), then wait for the task (taskWait.ts:
// a callback hint confirmed by query or a poll, until the step's deadline).
import { ActivityFailure, ApplicationFailure, upsertSearchAttributes } from '@temporalio/workflow';
import { failureTypeOf } from '../providers/errors';
import type { StepKind, StepRequest, TaskSnapshot } from '../providers/model';
import type { SubmitResult } from '../contracts/providerTasks';
import { MusicStep } from '../contracts/searchAttributes';
import { submitProviderTask as submitTask } from './providerTaskProxies';
import type { StepRunner } from './stepRunner';
import { waitForTask, type SubmittedTask } from './taskWait';
import { waitWithDeadlineTimer } from './taskWaitBeforeFewerEvents';

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

export interface ProviderStepOptions {
  /** Set false when the caller names this step in MusicStep itself (with the others it starts at the same time). */
  showStep?: boolean;
}

export async function runProviderStep(runner: StepRunner, stepId: string, request: StepRequest, options: ProviderStepOptions = {}): Promise<TaskSnapshot> {
  const kind = request.kind;
  const deadlineMs = runner.deadlines[kind] ?? DEFAULT_DEADLINES_MS[kind] ?? FALLBACK_DEADLINE_MS;
  const startedAt = Date.now();
  runner.report({ stepId, kind, state: 'submitting', startedAt });
  if (options.showStep !== false) upsertSearchAttributes([{ key: MusicStep, value: stepId }]);
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
  runner.report({ stepId, kind, state: 'submitting' });

  const { taskId, completed, callbacks, firstLookInMs } = await submitOnce(runner, stepId, request, deadlineMs);
  runner.hints.submittedTask(stepId, taskId);
  if (completed) {
    // A step the dialect answers synchronously: nothing to wait for.
    runner.report({ stepId, kind, state: completed.state, taskId, providerStatus: completed.providerStatus });
    return checkSucceeded(runner, stepId, completed);
  }
  runner.report({ stepId, kind, state: 'queued', taskId });

  const submitted: SubmittedTask = { runner, stepId, kind, taskId, callbacks, firstLookInMs, deadlineMs, deadlineAt: startedAt + deadlineMs };
  const final = runner.fewerEvents ? await waitForTask(submitted) : await waitWithDeadlineTimer(submitted);
  runner.report({ stepId, kind, state: final.state, providerStatus: final.providerStatus });
  return checkSucceeded(runner, stepId, final);
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
