// Activities that talk to a provider: each performs one HTTP exchange.
import { activityInfo, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ProviderAdapter } from '../providers/adapter';
import { failureTypeOf, ProviderError } from '../providers/errors';
import { callProvider, type ProviderEndpoint } from '../providers/http';
import { isTerminal, type ProviderName, type TaskSnapshot } from '../providers/model';
import { adapterFor } from '../providers/registry';
import { signCallbackToken } from '../callbacks/callbackToken';
import { toActivityFailure } from './activityFailures';
import { QueryBatcher } from './queryBatcher';
import { nextPollDelayMs } from './pollSchedule';
import type { QueryInput, SubmitInput, SubmitResult } from '../contracts/providerTasks';

export const STILL_RUNNING_FAILURE = 'ProviderTaskStillRunning';

type SubmitJournal = { phase: 'sending' } | { phase: 'refused' } | { phase: 'accepted'; outcome: SubmitResult };

export interface ProviderTaskDeps {
  /** Where each provider is reached; the API key stays on the worker. */
  endpointFor(provider: ProviderName): ProviderEndpoint;
  callbacks: { publicUrl: string; secret: string };
  httpTimeoutMs: number;
  /** Scales a provider's poll delays (1 = production cadence); a simulator that finishes in seconds is polled faster. */
  pollScaleFor(provider: ProviderName): number;
  /** How long a query waits to share a batch request with others (dialects with batch reads). */
  batchWindowMs: number;
}

export function createProviderTaskActivities(deps: ProviderTaskDeps) {
  const batcher = new QueryBatcher({ windowMs: deps.batchWindowMs, maxBatch: 20, call: { timeoutMs: deps.httpTimeoutMs } });
  function query(adapter: ProviderAdapter, input: QueryInput): Promise<TaskSnapshot> {
    return batcher.query(adapter, deps.endpointFor(input.provider), input.kind, input.taskId);
  }

  return {
    /** Creates the provider task (this is the request that costs credits) and returns its id. */
    async submitProviderTask(input: SubmitInput): Promise<SubmitResult> {
      const adapter = adapterFor(input.provider);
      let callbackUrl: string | undefined;
      if (input.callbacks && adapter.supportsCallbacks) {
        const token = signCallbackToken(deps.callbacks.secret, {
          workflowId: input.workflowId,
          stepId: input.stepId,
          provider: input.provider,
          expiresAt: new Date(Date.now() + input.callbackTtlMs),
        });
        callbackUrl = `${deps.callbacks.publicUrl}/callbacks/${token}`;
      }
      // The journal of earlier attempts lives in heartbeat details, which the server keeps across
      // retries (and across workers): it is what makes "never pay twice" survive a crash.
      const earlier = activityInfo().heartbeatDetails as SubmitJournal | undefined;
      if (earlier?.phase === 'accepted') return earlier.outcome;
      if (earlier?.phase === 'sending') {
        throw ApplicationFailure.create({
          type: failureTypeOf('ambiguous'),
          nonRetryable: true,
          message: `${input.provider} ${input.request.kind} submit: an earlier attempt sent the request and got no answer (the worker stopped or the connection broke), so the provider may have created (and charged for) the task`,
        });
      }
      let call;
      try {
        call = adapter.buildSubmit(input.request, callbackUrl);
      } catch (err) {
        // Our own request schema refused it: nothing left the worker, so nothing can have been charged.
        throw ApplicationFailure.create({ type: failureTypeOf('rejected'), message: (err as Error).message, nonRetryable: true });
      }
      try {
        heartbeat({ phase: 'sending' } satisfies SubmitJournal);
        const body = await callProvider(adapter, deps.endpointFor(input.provider), call, { timeoutMs: deps.httpTimeoutMs, idempotent: false });
        // Whether a webhook can come decides how sparse the fallback polling may be.
        const outcome = { ...adapter.parseSubmit(input.request.kind, body), callbacks: callbackUrl !== undefined };
        heartbeat({ phase: 'accepted', outcome } satisfies SubmitJournal);
        return outcome;
      } catch (err) {
        // A definite refusal (rate limit, bad input...) created nothing: the next attempt may send again.
        if (err instanceof ProviderError && err.errorClass !== 'ambiguous') heartbeat({ phase: 'refused' } satisfies SubmitJournal);
        throw toActivityFailure(err, true);
      }
    },

    /** One look at the task: the source of truth after a callback hint. */
    async queryProviderTask(input: QueryInput): Promise<TaskSnapshot> {
      try {
        return await query(adapterFor(input.provider), input);
      } catch (err) {
        throw toActivityFailure(err, false);
      }
    },

    /**
     * Returns once the task is finished (succeeded or failed). Until then each attempt fails with a
     * retryable "still running" failure whose delay is the poll schedule, so the loop lives in the
     * activity's retries and costs no workflow history.
     */
    async awaitProviderTask(input: QueryInput): Promise<TaskSnapshot> {
      const { attempt } = activityInfo();
      const nextPollMs = Math.max(100, Math.round(nextPollDelayMs(input.kind, attempt, input.callbacks) * deps.pollScaleFor(input.provider)));
      let snapshot: TaskSnapshot;
      try {
        snapshot = await query(adapterFor(input.provider), input);
      } catch (err) {
        // A failed poll is tried again on the poll schedule. Left to the retry policy's backoff, whose
        // attempt count includes every "still running" poll before it, one error late in a long
        // render would put the next poll minutes away.
        throw toActivityFailure(err, false, nextPollMs);
      }
      if (isTerminal(snapshot.state)) return snapshot;
      throw ApplicationFailure.create({
        type: STILL_RUNNING_FAILURE,
        // Expected on every poll but the last: logged at debug level, not as a warning.
        category: ApplicationFailureCategory.BENIGN,
        message: `${input.provider} ${input.kind} task ${input.taskId} is ${snapshot.providerStatus} (poll ${attempt})`,
        nextRetryDelay: nextPollMs,
      });
    },
  };
}

export type ProviderTaskActivities = ReturnType<typeof createProviderTaskActivities>;
