// Steps that wait for a person. A submit whose outcome is unknown (the request went out, no answer
// came back) may or may not have created a paid task; repeating it silently could pay twice. Such a
// step waits here, visibly (search attribute, current details, progress query), until an operator
// resolves it with the `resolve` update: the task id the provider shows, resubmit, or abandon.
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { resolveUpdate, type AttentionItem, type ResolveRequest } from '../contracts/attentionMessages';
import { MusicState } from '../contracts/searchAttributes';
import type { StepKind } from '../providers/model';

export type Resolution = { action: 'task-id'; taskId: string } | { action: 'persona-id'; personaId: string } | { action: 'resubmit' } | { action: 'abandon' };

export class AttentionBoard {
  private readonly waiting = new Map<string, { reason: string; kind?: StepKind; resolution?: Resolution }>();
  /** Steps whose submit is on its way, by kind: an answer may arrive ahead of the failure it answers. */
  private readonly inFlight = new Map<string, StepKind | undefined>();
  /** Answers accepted for a step still submitting, kept until its submit's outcome is known. */
  private readonly early = new Map<string, Resolution>();

  constructor(private readonly onChange: () => void) {
    setHandler(
      resolveUpdate,
      (request) => {
        const stepId = this.target(request);
        const waiting = this.waiting.get(stepId);
        // Not waiting yet: the answer came in the same workflow task as the failure it answers, and
        // the SDK hands updates over first (live, and on replay, where the validator is skipped).
        if (waiting && !waiting.resolution) waiting.resolution = toResolution(request);
        else this.early.set(stepId, toResolution(request));
        return stepId;
      },
      {
        validator: (request) => {
          const stepId = this.target(request);
          const chosen = [request.taskId !== undefined, request.personaId !== undefined, request.resubmit === true, request.abandon === true].filter(Boolean).length;
          if (chosen !== 1) throw new Error('give exactly one of taskId, personaId, resubmit or abandon');
          if (request.taskId !== undefined && request.taskId.trim() === '') throw new Error('taskId must not be empty');
          if (request.personaId !== undefined) {
            const kind = this.waiting.get(stepId)?.kind ?? this.inFlight.get(stepId);
            if (kind !== 'persona') throw new Error(`personaId settles a persona step only; step ${stepId} is ${kind ?? 'of unknown kind'}`);
            if (request.personaId.trim() === '') throw new Error('personaId must not be empty');
          }
        },
      },
    );
  }

  list(): AttentionItem[] {
    return [...this.waiting.entries()].filter(([, w]) => !w.resolution).map(([stepId, w]) => ({ stepId, reason: w.reason, ...(w.kind ? { kind: w.kind } : {}) }));
  }

  /** Marks the step as needing attention and waits for an operator's resolution. */
  async resolve(stepId: string, reason: string, kind?: StepKind): Promise<Resolution> {
    const early = this.early.get(stepId);
    this.early.delete(stepId);
    // Marked as waiting even when already answered, so the run records the same commands either way.
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

  /**
   * A step's submit is on its way. Meanwhile an operator's answer is taken ahead of time: one that
   * saw the step waiting on a worker whose workflow task was then lost reaches the next worker in
   * the same task as the failure, and is handed over before it. (Plain calls around the submit, not
   * a wrapper promise: an extra await would reorder commands against runs recorded before it.)
   */
  submitting(stepId: string, kind: StepKind | undefined): void {
    this.inFlight.set(stepId, kind);
  }

  /** The submit is over: an early answer is kept only when it ended ambiguous (`resolve` takes it next). */
  submitEnded(stepId: string, ambiguous: boolean): void {
    this.inFlight.delete(stepId);
    if (!ambiguous) this.early.delete(stepId);
  }

  private target(request: ResolveRequest): string {
    const open = this.list().map((o) => o.stepId);
    // With none waiting, a step still submitting may be the one whose failure is about to arrive.
    const candidates = open.length > 0 ? open : [...this.inFlight.keys()].filter((stepId) => !this.early.has(stepId));
    if (candidates.length === 0) throw new Error('no step of this run needs attention');
    if (request.stepId !== undefined) {
      if (!candidates.includes(request.stepId)) throw new Error(`step ${request.stepId} does not need attention; waiting: ${open.length > 0 ? open.join(', ') : 'none'}`);
      return request.stepId;
    }
    if (candidates.length > 1) throw new Error(`several steps need attention (${candidates.join(', ')}): name one with stepId`);
    return candidates[0]!;
  }
}

function toResolution(request: ResolveRequest): Resolution {
  if (request.taskId !== undefined) return { action: 'task-id', taskId: request.taskId.trim() };
  if (request.personaId !== undefined) return { action: 'persona-id', personaId: request.personaId.trim() };
  if (request.resubmit) return { action: 'resubmit' };
  return { action: 'abandon' };
}
