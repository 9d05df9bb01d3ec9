// Activities that talk to a provider: each performs one HTTP exchange.
import { activityInfo, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ProviderAdapter } from '../providers/adapter';
import { failureTypeOf, ProviderError } from '../providers/errors';
import { callProvider, type ProviderEndpoint } from '../providers/http';
import { isTerminal, type ProviderName, type TaskSnapshot } from '../providers/model';
import { adapterFor } from '../providers/registry';
import { WireFormatError } from '../providers/wire';
import { signCallbackToken } from '../callbacks/callbackToken';
import { MusicMetrics, type NoticedBy } from '../metrics/musicMetrics';
import { heartbeatWhile } from '../artifacts/keepAlive';
import { toActivityFailure } from './activityFailures';
import { QueryBatcher } from './queryBatcher';
import { DurationLearner, nextLookDelayMs } from './pollSchedule';
import type { LearnedDurationsStore } from './learnedDurationsFile';
import type { PollInput, QueryInput, SubmitInput, SubmitResult } from '../contracts/providerTasks';

export const STILL_RUNNING_FAILURE = 'ProviderTaskStillRunning';

/**
 * What the submit's attempts recorded, in heartbeat details. A refusal names its attempt: it speaks
 * for that attempt only, and an attempt after it that left nothing (killed a moment after sending)
 * must not be read as "refused, nothing created".
 */
type SubmitJournal = { phase: 'sending' } | { phase: 'refused'; attempt?: number } | { phase: 'accepted'; outcome: SubmitResult };
/** Tasks remembered as running, for the done → noticed lag; a bound, so a long-lived worker does not grow. */
const RUNNING_SEEN_LIMIT = 10_000;

export interface ProviderTaskDeps {
  /** Where each provider is reached; the API key stays on the worker. */
  endpointFor(provider: ProviderName): ProviderEndpoint;
  callbacks: { publicUrl: string; secret: string };
  httpTimeoutMs: number;
  /** Scales a provider's poll delays (1 = production cadence); a simulator that finishes in seconds is polled faster. */
  pollScaleFor(provider: ProviderName): number;
  /** How long a query waits to share a batch request with others (dialects with batch reads). */
  batchWindowMs: number;
  /** Where steps, errors, paid submits and lag are counted (default: counted nowhere anyone reads). */
  metrics?: MusicMetrics;
  /** Where learned task durations outlive this worker (default: in memory only). */
  learnedDurations?: LearnedDurationsStore;
}

