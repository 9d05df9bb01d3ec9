// With callbacks the workflow does not schedule the fallback poll at the submit: it waits for the
// poll's first look itself (steps/taskWait.ts). The delay comes from the worker that submitted (its
// poll scale, its learned durations), in the submit's answer; the poll started at that moment looks
// at once and then goes on with the schedule as if it had been running since the submit.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderTaskActivities } from '../steps/providerTasks';
import { JITTER, nextPollDelayMs, pollTiming } from '../steps/pollSchedule';
import type { PollInput, SubmitInput, SubmitResult } from '../contracts/providerTasks';
import { startSimulator, type RunningSimulator } from '../simulator';

const API_KEY = 'first-look-key';
let simulator: RunningSimulator;

beforeAll(async () => {
  // Tasks never finish during the test: every look sees them running.
  simulator = await startSimulator({ apiKey: API_KEY, sendCallbacks: false, clipSeconds: 1, stageDelaysMs: { text: 600_000, first: 600_000, complete: 600_000 } });
});
afterAll(() => simulator?.close());

const activities = () =>
  createProviderTaskActivities({
    endpointFor: () => ({ baseUrl: simulator.url, apiKey: API_KEY }),
    callbacks: { publicUrl: 'http://127.0.0.1:9', secret: 'first-look-secret-first-look-secret' },
    httpTimeoutMs: 2_000,
    pollScaleFor: () => 1,
    batchWindowMs: 0,
  });
// Failed attempts are expected here; the SDK's default logger would print each one as a warning.
const environment = (attempt = 1) => new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });

function submitInput(callbacks: boolean): SubmitInput {
  return { provider: 'anyint', workflowId: 'first-look', stepId: 'song', request: { kind: 'song', song: { prompt: 'a long render', instrumental: true } }, callbacks, callbackTtlMs: 60_000 };
}

describe('the fallback poll\'s first look, with callbacks', () => {
  it('comes in the submit\'s answer, at the documented first delay; without callbacks there is none', async () => {
    const withCallbacks = (await environment().run(activities().submitProviderTask, submitInput(true))) as SubmitResult;
    const { firstMs } = pollTiming('song', true);
    expect(withCallbacks.callbacks).toBe(true);
    expect(withCallbacks.firstLookInMs).toBeGreaterThanOrEqual(firstMs * (1 - JITTER));
    expect(withCallbacks.firstLookInMs).toBeLessThanOrEqual(firstMs * (1 + JITTER));

    const pollingOnly = (await environment().run(activities().submitProviderTask, submitInput(false))) as SubmitResult;
    expect(pollingOnly.firstLookInMs).toBeUndefined();
  });

  it('is taken at once by a poll the workflow starts when it is due, and the schedule goes on from there', async () => {
    const tasks = activities();
    const { taskId } = (await environment().run(tasks.submitProviderTask, submitInput(true))) as SubmitResult;
    const input: PollInput = { provider: 'anyint', kind: 'song', taskId, callbacks: true, firstLookNow: true, submittedAtMs: Date.now() };
    const outcome = await environment(1)
      .run(tasks.awaitProviderTask, input)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    if (!(outcome instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(outcome)}`);
    // A real look (the provider's status), not the first attempt's wait for the first look.
    expect(outcome.type).toBe('ProviderTaskStillRunning');
    expect(outcome.message).not.toMatch(/just submitted/);
    expect(outcome.message).toMatch(/\(poll 1\)$/);
    // The second look waits what it would have after a poll running since the submit.
    const delayMs = Number(outcome.nextRetryDelay);
    expect(delayMs).toBeGreaterThanOrEqual(nextPollDelayMs('song', 2, true, () => 0));
    expect(delayMs).toBeLessThanOrEqual(nextPollDelayMs('song', 2, true, () => 1));
  });
});
