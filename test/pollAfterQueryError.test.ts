// A poll that fails (provider throttled or unavailable, connection cut) is tried again on the poll
// schedule, like a poll that saw the task still running. Left to the retry policy's exponential
// backoff, whose attempt count includes every earlier "still running" poll, one error late in a long
// render would put the next look at the task minutes away.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderTaskActivities } from '../steps/providerTasks';
import { nextPollDelayMs } from '../steps/pollSchedule';
import type { QueryInput } from '../contracts/providerTasks';
import { adapterFor } from '../providers/registry';
import { callProvider } from '../providers/http';
import { startSimulator, type RunningSimulator } from '../simulator';

const API_KEY = 'poll-test-key';
let simulator: RunningSimulator;
let taskId: string;

beforeAll(async () => {
  // The task never finishes during the test: every poll sees it running.
  simulator = await startSimulator({ apiKey: API_KEY, sendCallbacks: false, clipSeconds: 1, stageDelaysMs: { text: 600_000, first: 600_000, complete: 600_000 } });
  const adapter = adapterFor('anyint');
  const answer = await callProvider(adapter, { baseUrl: simulator.url, apiKey: API_KEY }, adapter.buildSubmit({ kind: 'song', song: { prompt: 'a long render', instrumental: false } }, 'http://127.0.0.1:9/unused'), { timeoutMs: 5_000, idempotent: false });
  taskId = adapter.parseSubmit('song', answer).taskId;
});
afterAll(() => simulator?.close());

async function pollAtAttempt(attempt: number): Promise<ApplicationFailure> {
  const activities = createProviderTaskActivities({
    endpointFor: () => ({ baseUrl: simulator.url, apiKey: API_KEY }),
    callbacks: { publicUrl: 'http://127.0.0.1:9', secret: 'poll-test-secret-poll-test-secret' },
    httpTimeoutMs: 2_000,
    pollScaleFor: () => 1,
    batchWindowMs: 0,
  });
  // Failed attempts are expected here; the SDK's default logger would print each one as a warning.
  const env = new MockActivityEnvironment({ attempt }, { logger: new DefaultLogger('ERROR') });
  const input: QueryInput = { provider: 'anyint', kind: 'song', taskId, callbacks: false };
  const outcome = await env.run(activities.awaitProviderTask, input).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(outcome)}`);
  return outcome;
}

describe('a failed poll late in a long render', () => {
  for (const fault of ['unavailable', 'cut'] as const) {
    it(`(${fault}) is retried at the poll schedule's delay, not after minutes of backoff`, async () => {
      const attempt = 30;
      const running = await pollAtAttempt(attempt);
      expect(running.type).toBe('ProviderTaskStillRunning');

      simulator.faults.add([{ fault, on: 'query' }]);
      const failed = await pollAtAttempt(attempt);
      expect(failed.type).not.toBe('ProviderTaskStillRunning');
      expect(failed.nonRetryable).toBe(false);
      // The schedule's delay at this attempt is its cap (30 s for a song, with jitter), where the
      // retry policy would have waited its 2-minute maximum.
      expect(failed.nextRetryDelay).toBeDefined();
      const delayMs = Number(failed.nextRetryDelay);
      expect(delayMs).toBeLessThanOrEqual(nextPollDelayMs('song', attempt, false, () => 1));
      expect(delayMs).toBeGreaterThan(0);
    });
  }
});
