// What a run sets up once for all its provider steps (providerStep.ts): the callback hints it has
// received (signal `providerEvent`), the board of steps waiting for an operator (signal `resolve`),
// its claims on the provider's semaphore (signal `slotGranted`), and how it reports step progress.
// The song and the album workflows build theirs with createStepRunner.
import { setHandler } from '@temporalio/workflow';
import type { CallbackStage, ProviderName, StepKind } from '../providers/model';
import { providerEventSignal, type PipelineProgress, type ProviderEvent, type StepProgress } from '../contracts/pipelineMessages';
import { SLOT_FAST_PATH_FROM_START, SlotClaims } from '../slots/slotClaims';
import type { AttentionAnswer, AttentionItem } from '../contracts/attentionMessages';
import { AttentionBoard } from './attention';

/** Keeps the callback hints a run has received, keyed by step and provider task id. */
export class HintBox {
  private readonly counts = new Map<string, number>();
  /** Of those, the hints that say the task has finished (complete or error). */
  private readonly finishingCounts = new Map<string, number>();
  private readonly lastStage = new Map<string, CallbackStage>();
  private readonly submitted = new Map<string, string>();
  received = 0;
  ignored = 0;

  /** Records a hint; one naming another task than the step submitted is ignored (and counted). */
  record(event: ProviderEvent): void {
    this.received++;
    const expected = this.submitted.get(event.stepId);
    if (expected !== undefined && expected !== event.taskId) {
      this.ignored++;
      return;
    }
    const key = this.key(event.stepId, event.taskId);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (event.stage === 'complete' || event.stage === 'error') this.finishingCounts.set(key, (this.finishingCounts.get(key) ?? 0) + 1);
    this.lastStage.set(key, event.stage);
  }

  /** Called once the submit returned; hints that raced ahead of it for another task are discounted. */
  submittedTask(stepId: string, taskId: string): void {
    this.submitted.set(stepId, taskId);
    for (const key of [...this.counts.keys()]) {
      if (key.startsWith(`${stepId}\u0000`) && key !== this.key(stepId, taskId)) {
        this.ignored += this.counts.get(key) ?? 0;
        this.counts.delete(key);
        this.finishingCounts.delete(key);
      }
    }
  }

  count(stepId: string, taskId: string): number {
    return this.counts.get(this.key(stepId, taskId)) ?? 0;
  }

  /** How many of this task's hints said it had finished, whatever came after them. */
  finishingCount(stepId: string, taskId: string): number {
    return this.finishingCounts.get(this.key(stepId, taskId)) ?? 0;
  }

  /** The stage named by the newest hint for this task. */
  stage(stepId: string, taskId: string): CallbackStage | undefined {
    return this.lastStage.get(this.key(stepId, taskId));
  }

  private key(stepId: string, taskId: string): string {
    return `${stepId}\u0000${taskId}`;
  }
}

/**
 * Patch marker: steps wait for their tasks with fewer history events (taskWait.ts): no deadline timer
 * beside the poll, and with callbacks no poll scheduled until its first look is due; a song's later
 * steps that start together share one MusicStep update (songPipeline.ts). Decided once,
 * when the run begins (see SLOT_FAST_PATH_FROM_START for why not later); runs begun before it replay
 * the wait they recorded (taskWaitBeforeFewerEvents.ts).
 */
export const STEPS_FEWER_EVENTS = 'steps-fewer-events';

/**
 * Patch marker: a waiting step gives the same commands in whatever order its hints and its poll's end
 * reach it (taskWait.ts): it confirms its task once any finishing hint has come, whatever stage a
 * later hint names, and a poll that gave up before the deadline starts a deadline timer that no hint
 * cancels. Runs begun before it let the newest hint's stage decide and cancelled that timer, which
 * could not replay webhooks that came out of order. Decided when the run begins, like STEPS_FEWER_EVENTS.
 */
export const HINTS_IN_ANY_ORDER = 'hints-in-any-order';

