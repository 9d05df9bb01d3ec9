// Many steps asking one worker for a provider slot at the same moment (a burst: 500 songs finishing
// their lyrics together) go to the semaphore in a few updates, not one each; each step still learns
// in the answer whether its slot was free, and the rest wait their turn as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerSlotsWorkflowId, slotsQuery } from '../contracts/providerSlots';
import { createProviderSlotActivities } from '../slots/slotActivities';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

describe('a burst of slot requests from one worker', () => {
  it('is answered in a few updates: 20 granted in the answers, the other 10 queued', async () => {
    const limit = 20;
    const slots = createProviderSlotActivities({ client: harness.env.client, taskQueue: harness.taskQueue, limitFor: () => limit });
    await harness.withWorker(async () => {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => slots.acquireProviderSlot({ provider: 'cqt', requester: `burst-run-${i}`, stepId: 'song', leaseMs: 600_000 })),
      );
      expect(answers.every((a) => a.limited)).toBe(true);
      // Twenty had a free slot and learned it in the answer; the other ten wait their turn for a grant
      // signal. (Which twenty depends on the order the updates reached the semaphore.)
      const requesters = answers.map((_, i) => `burst-run-${i}`);
      const granted = requesters.filter((_, i) => answers[i]!.granted);
      expect(granted).toHaveLength(20);

      const semaphore = harness.env.client.workflow.getHandle(providerSlotsWorkflowId('cqt'));
      const state = await semaphore.query(slotsQuery);
      expect(state.holders.map((h) => h.requester).sort()).toEqual([...granted].sort());
      expect(state.waiting.map((w) => w.requester).sort()).toEqual(requesters.filter((r) => !granted.includes(r)).sort());
      const updates = (await semaphore.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      expect(updates).toBeGreaterThan(0);
      expect(updates).toBeLessThanOrEqual(4);
      await semaphore.terminate('test over');
    });
  }, 60_000);
});
