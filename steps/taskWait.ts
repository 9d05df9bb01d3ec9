// How a step waits for the provider task it submitted (DESIGN.md "Waiting for a provider task"):
// whichever comes first of a callback hint, confirmed by a query, or a poll that sees the task
// finished; at the step's deadline it fails clearly. Written to cost few history events, since a
// full song runs nine of these waits (issue 17):
// - the poll activity's schedule-to-close timeout is the deadline: no deadline timer beside it;
// - with callbacks the poll is a safety net that a webhook almost always makes useless, so it is not
//   scheduled at all until its first look is due: one timer waits for that moment, and a confirmed
//   hint cancels the timer (two events) rather than a scheduled poll (three, and a workflow task);
// - a finishing hint is confirmed by starting that same poll with its first look at once, so that
//   whichever of the hint and the first-look timer the workflow sees first, it schedules the same
//   activity (see "Both orders" below).
import { ActivityFailure, ApplicationFailure, CancellationScope, condition, isCancellation, sleep, TimeoutFailure } from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { StepKind, TaskSnapshot } from '../providers/model';
import type { QueryInput } from '../contracts/providerTasks';
import { awaitProviderTask as awaitTask } from './providerTaskProxies';
import type { StepRunner } from './stepRunner';

export const STEP_DEADLINE_FAILURE = 'StepDeadlineExceeded';

