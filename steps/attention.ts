// Steps that wait for a person. A submit whose outcome is unknown (the request went out, no answer
// came back) may or may not have created a paid task; repeating it silently could pay twice. Such a
// step waits here, visibly (search attribute, current details, progress query), until an operator
// resolves it with the `resolve` signal: the task id the provider shows, resubmit, or abandon.
import { setHandler, condition, upsertSearchAttributes } from '@temporalio/workflow';
import { resolveRequestProblem, resolveSignal, resolveTarget, resolveUpdate, type AttentionAnswer, type AttentionItem, type ResolveRequest } from '../contracts/attentionMessages';
import { MusicState } from '../contracts/searchAttributes';
import type { StepKind } from '../providers/model';

export type Resolution = { action: 'task-id'; taskId: string } | { action: 'persona-id'; personaId: string } | { action: 'resubmit' } | { action: 'abandon' };

/** How many answers the progress query keeps: enough for a sender to find its own. */
const ANSWERS_KEPT = 20;

export class AttentionBoard {
  private readonly waiting = new Map<string, { reason: string; kind?: StepKind; resolution?: Resolution }>();
  /** Steps whose submit is on its way, by kind: an answer may arrive before the failure it answers. */
  private readonly inFlight = new Map<string, StepKind | undefined>();
  /** Answers accepted for a step still submitting, kept until its submit's outcome is known. */
  private readonly early = new Map<string, Resolution>();
  private readonly answered: AttentionAnswer[] = [];

  constructor(private readonly onChange: () => void) {
    setHandler(resolveSignal, (request) => {
      const problem = this.problemWith(request);
      const requestId = typeof request?.requestId === 'string' ? request.requestId : undefined;
      if (problem !== undefined) this.answer({ requestId, refused: problem });
      else this.answer({ requestId, stepId: this.settle(request) });
    });
    // Runs begun while `resolve` was an update replay their history only with this handler (and
    // an older client may still send it). The validator does not run on replay: settle() copes.
    setHandler(resolveUpdate, (request) => this.settle(request), {
      validator: (request) => {
        const problem = this.problemWith(request);
        if (problem !== undefined) throw new Error(problem);
      },
    });
  }

  /** Applies a request already checked; answers the step it settles. */
  private settle(request: ResolveRequest): string {
    const target = resolveTarget(request, this.candidates());
    const stepId = typeof target === 'object' ? target.stepId : (request.stepId ?? '');
    const waiting = this.waiting.get(stepId);
    // Not waiting yet: the operator saw the step waiting on a worker whose task was then lost,
    // and the failure it answers is on its way again. It is used when that failure arrives.
    if (waiting && !waiting.resolution) waiting.resolution = toResolution(request);
    else this.early.set(stepId, toResolution(request));
    return stepId;
  }

  list(): AttentionItem[] {
    return [...this.waiting.entries()].filter(([, w]) => !w.resolution).map(([stepId, w]) => ({ stepId, reason: w.reason, ...(w.kind ? { kind: w.kind } : {}) }));
  }

  /** The newest answers to resolve requests, oldest first. */
  answers(): AttentionAnswer[] {
    return [...this.answered];
  }

  /** Marks the step as needing attention and waits for an operator's resolution. */
  async resolve(stepId: string, reason: string, kind?: StepKind): Promise<Resolution> {
    const early = this.early.get(stepId);
    this.early.delete(stepId);
    this.waiting.set(stepId, { reason, kind, resolution: early });
    upsertSearchAttributes([{ key: MusicState, value: 'needs-attention' }]);
    this.onChange();
    await condition(() => this.waiting.get(stepId)?.resolution !== undefined);
    const { resolution } = this.waiting.get(stepId)!;
    this.waiting.delete(stepId);
    if (this.list().length === 0) upsertSearchAttributes([{ key: MusicState, value: 'running' }]);
    this.onChange();
    return resolution!;
  }

  /** A step's submit is on its way: an operator's answer may come before the failure it answers. */
  submitting(stepId: string, kind: StepKind | undefined): void {
    this.inFlight.set(stepId, kind);
  }

  /** The submit is over: an early answer is kept only when it ended ambiguous (`resolve` takes it next). */
  submitEnded(stepId: string, ambiguous: boolean): void {
    this.inFlight.delete(stepId);
    if (!ambiguous) this.early.delete(stepId);
  }

  /** The steps a request may settle: those waiting, or with none waiting, those still submitting. */
  private candidates(): AttentionItem[] {
    const open = this.list();
    if (open.length > 0) return open;
    return [...this.inFlight.entries()].filter(([stepId]) => !this.early.has(stepId)).map(([stepId, kind]) => ({ stepId, reason: 'submitting', ...(kind ? { kind } : {}) }));
  }

  private problemWith(request: ResolveRequest): string | undefined {
    // From the Temporal UI anything can arrive: a refusal names the problem, nothing else changes.
    if (typeof request !== 'object' || request === null) return 'the signal takes one object: { stepId?, taskId? | personaId? | resubmit? | abandon? }';
    return resolveRequestProblem(request, this.candidates());
  }

  private answer(answer: AttentionAnswer): void {
    this.answered.push(answer);
    if (this.answered.length > ANSWERS_KEPT) this.answered.shift();
    this.onChange();
  }
}

function toResolution(request: ResolveRequest): Resolution {
  if (request.taskId !== undefined) return { action: 'task-id', taskId: request.taskId.trim() };
  if (request.personaId !== undefined) return { action: 'persona-id', personaId: request.personaId.trim() };
  if (request.resubmit) return { action: 'resubmit' };
  return { action: 'abandon' };
}
