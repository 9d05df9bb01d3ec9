// What a run paid the provider for: one price per step whose task this run submitted and that
// finished. A step reused from an earlier run's intact files cost nothing now, and a failed task is
// refunded (providers/prices.ts says why we assume so). Pure arithmetic, so workflows (the album
// adds up its tracks) and the command line (a single, a pipeline) count the same way.
import type { StepProgress } from '../contracts/pipelineMessages';
import type { StepKind } from '../providers/model';

export type StepPrices = Partial<Record<StepKind, number>>;

/** A step this run paid for: it has a provider task of its own, was not reused, and finished. */
export function isPaidStep(step: Pick<StepProgress, 'taskId' | 'reused' | 'state'>): boolean {
  return step.taskId !== undefined && step.reused !== true && (step.state === 'done' || step.state === 'succeeded');
}

/** Credits of the steps this run paid for, at `prices` (a step the table does not price counts 0). */
export function creditsPaid(steps: readonly Pick<StepProgress, 'kind' | 'taskId' | 'reused' | 'state'>[], prices: StepPrices): number {
  return steps.filter(isPaidStep).reduce((n, s) => n + (prices[s.kind] ?? 0), 0);
}

/** How many steps of the run were reused from an earlier run instead of paid for again. */
export function reusedSteps(steps: readonly Pick<StepProgress, 'reused'>[]): number {
  return steps.filter((s) => s.reused === true).length;
}
