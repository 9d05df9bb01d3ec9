// The `resolve` signal: how an operator settles a step whose submit outcome is unknown (see
// steps/attention.ts), from `npm run resolve` or the Temporal UI.
//
// A signal, not an update: an update accepted in the same workflow task as an activity's result was
// handed over before that result on replay but after it live, so the run's commands came out in
// another order and every later task failed with a nondeterminism error (chaos runs stalled songs
// so). A signal has its own place in history and replays exactly where it arrived. What an update
// answered, the run now shows in its progress query (`attentionAnswers`), by the request's id.
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { StepKind } from '../providers/model';

/** A step waiting for an operator, as the `progress` queries list it. */
export interface AttentionItem {
  stepId: string;
  /** Why: the submit's error, e.g. the request went out and no answer came back. */
  reason: string;
  /** The step's kind: a persona step can be settled with the persona id the provider's records show. */
  kind?: StepKind;
}

export interface ResolveRequest {
  /** Chosen by the sender, to find the run's answer to it in `attentionAnswers`. */
  requestId?: string;
  /** Which waiting step; may be left out when only one waits. */
  stepId?: string;
  /** The provider task id the operator found (for example in the provider's dashboard). */
  taskId?: string;
  /**
   * For a persona step only: the persona id the provider's records show. A route that answers in the
   * submit itself (no task to read back) cannot be settled with a task id, and submitting again
   * would pay again (or be refused: one persona per audio).
   */
  personaId?: string;
  /** Submit again, accepting that the provider may charge twice. */
  resubmit?: boolean;
  /** Give the step up; it fails with a message saying an operator abandoned it. */
  abandon?: boolean;
}
export const resolveSignal = defineSignal<[ResolveRequest]>('resolve');

/**
 * @deprecated Send `resolveSignal`. Runs begun while `resolve` was an update have it in their
 * history and replay only with its handler, so the runs still answer it (with the step's id).
 */
export const resolveUpdate = defineUpdate<string, [ResolveRequest]>('resolve');

/** How the run answered a resolve request: the step it settled, or why it refused. */
export interface AttentionAnswer {
  requestId?: string;
  stepId?: string;
  refused?: string;
}

/**
 * Why a request cannot settle any of `waiting` (undefined when it can). The run checks each signal
 * with it; `npm run resolve` checks first against the progress query, so that a person learns at
 * once what is wrong.
 */
export function resolveRequestProblem(request: ResolveRequest, waiting: readonly AttentionItem[]): string | undefined {
  // From the Temporal UI anything can arrive: each field is checked before it is used.
  for (const field of ['requestId', 'stepId', 'taskId', 'personaId'] as const) {
    if (request[field] !== undefined && typeof request[field] !== 'string') return `${field} must be a string`;
  }
  for (const field of ['resubmit', 'abandon'] as const) {
    if (request[field] !== undefined && typeof request[field] !== 'boolean') return `${field} must be true or false`;
  }
  const chosen = [request.taskId !== undefined, request.personaId !== undefined, request.resubmit === true, request.abandon === true].filter(Boolean).length;
  if (chosen !== 1) return 'give exactly one of taskId, personaId, resubmit or abandon';
  if (request.taskId !== undefined && request.taskId.trim() === '') return 'taskId must not be empty';
  if (request.personaId !== undefined && request.personaId.trim() === '') return 'personaId must not be empty';
  const target = resolveTarget(request, waiting);
  if (typeof target !== 'object') return target;
  if (request.personaId !== undefined && target.kind !== 'persona') return `personaId settles a persona step only; step ${target.stepId} is ${target.kind ?? 'of unknown kind'}`;
  return undefined;
}

/** The waiting step a request is for, or why none is. */
export function resolveTarget(request: ResolveRequest, waiting: readonly AttentionItem[]): AttentionItem | string {
  if (waiting.length === 0) return 'no step of this run needs attention';
  if (request.stepId !== undefined) {
    return waiting.find((w) => w.stepId === request.stepId) ?? `step ${request.stepId} does not need attention; waiting: ${waiting.map((w) => w.stepId).join(', ')}`;
  }
  if (waiting.length > 1) return `several steps need attention (${waiting.map((w) => w.stepId).join(', ')}): name one with stepId`;
  return waiting[0]!;
}