export function createProviderTaskActivities(deps: ProviderTaskDeps) {
  const metrics = deps.metrics ?? new MusicMetrics({ processMetrics: false });
  /** Counts an error of a provider call by its class; anything else is not the provider's. */
  function countError(provider: ProviderName, err: unknown, operation: 'submit' | 'query' | 'poll'): void {
    if (err instanceof ProviderError) metrics.providerError(provider, err.errorClass, operation);
    else if (err instanceof WireFormatError) metrics.providerError(provider, 'wire-format', operation);
  }
  // When this worker last saw each task unfinished (at submit, or in a poll or query): a task found
  // finished later finished within that gap, so the gap bounds how long it waited unnoticed. Another
  // worker's sightings are not known here; then nothing is observed rather than a wrong figure.
  const runningSeenAt = new Map<string, number>();
  function seenRunning(provider: ProviderName, taskId: string): void {
    const key = `${provider}\u0000${taskId}`;
    runningSeenAt.delete(key);
    runningSeenAt.set(key, Date.now());
    if (runningSeenAt.size > RUNNING_SEEN_LIMIT) runningSeenAt.delete(runningSeenAt.keys().next().value!);
  }
  // When this worker submitted each task, for learning durations from the tasks a query finds done.
  const submittedAt = new Map<string, number>();
  const durations = new DurationLearner(deps.learnedDurations?.load());
  // By endpoint too: the simulator's seconds must not time the polls of the real provider (or of
  // another simulator) that the same provider name later points at.
  const durationKey = (provider: ProviderName, kind: string) => `${provider}\u0000${deps.endpointFor(provider).baseUrl}\u0000${kind}`;
  function countIfFinished(input: QueryInput, snapshot: TaskSnapshot, noticedBy: NoticedBy, startedAt?: number): void {
    const key = `${input.provider}\u0000${input.taskId}`;
    if (!isTerminal(snapshot.state)) {
      seenRunning(input.provider, input.taskId);
      return;
    }
    const seenAt = runningSeenAt.get(key);
    const since = startedAt ?? submittedAt.get(key);
    submittedAt.delete(key);
    if (since !== undefined && snapshot.state === 'succeeded') {
      // A query confirms a webhook sent as the task finished: now is its end. A poll only knows it
      // ended since the last look that saw it running: the middle of that gap is the best guess.
      const endedAt = noticedBy === 'poll' && seenAt !== undefined && seenAt > since ? (seenAt + Date.now()) / 2 : Date.now();
      durations.record(durationKey(input.provider, input.kind), endedAt - since);
      deps.learnedDurations?.save(() => durations.known());
    }
    if (seenAt !== undefined) {
      runningSeenAt.delete(key);
      metrics.doneNoticedAfter(input.provider, input.kind, (Date.now() - seenAt) / 1000);
    }
    metrics.stepFinished(input.provider, input.kind, snapshot.state === 'succeeded' ? 'succeeded' : 'failed', noticedBy, input.taskId);
  }
  /**
   * Delay before look number `pollNumber + 1` at a task `elapsedMs` after its submit: once this
   * worker has seen a few tasks of this provider and kind finish, their real durations time it; until
   * then, the documented schedule does.
   */
  function nextLookInMs(input: QueryInput, pollNumber: number, elapsedMs: number): number {
    const learned = durations.learned(durationKey(input.provider, input.kind));
    return nextLookDelayMs({ kind: input.kind, callbacks: input.callbacks, pollNumber, elapsedMs, pollScale: deps.pollScaleFor(input.provider), ...(learned ? { learned } : {}) });
  }
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
      const { heartbeatDetails, attempt } = activityInfo();
      const earlier = heartbeatDetails as SubmitJournal | undefined;
      if (earlier?.phase === 'accepted') return earlier.outcome;
      const outcomeUnknown = (earlierAttempt: string) =>
        ApplicationFailure.create({
          type: failureTypeOf('ambiguous'),
          nonRetryable: true,
          message: `${input.provider} ${input.request.kind} submit: an earlier attempt ${earlierAttempt}, so the provider may have created (and charged for) the task`,
        });
      if (earlier?.phase === 'sending') throw outcomeUnknown('sent the request and got no answer (the worker stopped or the connection broke)');
      // A heartbeat is sent beside the request, not before it: a worker killed a moment after
      // sending, or one whose Temporal server was restarting, leaves no journal at all. A retry
      // with nothing recorded cannot tell "never sent" from "sent and paid for", so it asks rather
      // than pays a second time (a chaos run at scale paid twice this way).
      if (earlier === undefined && attempt > 1) throw outcomeUnknown('left no record of whether it sent the request (its worker stopped or lost the Temporal server)');
      // The same after a refusal: the refusal is the journal of the attempt that got it, and an attempt
      // since then that was lost left no record of its own (a chaos run paid twice for timed lyrics this
      // way: refused, then sent and paid with the worker killed before its beat, then sent again).
      // A refusal journaled without its attempt (by an older worker) is taken as before.
      if (earlier?.phase === 'refused' && earlier.attempt !== undefined && earlier.attempt !== attempt - 1) {
        throw outcomeUnknown(`after the refusal of attempt ${earlier.attempt}, left no record of whether it sent the request (its worker stopped or lost the Temporal server)`);
      }
      // A first attempt, or a retry after a definite refusal, which created nothing: one step begun.
      if (earlier === undefined) metrics.stepStarted(input.provider, input.request.kind);
      let call;
      try {
        call = adapter.buildSubmit(input.request, callbackUrl);
      } catch (err) {
        // Our own request schema refused it: nothing left the worker, so nothing can have been charged.
        metrics.stepFinished(input.provider, input.request.kind, 'refused', 'submit');
        throw ApplicationFailure.create({ type: failureTypeOf('rejected'), message: (err as Error).message, nonRetryable: true });
      }
      try {
        const sending = (): SubmitJournal => ({ phase: 'sending' });
        heartbeat(sending());
        // Beats while the provider answers, so a worker lost mid-request is noticed within the
        // heartbeat timeout (the retry then finds "sending" and asks the provider's records).
        const body = await heartbeatWhile(callProvider(adapter, deps.endpointFor(input.provider), call, { timeoutMs: deps.httpTimeoutMs, idempotent: false }), sending);
        // Whether a webhook can come decides how sparse the fallback polling may be, and when it first looks.
        const parsed = adapter.parseSubmit(input.request.kind, body);
        const callbacks = callbackUrl !== undefined;
        const firstLookInMs =
          callbacks && !parsed.completed ? nextLookInMs({ provider: input.provider, kind: input.request.kind, taskId: parsed.taskId, callbacks }, 1, 0) : undefined;
        const outcome: SubmitResult = { ...parsed, callbacks, ...(firstLookInMs === undefined ? {} : { firstLookInMs }) };
        heartbeat({ phase: 'accepted', outcome } satisfies SubmitJournal);
        metrics.paidSubmit(input.provider, input.request.kind);
        if (outcome.completed) countIfFinished({ provider: input.provider, kind: input.request.kind, taskId: outcome.taskId, callbacks: false }, outcome.completed, 'submit');
        else {
          seenRunning(input.provider, outcome.taskId);
          submittedAt.set(`${input.provider}\u0000${outcome.taskId}`, Date.now());
          if (submittedAt.size > RUNNING_SEEN_LIMIT) submittedAt.delete(submittedAt.keys().next().value!);
        }
        return outcome;
      } catch (err) {
        countError(input.provider, err, 'submit');
        // A definite refusal (rate limit, bad input...) created nothing: the next attempt may send again.
        if (err instanceof ProviderError && err.errorClass !== 'ambiguous') heartbeat({ phase: 'refused', attempt } satisfies SubmitJournal);
        // Refusals no retry can change (bad input, auth, billing) end the step here.
        if (err instanceof ProviderError && err.errorClass !== 'ambiguous' && !err.retryable) metrics.stepFinished(input.provider, input.request.kind, 'refused', 'submit');
        throw toActivityFailure(err, true);
      }
    },

    /** One look at the task: the source of truth after a callback hint. */
    async queryProviderTask(input: QueryInput): Promise<TaskSnapshot> {
      try {
        const snapshot = await heartbeatWhile(query(adapterFor(input.provider), input));
        countIfFinished(input, snapshot, 'query');
        return snapshot;
      } catch (err) {
        countError(input.provider, err, 'query');
        throw toActivityFailure(err, false);
      }
    },

    /**
     * Returns once the task is finished (succeeded or failed). Until then each attempt fails with a
     * retryable "still running" failure whose delay is the poll schedule, so the loop lives in the
     * activity's retries and costs no workflow history.
     */
    async awaitProviderTask(input: PollInput): Promise<TaskSnapshot> {
      const { attempt, scheduledTimestampMs } = activityInfo();
      // From the submit's answer: as this worker saw it (as learned durations are), else as the
      // workflow recorded it, else from the poll's start.
      const since = submittedAt.get(`${input.provider}\u0000${input.taskId}`) ?? input.submittedAtMs ?? scheduledTimestampMs;
      const elapsedMs = Date.now() - since;
      // Numbered as if the poll had started at the submit: when the workflow waited for the first
      // look itself, this attempt is that look, and the schedule goes on from there.
      const pollNumber = input.firstLookNow ? attempt + 1 : attempt;
      const nextPollMs = nextLookInMs(input, pollNumber, elapsedMs);
      if (pollNumber === 1) {
        // The poll starts right after the submit: a task cannot have finished yet, so the first
        // attempt only waits (a retry costs no history) and the first query comes on schedule.
        throw ApplicationFailure.create({
          type: STILL_RUNNING_FAILURE,
          category: ApplicationFailureCategory.BENIGN,
          message: `${input.provider} ${input.kind} task ${input.taskId} was just submitted; first look in ${nextPollMs} ms`,
          nextRetryDelay: nextPollMs,
        });
      }
      let snapshot: TaskSnapshot;
      try {
        snapshot = await heartbeatWhile(query(adapterFor(input.provider), input));
      } catch (err) {
        countError(input.provider, err, 'poll');
        // A failed poll is tried again on the poll schedule. Left to the retry policy's backoff, whose
        // attempt count includes every "still running" poll before it, one error late in a long
        // render would put the next poll minutes away.
        throw toActivityFailure(err, false, nextPollMs);
      }
      countIfFinished(input, snapshot, input.confirmsHint && attempt === 1 ? 'query' : 'poll', since);
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
