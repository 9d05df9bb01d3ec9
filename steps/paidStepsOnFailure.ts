// A run that fails after paying for a step (the song task finished, then its file could not be
// stored) must not lose that payment: the album that started it as a child sees only the failure.
// So the failure carries the run's paid steps in its details, and the album adds them to the track's
// credits. The failure keeps its type and message (an ApplicationFailure is rebuilt as it was, with
// one more detail); any other error becomes the cause of one. Workflow-safe: only the SDK's types.
import { ApplicationFailure } from '@temporalio/workflow';
import type { StepProgress } from '../contracts/pipelineMessages';
import { isPaidStep } from './paidCredits';

type PaidStep = Pick<StepProgress, 'stepId' | 'kind' | 'taskId' | 'state'>;
interface PaidStepsDetail {
  paidSteps: PaidStep[];
}

function isPaidStepsDetail(value: unknown): value is PaidStepsDetail {
  return typeof value === 'object' && value !== null && Array.isArray((value as PaidStepsDetail).paidSteps);
}

/**
 * `err`, carrying the steps this run paid for; unchanged when it paid for none. Call it before the
 * failing step is reported failed: a step whose provider task finished and whose files were being
 * stored (`storing`) was paid for, and is recorded as such.
 */
export function withPaidSteps(err: unknown, steps: readonly StepProgress[]): unknown {
  const paid = steps
    .map((s) => (s.state === 'storing' ? { ...s, state: 'succeeded' as const } : s))
    .filter(isPaidStep)
    .map((s) => ({ stepId: s.stepId, kind: s.kind, taskId: s.taskId, state: s.state }));
  if (paid.length === 0) return err;
  const detail: PaidStepsDetail = { paidSteps: paid };
  if (err instanceof ApplicationFailure) {
    return ApplicationFailure.create({ type: err.type ?? undefined, message: err.message, nonRetryable: err.nonRetryable ?? undefined, details: [...(err.details ?? []), detail], cause: err.cause });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: 'RunFailedAfterPaying', message, nonRetryable: true, details: [detail], cause: err instanceof Error ? err : undefined });
}

/** The paid steps a failure (or any failure in its cause chain: a child run's, under ChildWorkflowFailure) carries. */
export function paidStepsIn(err: unknown): PaidStep[] {
  for (let current = err as { details?: unknown; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    const details = Array.isArray(current.details) ? current.details : [];
    const found = details.find(isPaidStepsDetail);
    if (found) return found.paidSteps;
  }
  return [];
}
