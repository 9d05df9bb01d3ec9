// The `resolve` update: how an operator settles a step whose submit outcome is unknown (see
// steps/attention.ts), from `npm run resolve` or the Temporal UI.
import { defineUpdate } from '@temporalio/workflow';
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
/** Answers the id of the step it resolved. */
export const resolveUpdate = defineUpdate<string, [ResolveRequest]>('resolve');