/** The patches a step runner asks for when the run begins, in the order runs that recorded them asked. */
export const STEP_RUNNER_PATCHES = [STEPS_FEWER_EVENTS, HINTS_IN_ANY_ORDER, SLOT_FAST_PATH_FROM_START] as const;
export type StepRunnerPatch = (typeof STEP_RUNNER_PATCHES)[number];

export interface StepRunner {
  provider: ProviderName;
  /** Whether this run's steps wait the way STEPS_FEWER_EVENTS describes. */
  fewerEvents: boolean;
  /** Whether this run's steps wait the way HINTS_IN_ANY_ORDER describes. */
  hintsInAnyOrder: boolean;
  workflowId: string;
  callbacks: boolean;
  hints: HintBox;
  attention: AttentionBoard;
  slots: SlotClaims;
  /** What to do when a submit's outcome is unknown: wait for an operator (default) or submit again. */
  onAmbiguous: 'wait' | 'resubmit';
  deadlines: Partial<Record<StepKind, number>>;
  report(update: Partial<StepProgress> & { stepId: string; kind: StepKind }): void;
}

export interface StepRunnerOptions {
  provider: ProviderName;
  /** Which of STEP_RUNNER_PATCHES apply: the run asks for them where it begins (steps/runPatches.ts). */
  patches: Record<StepRunnerPatch, boolean>;
  workflowId: string;
  callbacks: boolean;
  /** Default: wait for an operator. */
  onAmbiguous?: StepRunner['onAmbiguous'];
  /** Per step kind, in ms; the defaults are in providerStep.ts. */
  deadlines?: Partial<Record<StepKind, number>>;
  /** Default: steps report nothing. */
  report?: StepRunner['report'];
  /** After each callback hint is recorded (the counts are on `hints`). */
  onHint?(hints: HintBox): void;
  /** When the steps waiting for an operator change. */
  onAttention(waiting: AttentionItem[], answers: AttentionAnswer[]): void;
}

/** Registers the run's handlers for hints, resolutions and slot grants; call once, before the first await. */
export function createStepRunner(options: StepRunnerOptions): StepRunner {
  const fewerEvents = options.patches[STEPS_FEWER_EVENTS];
  const hintsInAnyOrder = options.patches[HINTS_IN_ANY_ORDER];
  const hints = new HintBox();
  setHandler(providerEventSignal, (event) => {
    hints.record(event);
    options.onHint?.(hints);
  });
  const attention: AttentionBoard = new AttentionBoard(() => options.onAttention(attention.list(), attention.answers()));
  return {
    provider: options.provider,
    fewerEvents,
    hintsInAnyOrder,
    workflowId: options.workflowId,
    callbacks: options.callbacks,
    hints,
    attention,
    slots: new SlotClaims(options.provider, options.workflowId, options.patches[SLOT_FAST_PATH_FROM_START]),
    onAmbiguous: options.onAmbiguous ?? 'wait',
    deadlines: options.deadlines ?? {},
    report: options.report ?? (() => {}),
  };
}

/**
 * The step runner's reporting for a run that keeps a PipelineProgress (what its `progress` query
 * answers): each step's state and times, the hints received, the steps waiting for an operator.
 * `changed` runs after each update (the workflow shows the progress in its current details).
 */
export function progressReporting(progress: PipelineProgress, changed: () => void): Required<Pick<StepRunnerOptions, 'report' | 'onHint' | 'onAttention'>> {
  return {
    report(update) {
      let step = progress.steps.find((s) => s.stepId === update.stepId);
      if (!step) {
        step = { stepId: update.stepId, kind: update.kind, state: 'pending' };
        progress.steps.push(step);
      }
      Object.assign(step, update);
      if (['succeeded', 'failed', 'done', 'skipped'].includes(update.state ?? '') && step.finishedAt === undefined) step.finishedAt = Date.now();
      changed();
    },
    onHint(hints) {
      progress.hints = { received: hints.received, ignored: hints.ignored };
    },
    onAttention(waiting, answers) {
      progress.needsAttention = waiting;
      progress.attentionAnswers = answers;
      changed();
    },
  };
}
