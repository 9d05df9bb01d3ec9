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

  constructor(private readonly onChange: () => void) {
    setHandler(
      resolveUpdate,
      (request) => {
        const stepId = this.target(request);
        this.waiting.get(stepId)!.resolution = toResolution(request);
        return stepId;
      },
      {
        validator: (request) => {
          const stepId = this.target(request);
          const chosen = [request.taskId !== undefined, request.personaId !== undefined, request.resubmit === true, request.abandon === true].filter(Boolean).length;
          if (chosen !== 1) throw new Error('give exactly one of taskId, personaId, resubmit or abandon');
          if (request.taskId !== undefined && request.taskId.trim() === '') throw new Error('taskId must not be empty');
          if (request.personaId !== undefined) {
            const kind = this.waiting.get(stepId)?.kind;
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
    this.waiting.set(stepId, { reason, kind });
    upsertSearchAttributes([{ key: MusicState, value: 'needs-attention' }]);
    this.onChange();
    await condition(() => this.waiting.get(stepId)?.resolution !== undefined);
    const { resolution } = this.waiting.get(stepId)!;
    this.waiting.delete(stepId);
    if (this.list().length === 0) upsertSearchAttributes([{ key: MusicState, value: 'running' }]);
    this.onChange();
    return resolution!;
  }

  private target(request: ResolveRequest): string {
    const open = this.list();
    if (open.length === 0) throw new Error('no step of this run needs attention');
    if (request.stepId !== undefined) {
      if (!open.some((o) => o.stepId === request.stepId)) throw new Error(`step ${request.stepId} does not need attention; waiting: ${open.map((o) => o.stepId).join(', ')}`);
      return request.stepId;
    }
    if (open.length > 1) throw new Error(`several steps need attention (${open.map((o) => o.stepId).join(', ')}): name one with stepId`);
    return open[0]!.stepId;
  }
}

function toResolution(request: ResolveRequest): Resolution {
  if (request.taskId !== undefined) return { action: 'task-id', taskId: request.taskId.trim() };
  if (request.personaId !== undefined) return { action: 'persona-id', personaId: request.personaId.trim() };
  if (request.resubmit) return { action: 'resubmit' };
  return { action: 'abandon' };
}
