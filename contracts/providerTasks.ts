// Shapes of the activities that talk to a provider (steps/providerTasks.ts): they cross the
// workflow / activity boundary, so they appear in workflow history; no secrets here (the API key
// and the callback secret stay on the worker).
import type { SubmitOutcome } from '../providers/adapter';
import type { ProviderName, StepKind, StepRequest } from '../providers/model';

export interface SubmitInput {
  provider: ProviderName;
  workflowId: string;
  stepId: string;
  request: StepRequest;
  /** Ask the provider for webhooks (a signed callback URL is minted inside the activity). */
  callbacks: boolean;
  /** How long the callback token stays valid. */
  callbackTtlMs: number;
}

export interface QueryInput {
  provider: ProviderName;
  kind: StepKind;
  taskId: string;
  /** Changes only how sparse the fallback polling is. */
  callbacks: boolean;
}

/** What awaitProviderTask is given: the task, and where the workflow already waited for its first look. */
export interface PollInput extends QueryInput {
  /** The workflow held a timer until the first look was due (taskWait.ts): look at once. */
  firstLookNow?: boolean;
  /** When the submit answered (workflow time): the learned schedule counts from it on any worker. */
  submittedAtMs?: number;
  /** A finishing webhook asked for this look (with firstLookNow): a finish it sees was noticed by the webhook. */
  confirmsHint?: boolean;
}

/**
 * What submitProviderTask answers: the provider's outcome, whether a webhook can come and, when one
 * can, how long after the submit the fallback poll should first look. That delay is the worker's to
 * know (its learned durations, its poll scale), so it travels in the answer, recorded in history.
 */
export type SubmitResult = SubmitOutcome & { callbacks: boolean; firstLookInMs?: number };
