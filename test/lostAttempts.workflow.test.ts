// An activity attempt lost with its worker (SIGKILL mid-request) is noticed by the server only when a
// timeout runs out. Provider calls and downloads now beat every few seconds while they wait, so their
// heartbeat timeout (LOST_WITH_ITS_WORKER_AFTER, 5 s) can notice a dead worker instead of their
// start-to-close timeout (one or two minutes); at ten kills a run that lost a minute per kill was four
// times slower than calm. Here an attempt stops answering and beating, as a killed worker's would, on
// the time-skipping server.
import { activityInfo } from '@temporalio/activity';
import { LOST_WITH_ITS_WORKER_AFTER } from '../contracts/heartbeats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery } from '../contracts/pipelineMessages';
import type { QueryInput, SubmitInput } from '../contracts/providerTasks';
import type { MusicActivities } from '../activities';
import { callProvider } from '../providers/http';
import { adapterFor } from '../providers/registry';
import { createWorkflowHarness, finishTasksAsTheyCome, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

/** An attempt that never answers: what the server sees of one whose worker died. Released before the worker stops. */
function lostAttempts() {
  const pending: Array<() => void> = [];
  return {
    lose: () => new Promise<never>((_resolve, reject) => pending.push(() => reject(new Error('released at the end of the test')))),
    release: () => pending.splice(0).forEach((release) => release()),
  };
}

/**
 * The song's submit runs `lostAttempt` at attempt `lostAt` (the attempts before it are real) and is
 * then lost with its worker. The retry must find the outcome unknown: the step waits for an operator
 * (the retry found "sending" in the journal, or no record of the lost attempt), and the provider holds
 * exactly the one task, nothing resubmitted.
 */
async function expectRetryToAsk(lostAttempt: (input: SubmitInput, real: MusicActivities, lost: ReturnType<typeof lostAttempts>) => Promise<never>, lostAt = 1): Promise<void> {
  const lost = lostAttempts();
  const { provider } = harness;
  const tasksBefore = provider.tasks.length;
  try {
    await harness.withWorker(
      async () => {
        const handle = await harness.start(harness.input());
        try {
          await expect.poll(async () => (await handle.query(progressQuery)).needsAttention?.map((a) => a.stepId), { timeout: 45_000 }).toEqual(['song']);
          expect(provider.tasks.length - tasksBefore).toBe(1);
        } finally {
          await handle.terminate('test over');
          lost.release();
        }
      },
      (real) => ({
        async submitProviderTask(input: SubmitInput) {
          if (activityInfo().attempt !== lostAt) return real.submitProviderTask(input);
          return lostAttempt(input, real, lost);
        },
      }),
    );
  } finally {
    lost.release();
  }
}

describe('an attempt lost with its worker', () => {
  it('is polled again within the heartbeat timeout, not the start-to-close timeout', async () => {
    const lost = lostAttempts();
    const pollsAt: number[] = [];
    try {
      await harness.withWorker(
        async () => {
          const handle = await harness.start(harness.input());
          const stop = finishTasksAsTheyCome(harness.provider);
          // Released before the worker stops: it waits for its activities, this one included.
          const result = await handle.result().finally(() => {
            stop();
            lost.release();
          });
          expect(result.status).toBe('succeeded');
        },
        (real) => ({
          async awaitProviderTask(input: QueryInput) {
            pollsAt.push(await harness.env.currentTimeMs());
            // The first real look (attempt 2) is lost.
            if (activityInfo().attempt === 2) return lost.lose();
            return real.awaitProviderTask(input);
          },
        }),
      );
    } finally {
      lost.release();
    }
    expect(pollsAt.length).toBeGreaterThanOrEqual(3);
    const afterTheLostOne = pollsAt[2]! - pollsAt[1]!;
    // The heartbeat timeout plus the retry's short pause; the start-to-close timeout alone was 60 s.
    expect(afterTheLostOne).toBeGreaterThanOrEqual(LOST_WITH_ITS_WORKER_AFTER);
    expect(afterTheLostOne).toBeLessThan(LOST_WITH_ITS_WORKER_AFTER + 5_000);
  }, 120_000);

  it('keeps the submit\'s "sending" journal through the beats, so the retry asks instead of paying again', async () => {
    harness.provider.faults.push('hang');
    // The request goes out and hangs; the worker beats "sending" for a while, then dies.
    await expectRetryToAsk(async (input, real, lost) => {
      void real.submitProviderTask(input).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      return lost.lose();
    });
  }, 120_000);

  it('asks instead of paying again when the lost attempt sent its request but no journal reached the server', async () => {
    // What a chaos run at scale caught: a worker killed a moment after sending (or while the server
    // restarted) leaves the provider's task paid for and no heartbeat at all. The retry once took
    // "nothing recorded" for "nothing sent" and paid a second time.
    const { provider } = harness;
    // The request reaches the provider, which accepts it; the worker dies before any beat.
    await expectRetryToAsk(async (input, _real, lost) => {
      const adapter = adapterFor(input.provider);
      await callProvider(adapter, { baseUrl: provider.url, apiKey: provider.apiKey }, adapter.buildSubmit(input.request, undefined), { timeoutMs: 5_000, idempotent: false });
      return lost.lose();
    });
  }, 120_000);

  it('asks instead of paying again when an attempt after a refusal sent its request and left no record', async () => {
    // What a chaos run caught (timed lyrics paid twice): attempt 1 was refused (rate limit) and
    // journaled it; attempt 2 sent and was paid for, its worker killed before any beat; attempt 3 read
    // attempt 1's refusal as the last word and sent again.
    const { provider } = harness;
    provider.faults.push('throttle');
    await expectRetryToAsk(async (input, _real, lost) => {
      const adapter = adapterFor(input.provider);
      await callProvider(adapter, { baseUrl: provider.url, apiKey: provider.apiKey }, adapter.buildSubmit(input.request, undefined), { timeoutMs: 5_000, idempotent: false });
      return lost.lose();
    }, 2);
  }, 120_000);
});
