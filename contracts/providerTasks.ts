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

/** What submitProviderTask answers: the provider's outcome, and whether a webhook can come. */
export type SubmitResult = SubmitOutcome & { callbacks: boolean };
