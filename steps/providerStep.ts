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
  /**
   * Work that should follow the submit rather than delay it (the song's lyrics files): run once the
   * submit has settled, whatever its outcome, before the step waits for its task. Not run when the
   * step failed before submitting (its slot never came).
   */
  afterSubmit?: () => Promise<void>;
  /**
   * The run's next step on this provider, started as soon as this one succeeds: it gets this step's
   * slot (SlotClaims.pass) instead of asking the semaphore for one.
   */
  passSlotTo?: { stepId: string; kind: StepKind };
}

/** How long a step may hold its slot: its deadline, plus margin. */
function slotLeaseMs(runner: StepRunner, kind: StepKind): number {
  return deadlineOf(runner, kind) + 10 * 60_000;
}

function deadlineOf(runner: StepRunner, kind: StepKind): number {
  return runner.deadlines[kind] ?? DEFAULT_DEADLINES_MS[kind] ?? FALLBACK_DEADLINE_MS;
}

export async function runProviderStep(runner: StepRunner, stepId: string, request: StepRequest, options: ProviderStepOptions = {}): Promise<TaskSnapshot> {
  const kind = request.kind;
  const deadlineMs = deadlineOf(runner, kind);
  const startedAt = Date.now();
  runner.report({ stepId, kind, state: 'submitting', startedAt });
  if (options.showStep !== false) upsertSearchAttributes([{ key: MusicStep, value: stepId }]);
  // The slot is held from before the submit until the task has finished, whatever the outcome.
  await runner.slots.acquire(stepId, slotLeaseMs(runner, kind), () => runner.report({ stepId, kind, state: 'waiting-for-slot' }));
  let succeeded = false;
  try {
    const snapshot = await runTask(runner, stepId, request, deadlineMs, startedAt, options.afterSubmit);
    succeeded = true;
    return snapshot;
  } finally {
    const next = succeeded ? options.passSlotTo : undefined;
    const passed = next !== undefined && runner.slots.pass(stepId, next.stepId, slotLeaseMs(runner, next.kind));
    if (!passed) await runner.slots.release(stepId);
  }
}

async function runTask(runner: StepRunner, stepId: string, request: StepRequest, deadlineMs: number, startedAt: number, afterSubmit?: () => Promise<void>): Promise<TaskSnapshot> {
  const kind = request.kind;
  runner.report({ stepId, kind, state: 'submitting' });

  const { taskId, completed, callbacks, firstLookInMs } = await submitOnce(runner, stepId, request, deadlineMs, afterSubmit);
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
async function submitOnce(runner: StepRunner, stepId: string, request: StepRequest, deadlineMs: number, afterSubmit?: () => Promise<void>): Promise<SubmitResult> {
  const { provider } = runner;
  const submitProviderTask = submitTask(`${provider}: submit ${request.kind}`);
  let resubmits = 0;
  // After the first attempt, whatever its outcome: an unknown one may wait for a person for hours.
  let pending = afterSubmit;
  const afterFirstAttempt = async () => {
    const work = pending;
    pending = undefined;
    await work?.();
  };
  for (;;) {
    let submitted: SubmitResult;
    try {
      runner.attention.submitting(stepId, request.kind);
      submitted = await submitProviderTask({
        provider,
        workflowId: runner.workflowId,
        stepId,
        request,
        callbacks: runner.callbacks,
        // The token must outlive the step and the provider's redelivery window.
        callbackTtlMs: deadlineMs + 24 * 60 * 60_000,
      });
    } catch (err) {
      runner.attention.submitEnded(stepId, isAmbiguous(err));
      // The submit's failure is the one to report, not a failure of this follow-up work.
      await afterFirstAttempt().catch(() => undefined);
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
      continue;
    }
    runner.attention.submitEnded(stepId, false);
    await afterFirstAttempt();
    return submitted;
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
