// Workflow side of the provider-task activities (providerTasks.ts): each activity proxied once, with
// its timeouts and retry policy. A step's summary names its provider, kind and task, so each proxy is
// a function of the summary (and, for the poll, of how long it may run).
import { proxyActivities } from '@temporalio/workflow';
import { failureTypeOf } from '../providers/errors';
import type { ProviderTaskActivities } from './providerTasks';
// Each provider activity beats while it waits on the provider, so an attempt lost with a killed
// worker is tried again after the heartbeat timeout, not after its start-to-close timeout (a minute
// or two: the provider may take its whole request timeout to answer).
import { LOST_WITH_ITS_WORKER_AFTER } from '../contracts/heartbeats';

/** Errors that a retry cannot fix, or (ambiguous) where a retry could pay twice. */
export const NEVER_RETRY = (['rejected', 'auth', 'billing', 'ambiguous'] as const).map(failureTypeOf);

/** Creates the provider task; heartbeats journal its progress, so a retry never submits twice. */
export function submitProviderTask(summary: string) {
  return proxyActivities<ProviderTaskActivities>({
    summary,
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: NEVER_RETRY },
  }).submitProviderTask;
}

/**
 * Polls until the task has finished: the activity's own retries are the poll loop, and its
 * schedule-to-close timeout ends that loop (the step's deadline, see taskWait.ts).
 */
export function awaitProviderTask(summary: string, scheduleToCloseMs: number) {
  return proxyActivities<ProviderTaskActivities>({
    summary,
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
    scheduleToCloseTimeout: scheduleToCloseMs,
    // Every poll but the last fails on purpose with its own delay (nextRetryDelay), so this backoff
    // only times the retry after an attempt that gave no answer: one lost with a killed worker (a
    // start-to-close timeout) or an unexpected error. The attempt count by then includes every
    // "still running" poll, so an uncapped backoff would wait its maximum each time: keep it short.
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2 seconds', nonRetryableErrorTypes: NEVER_RETRY },
  }).awaitProviderTask;
}

/** One look at the task, to confirm a callback hint. */
export function queryProviderTask(summary: string) {
  return proxyActivities<ProviderTaskActivities>({
    summary,
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NEVER_RETRY },
  }).queryProviderTask;
}
