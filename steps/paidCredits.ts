// What a run paid the provider for: one price per step whose task this run submitted and that
// finished. A step reused from an earlier run's intact files cost nothing now, and a failed task is
// refunded (providers/prices.ts says why we assume so). Pure arithmetic, so workflows (the album
// adds up its tracks) and the command line (a single, a pipeline) count the same way.
import type { CreditsRecord } from '../contracts/albumFiles';
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

/** A run that paid for nothing because an earlier run had left every step it ran intact (skipped steps aside). */
export function everyStepReused(steps: readonly Pick<StepProgress, 'reused' | 'state'>[]): boolean {
  return steps.length > 0 && steps.every((s) => s.reused === true || s.state === 'skipped');
}

/** How many steps of the run were reused from an earlier run instead of paid for again. */
export function reusedSteps(steps: readonly Pick<StepProgress, 'reused'>[]): number {
  return steps.filter((s) => s.reused === true).length;
}

/**
 * This run's credits added to an earlier record (album.json's, a single's track.json): by run id, so
 * writing again for the same run (an activity retry, track.json written twice) replaces its entry
 * instead of adding it twice. A record from before `byRun` counts as its own run's entry.
 */
export function addRunCredits(previous: CreditsRecord | undefined, previousRunId: string | undefined, runId: string, spentThisRun: number): Required<CreditsRecord> {
  const byRun: Record<string, number> = { ...(previous?.byRun ?? (typeof previous?.spent === 'number' && previous.spent > 0 ? { [previousRunId ?? 'earlier run']: previous.spent } : {})) };
  byRun[runId] = spentThisRun;
  return { spent: roundCredits(Object.values(byRun).reduce((n, c) => n + c, 0)), spentThisRun: roundCredits(spentThisRun), byRun };
}

/** Credits to a thousandth: prices such as 0.5 added up must not print as 1.4999999. */
export function roundCredits(n: number): number {
  return Math.round(n * 1000) / 1000;
}
