// Messages a pipeline workflow accepts, shared by the workflow, the callback endpoint and the scripts.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CallbackHint, StepKind, TaskState } from '../providers/model';

/** A provider said something about a step's task. A hint only: the workflow confirms by query. */
export interface ProviderEvent extends CallbackHint {
  stepId: string;
}
export const providerEventSignal = defineSignal<[ProviderEvent]>('providerEvent');

export type StepState = 'pending' | 'submitting' | TaskState | 'storing' | 'done';

export interface StepProgress {
  stepId: string;
  kind: StepKind;
  state: StepState;
  taskId?: string;
  providerStatus?: string;
  /** Workflow time (ms since epoch) the step started and ended. */
  startedAt?: number;
  finishedAt?: number;
  error?: string;
}

export interface PipelineProgress {
  state: 'running' | 'succeeded' | 'failed';
  steps: StepProgress[];
  /** Callback hints received, and how many were ignored (foreign task id or unknown step). */
  hints: { received: number; ignored: number };
}
export const progressQuery = defineQuery<PipelineProgress>('progress');
