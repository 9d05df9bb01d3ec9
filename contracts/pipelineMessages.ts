// Messages a pipeline workflow accepts, shared by the workflow, the callback endpoint and the scripts.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallbackHint, Clip, StepKind, TaskState } from '../providers/model';
import type { AttentionAnswer, AttentionItem } from './attentionMessages';

/** A provider said something about a step's task. A hint only: the workflow confirms by query. */
export interface ProviderEvent extends CallbackHint {
  stepId: string;
}
export const providerEventSignal = defineSignal<[ProviderEvent]>('providerEvent');

/** Picks which of the song's clips the later steps use, while the run waits for a choice (--review). */
export const chooseClipUpdate = defineUpdate<string, [string]>('chooseClip');

export type StepState = 'pending' | 'waiting-for-slot' | 'submitting' | 'needs-attention' | TaskState | 'storing' | 'done' | 'skipped';

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
  /** Files from an earlier run of the same request were intact, so nothing was paid for again. */
  reused?: boolean;
}

/** A clip choice that waited for a person, as it ended. */
export interface ClipChoiceReport {
  /** The step whose clips were reviewed (a pipeline may review several). */
  stepId: string;
  clipId: string;
  /** 1-based position among the candidates, as the candidates were listed. */
  clipNumber: number;
  /** A person chose, or the review time ran out and the policy did. */
  by: 'person' | 'policy';
  /** The policy's rule, e.g. `first completed`. */
  rule?: string;
  /** The review deadline (epoch ms). */
  deadline: number;
}

export interface PipelineProgress {
  state: 'running' | 'awaiting-choice' | 'succeeded' | 'partial' | 'failed';
  steps: StepProgress[];
  /** The song's clips, while a choice is awaited. */
  candidates?: Pick<Clip, 'id' | 'title' | 'durationSeconds' | 'audioUrl'>[];
  chosenClipId?: string;
  /** While a choice is awaited: when (epoch ms) the policy decides if no one has. */
  choiceDeadline?: number;
  /** While a choice is awaited: the step whose clips are the candidates. */
  choiceStepId?: string;
  /** How the last reviewed choice was made, so the command line can confirm it or announce the policy's pick. */
  choice?: ClipChoiceReport;
  /** Callback hints received, and how many were ignored (foreign task id or unknown step). */
  hints: { received: number; ignored: number };
  /** Steps waiting for an operator (`npm run resolve`, or the `resolve` signal). */
  needsAttention?: AttentionItem[];
  /** The run's answers to the newest `resolve` signals, by the sender's request id. */
  attentionAnswers?: AttentionAnswer[];
}
export const progressQuery = defineQuery<PipelineProgress>('progress');