/** A step whose task was submitted and is not finished yet. */
export interface SubmittedTask {
  runner: StepRunner;
  stepId: string;
  kind: StepKind;
  taskId: string;
  /** Whether a webhook can come for this task. */
  callbacks: boolean;
  /** With callbacks, when the worker that submitted wants the fallback poll's first look (ms after the submit). */
  firstLookInMs?: number;
  deadlineMs: number;
  /** Workflow time at which the step fails if its task has not finished. */
  deadlineAt: number;
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/** The failure of a step whose task outlived its deadline: the message names step, provider, task and deadline. */
export function deadlineFailure(task: SubmittedTask): ApplicationFailure {
  return ApplicationFailure.create({
    type: STEP_DEADLINE_FAILURE,
    message: `step ${task.stepId}: ${task.runner.provider} task ${task.taskId} did not finish within ${formatDuration(task.deadlineMs)}`,
    nonRetryable: true,
  });
}

export function queryInputOf(task: SubmittedTask): QueryInput {
  return { provider: task.runner.provider, kind: task.kind, taskId: task.taskId, callbacks: task.callbacks };
}

/**
 * Shows the stage of the task's newest hint when it is an intermediate one (text, first clip), which
 * is worth no look at the task; true when it was. A finishing hint is the caller's to confirm.
 */
export function showIntermediateStage(task: SubmittedTask): boolean {
  const { runner, stepId, kind, taskId } = task;
  const stage = runner.hints.stage(stepId, taskId);
  if (stage !== 'text' && stage !== 'first') return false;
  runner.report({ stepId, kind, state: 'partial', providerStatus: `callback: ${stage}` });
  return true;
}

/**
 * A poll that ended because its time was up: its schedule-to-close timeout (the deadline) passed, or
 * the server refused a retry that would have come after it.
 */
function pollOutOfTime(err: unknown): boolean {
  return err instanceof ActivityFailure && !isCancellation(err) && (err.retryState === RetryState.TIMEOUT || err.cause instanceof TimeoutFailure);
}

/** A timer the wait may cancel: `due` once it fired. */
interface Timer {
  scope: CancellationScope;
  done: Promise<void>;
  due: boolean;
}

function startTimer(ms: number): Timer {
  const scope = new CancellationScope();
  const timer: Timer = { scope, due: false, done: Promise.resolve() };
  timer.done = scope.run(() => sleep(ms)).then(
    () => void (timer.due = true),
    () => undefined,
  );
  return timer;
}

/** Waits until the submitted task has finished, with as few history events as the wait allows. */
export async function waitForTask(task: SubmittedTask): Promise<TaskSnapshot> {
  const { runner, stepId, kind, taskId, deadlineAt } = task;
  const { provider } = runner;
  // The slot wait and the submit count against the deadline: they may have used it all.
  if (Date.now() >= deadlineAt) throw deadlineFailure(task);
  const submittedAtMs = Date.now();

  let polled: { snapshot: TaskSnapshot } | { error: unknown } | undefined;
  let poll: { scope: CancellationScope; done: Promise<void> } | undefined;
  // Set when the poll gave up a little before the deadline (its next look would have come after it):
  // hints are still acted on until the deadline itself.
  let pollGaveUpEarly = false;
  // Finishing hints counted when the running poll began: one that came while it ran may not have
  // been seen by its last look.
  let finishingAtPollStart = 0;
  /** A new poll, with no outcome yet. `confirmsHint`: a finishing webhook asked for this look (shown in the UI, counted as noticed by the webhook). */
  const startPoll = (firstLookNow: boolean, confirmsHint = false) => {
    polled = undefined;
    pollGaveUpEarly = false;
    finishingAtPollStart = runner.hints.finishingCount(stepId, taskId);
    const summary = confirmsHint ? `${provider}: confirm ${kind} task ${taskId} (webhook)` : `${provider}: poll ${kind} task ${taskId}`;
    const awaitProviderTask = awaitTask(summary, deadlineAt - Date.now());
    const scope = new CancellationScope();
    const done = scope
      .run(() => awaitProviderTask({ ...queryInputOf(task), submittedAtMs, ...(firstLookNow ? { firstLookNow } : {}), ...(confirmsHint ? { confirmsHint } : {}) }))
      .then(
        (snapshot) => void (polled = { snapshot }),
        (error: unknown) => void (polled = { error }),
      );
    poll = { scope, done };
  };

  // With a webhook coming, a timer stands in for the poll until its first look is due (bounded by
  // the deadline). A submit answered by an operator, or by a worker that predates firstLookInMs,
  // has no such delay: its poll starts at once and its first attempt only waits, as before.
  let firstLook: Timer | undefined;
  if (task.callbacks && task.firstLookInMs !== undefined) firstLook = startTimer(Math.min(task.firstLookInMs, deadlineAt - Date.now()));
  else startPoll(false);
  // Started when a poll gave up a little before the deadline: the step fails when it fires.
  let deadline: Timer | undefined;

  // While the poll runs, it alone decides: a finishing hint then starts nothing (an intermediate
  // stage is still shown, which gives no command). A hint and the poll's result
  // can reach the workflow in one activation on replay but in two live (a query answered by a worker
  // that did not have the run cached applies the events after its last workflow task, the poll's
  // result among them, and keeps that state), and the SDK hands signals over first: a wait that let
  // the hint win in one case and the poll in the other could not replay its own history
  // (test/replayPollAndHintAfterKill.workflow.test.ts, a chaos run at ten kills).
  const pollRunning = () => poll !== undefined && !pollGaveUpEarly;
  let hintsSeen = 0;
  let finishingSeen = 0;
  try {
    for (;;) {
      const wakeUp = () =>
        runner.hints.count(stepId, taskId) > hintsSeen ||
        (polled !== undefined && !pollGaveUpEarly) ||
        (firstLook?.due === true && poll === undefined) ||
        (deadline?.due === true && !pollRunning());
      if (pollGaveUpEarly && !runner.hintsInAnyOrder) {
        // Until the deadline itself, with a timer: this wait costs one only on its way to failing.
        if (!(await condition(wakeUp, Math.max(1, deadlineAt - Date.now())))) throw deadlineFailure(task);
      } else await condition(wakeUp);
      if (deadline?.due && !pollRunning()) throw deadlineFailure(task);
      if (polled !== undefined && !pollGaveUpEarly) {
        if ('snapshot' in polled) return polled.snapshot;
        if (!pollOutOfTime(polled.error)) throw polled.error;
        if (Date.now() >= deadlineAt) throw deadlineFailure(task);
        pollGaveUpEarly = true;
        if (runner.hintsInAnyOrder) {
          // Until the deadline itself, with a timer started now, whatever comes next: this wait costs
          // one only on its way to failing. A timer that a hint cancelled could not replay when the
          // hint reached the replay before the poll's end (the race described above), so it runs on.
          deadline ??= startTimer(Math.max(1, deadlineAt - Date.now()));
          // A finishing hint that came while the poll ran is confirmed now, as it would be had it come
          // just after: the same command whichever the workflow saw first.
          const finishing = runner.hints.finishingCount(stepId, taskId);
          if (finishing > finishingAtPollStart) {
            finishingSeen = finishing;
            hintsSeen = runner.hints.count(stepId, taskId);
            startPoll(true, true);
          }
        }
        continue;
      }
      if (firstLook?.due && poll === undefined) {
        // No webhook by the first look: the poll takes over, with the time left.
        if (Date.now() >= deadlineAt) throw deadlineFailure(task);
        startPoll(true);
        continue;
      }
      hintsSeen = runner.hints.count(stepId, taskId);
      // Whether a finishing hint came, not the stage of the newest one: webhooks come out of order,
      // and a finishing one overtaken by a stale intermediate one (complete, then first) reaches the
      // workflow in one activation on replay but maybe in two live (the race described above). Had
      // the newest stage decided, the replay would see "first", schedule nothing, and fail on the
      // poll the live run scheduled (TMPRL1100 "No command scheduled for event ActivityTaskScheduled").
      if (runner.hintsInAnyOrder) {
        const finishing = runner.hints.finishingCount(stepId, taskId);
        const finishingArrived = finishing > finishingSeen;
        finishingSeen = finishing;
        if (finishing === 0) showIntermediateStage(task);
        if (!finishingArrived || pollRunning()) continue;
      } else if (showIntermediateStage(task) || pollRunning()) continue;
      // Both orders: the first-look timer and a finishing hint can reach the workflow in one
      // activation on replay but in two live (the race described above), so each must give the same
      // command: the poll, looking at once. A hint is only a hint: the poll confirms it, and when
      // the provider's answer still says running, or the provider is briefly down, it keeps looking
      // until the deadline instead of failing a task that was paid for.
      if (Date.now() >= deadlineAt) throw deadlineFailure(task);
      startPoll(true, true);
    }
  } finally {
    if (poll && polled === undefined) {
      poll.scope.cancel();
      await poll.done;
    }
    for (const timer of [firstLook, deadline]) {
      if (timer && !timer.due) {
        timer.scope.cancel();
        await timer.done;
      }
    }
  }
}
